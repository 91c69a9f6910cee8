#include "graph/graph_files.h"

#include <algorithm>

#include "common/error.h"

namespace melograph {

namespace {
proto::GraphFile WriteBytes(AtomicFile& file, const std::string& name,
                            const std::string& element_type, int64_t element_count,
                            std::span<const std::byte> bytes,
                            const std::function<void(size_t, size_t)>& written) {
  if (!written) {
    file.Write(bytes.data(), bytes.size());
  } else {
    for (size_t begin = 0; begin < bytes.size(); begin += kReleasePieceBytes) {
      const size_t end = std::min(bytes.size(), begin + kReleasePieceBytes);
      file.Write(bytes.data() + begin, end - begin);
      written(begin, end);
    }
  }
  file.Commit();
  proto::GraphFile record;
  record.set_name(name);
  record.set_element_type(element_type);
  record.set_element_count(element_count);
  record.set_size_bytes(file.bytes_written());
  record.set_crc32(file.crc32());
  return record;
}
}  // namespace

// A 4 KiB buffer: the array goes to the file as one write, not copied through a buffer.
proto::GraphFile WriteBytesFile(const std::string& path, const std::string& name,
                                const std::string& element_type, int64_t element_count,
                                std::span<const std::byte> bytes,
                                const std::function<void(size_t, size_t)>& written) {
  AtomicFile file(path, 4096);
  return WriteBytes(file, name, element_type, element_count, bytes, written);
}

proto::GraphFile WriteBytesFile(AtomicDirectory& dir, const std::string& name,
                                const std::string& element_type, int64_t element_count,
                                std::span<const std::byte> bytes,
                                const std::function<void(size_t, size_t)>& written) {
  AtomicFile file(dir, name, 4096);
  return WriteBytes(file, name, element_type, element_count, bytes, written);
}

std::shared_ptr<const MappedFile> MapCheckedFile(const std::string& dir,
                                                 const proto::GraphFile& record,
                                                 int64_t expected_count, size_t element_size,
                                                 bool verify_checksum) {
  const std::string path = JoinPath(dir, record.name());
  const int64_t expected_bytes = expected_count * static_cast<int64_t>(element_size);
  if (record.size_bytes() != expected_bytes || record.element_count() != expected_count)
    throw FormatError(path + ": manifest records " + std::to_string(record.element_count()) +
                      " elements / " + std::to_string(record.size_bytes()) + " bytes but the graph needs " +
                      std::to_string(expected_count) + " / " + std::to_string(expected_bytes));
  if (!PathExists(path)) throw FormatError(path + ": file is missing from the graph directory");
  auto file = std::make_shared<const MappedFile>(path);
  const auto size = static_cast<int64_t>(file->size());
  if (size != expected_bytes)
    throw FormatError(path + ": file is " + (size < expected_bytes ? "truncated" : "too long") + " (" +
                      std::to_string(size) + " bytes, manifest says " + std::to_string(expected_bytes) + ")");
  if (verify_checksum) {
    const uint32_t crc = Crc32(file->data(), file->size());
    if (crc != record.crc32())
      throw FormatError(path + ": checksum mismatch (CRC-32 " + std::to_string(crc) + ", manifest says " +
                        std::to_string(record.crc32()) + "): the file is corrupt");
  }
  return file;
}

}  // namespace melograph
