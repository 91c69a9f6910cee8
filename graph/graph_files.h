// Typed flat-array files for graph directories: write a span as raw little-endian bytes and
// record (name, element type, count, size, CRC-32); map one back and check it against that
// record.
//
// Contract:
//  * WriteArrayFile streams the bytes through AtomicFile in 1 MiB chunks (no second copy of the
//    array), so memory stays flat; the returned record carries the CRC of exactly those bytes.
//  * MapArrayFile throws FormatError naming the file when it is missing, when its size differs
//    from the record (truncated or extended) or from element_count * sizeof(T), or, with
//    verify_checksum, when its CRC-32 differs. The returned ArrayRef keeps the mapping alive.
//  * Files are native little-endian; a big-endian build refuses to compile.
#pragma once

#include <bit>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/anonymous_array.h"
#include "common/file_util.h"
#include "graph/array_ref.h"
#include "proto/graph_manifest.pb.h"

namespace melograph {

static_assert(std::endian::native == std::endian::little, "graph files are little-endian");

// Writes `bytes` to `path` atomically; returns its record with `name` and `element_type`.
// With `written`, the bytes go out kReleasePieceBytes at a time and written(begin, end) is
// called after each piece with its byte range.
inline constexpr size_t kReleasePieceBytes = size_t{4} << 20;
proto::GraphFile WriteBytesFile(const std::string& path, const std::string& name,
                                const std::string& element_type, int64_t element_count,
                                std::span<const std::byte> bytes,
                                const std::function<void(size_t, size_t)>& written = {});
// The same, as the file `name` inside dir (synced by dir.Commit(), common/file_util.h).
proto::GraphFile WriteBytesFile(AtomicDirectory& dir, const std::string& name,
                                const std::string& element_type, int64_t element_count,
                                std::span<const std::byte> bytes,
                                const std::function<void(size_t, size_t)>& written = {});

// With `release` (the AnonymousArray that holds `values`), each 4 MiB written is discarded
// (AnonymousArray::Discard) right after the write: the page cache that takes the bytes then
// reuses those pages instead of fresh ones. `values` reads as zero afterwards.
// `where` is a path or an AtomicDirectory& (the file is then `name` inside it).
template <typename T, typename Where>
proto::GraphFile WriteArrayFile(Where&& where, const std::string& name,
                                const std::string& element_type, std::span<const T> values,
                                AnonymousArray<T>* release = nullptr) {
  std::function<void(size_t, size_t)> written;
  if (release != nullptr && release->data() == values.data() && release->size() == values.size())
    written = [release](size_t begin, size_t end) {
      release->Discard(begin / sizeof(T), end / sizeof(T));
    };
  return WriteBytesFile(where, name, element_type, static_cast<int64_t>(values.size()),
                        std::as_bytes(values), written);
}

// Maps `dir/record.name()` after checking it exists, has record.size_bytes() bytes equal to
// expected_count * element_size, and (optionally) the recorded CRC-32.
std::shared_ptr<const MappedFile> MapCheckedFile(const std::string& dir,
                                                 const proto::GraphFile& record,
                                                 int64_t expected_count, size_t element_size,
                                                 bool verify_checksum);

template <typename T>
ArrayRef<T> MapArrayFile(const std::string& dir, const proto::GraphFile& record,
                         int64_t expected_count, bool verify_checksum) {
  auto file = MapCheckedFile(dir, record, expected_count, sizeof(T), verify_checksum);
  const std::span<const T> view(reinterpret_cast<const T*>(file->data()),
                                static_cast<size_t>(expected_count));
  return ArrayRef<T>(view, std::move(file));
}

}  // namespace melograph
