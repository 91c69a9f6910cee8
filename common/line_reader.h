// Fast line-by-line reading of plain or gzip-compressed text files.
//
// Contract: `Next(line)` yields each line without its terminator ("\n" or "\r\n"), as a view
// that stays valid until the next call. `NextFields` yields the same line split at its tabs,
// found in the same pass that finds its end (64 bytes at a time into bit masks, with SSE2
// where it is there), and says whether the line needs CheckLineText (common/text.h): the
// parsers' hot path, one scan of the text instead of a memchr for the newline and a second
// pass for the tabs. Files ending in ".gz" are decompressed through zlib. Lines longer than
// the buffer grow it. I/O failures throw IoError naming the file.
//
// A plain file's pages are dropped from the page cache behind the reader, every
// kDropBehindBytes read (posix_fadvise DONTNEED): inputs are read once, so a 6 GB event log
// does not push the node's working set out, and the memory it held goes straight back to the
// reader's own allocations and outputs (on a VM that returns free memory to its host, memory
// freed moments ago costs ~30x less to touch than memory never touched: docs/BENCHMARKS.md,
// nineteenth session). A file under kDropBehindBytes keeps its cache; so does every file when
// MELOGRAPH_KEEP_INPUT_CACHE=1 is in the environment (read per reader).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/anonymous_array.h"

namespace melograph {

inline constexpr int64_t kDropBehindBytes = int64_t{8} << 20;

class LineReader {
 public:
  explicit LineReader(std::string path, size_t buffer_bytes = 1 << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line; returns false at end of file.
  bool Next(std::string_view& line);
  // Reads the next line like Next() and splits it at tabs: `count` is the number of fields
  // (tabs + 1); the first min(count, max_fields) are in fields[], with their byte offsets in
  // the line in starts[]. `plain` is true when the line holds no byte >= 0x80 and no carriage
  // return (the terminator's aside), so CheckLineText cannot fail on it; when false, the
  // caller runs CheckLineText for the column and reason. Returns false at end of file.
  bool NextFields(std::string_view& line, size_t max_fields, std::string_view* fields,
                  size_t* starts, size_t& count, bool& plain);
  // 1-based number of the line last returned by Next() or NextFields().
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  // Bytes of (decompressed) input consumed so far.
  int64_t bytes_read() const { return bytes_consumed_; }

 private:
  size_t Fill();  // reads more bytes after the unconsumed tail; returns bytes added
  // NextFields' end: the line is b[0, len); starts[] holds its first tabs' offsets on entry,
  // its fields' offsets on return.
  static void FinishFields(const char* b, size_t len, size_t tabs, size_t max_fields,
                           std::string_view* fields, size_t* starts, size_t& count);
  struct Source;
  std::string path_;
  std::unique_ptr<Source> source_;
  void Resize(size_t capacity);  // a buffer of capacity + kPad bytes, keeping [0, end_)
  // capacity_ + kPad bytes: the pad keeps 64-byte loads in bounds. Its own mapping, on a huge
  // page from 1 MiB (common/huge_pages.h): a fresh 1 MiB buffer on 4 KiB pages took 256 page
  // faults, ~3 ms on the VMs we measure, for every file read.
  AnonymousArray<char> buffer_;
  size_t capacity_ = 0;
  static constexpr size_t kPad = 64;
  // NextFields' scan: masks of the bytes [block_at_, block_end_) (at most 64, within the data).
  void LoadBlock(size_t at);
  size_t block_at_ = 0, block_end_ = 0;
  uint64_t block_tabs_ = 0, block_newlines_ = 0, block_odd_ = 0;
  size_t capacity() const { return capacity_; }
  size_t begin_ = 0;  // start of unconsumed data
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  int64_t line_number_ = 0;
  int64_t bytes_consumed_ = 0;
  bool drop_behind_ = false;  // plain file, MELOGRAPH_KEEP_INPUT_CACHE unset
  int64_t file_read_ = 0;     // bytes read from the file so far
  int64_t file_dropped_ = 0;  // ... of which the cached pages have been dropped
};

// True if the path names a gzip file by extension.
bool IsGzipPath(std::string_view path);

// About how many lines a plain file holds: its size over the mean length of its first 1,000
// lines, plus 5% (and 1,024). 0 for a gzip file and for anything but a regular file (missing,
// a directory, a pipe: never opened, so nothing is consumed from it). For reserving
// arrays once (only the pages written become resident, and no doubling holds two copies); an
// underestimate only means the array grows as usual.
size_t EstimateLineCount(const std::string& path);

}  // namespace melograph
