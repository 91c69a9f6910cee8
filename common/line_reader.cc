#include "common/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/error.h"
#include "common/file_util.h"

namespace melograph {

bool IsGzipPath(std::string_view path) {
  return path.size() >= 3 && path.substr(path.size() - 3) == ".gz";
}

size_t EstimateLineCount(const std::string& path) {
  // Only a regular file: sampling a pipe would consume what the real reader needs.
  if (IsGzipPath(path) || !IsRegularFile(path)) return 0;
  LineReader sample(path, 1 << 16);
  std::string_view line;
  int64_t lines = 0, sampled = 0;
  while (lines < 1000 && sample.Next(line)) {
    ++lines;
    sampled = sample.bytes_read();
  }
  if (lines == 0 || sampled == 0) return 0;
  const double per_line = static_cast<double>(sampled) / static_cast<double>(lines);
  return static_cast<size_t>(static_cast<double>(FileSize(path)) / per_line * 1.05) + 1024;
}

struct LineReader::Source {
  int fd = -1;
  gzFile gz = nullptr;
  ~Source() {
    if (gz) gzclose(gz);
    if (fd >= 0) ::close(fd);
  }
};

LineReader::LineReader(std::string path, size_t buffer_bytes)
    : path_(std::move(path)), source_(std::make_unique<Source>()) {
  size_t capacity = std::max<size_t>(buffer_bytes, 1);
  if (IsGzipPath(path_)) {
    source_->gz = gzopen(path_.c_str(), "rb");
    if (!source_->gz) throw IoError("cannot open " + path_ + ": " + std::strerror(errno));
    gzbuffer(source_->gz, 1 << 17);
  } else {
    source_->fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (source_->fd < 0) throw IoError("cannot open " + path_ + ": " + std::strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(source_->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    const char* keep = std::getenv("MELOGRAPH_KEEP_INPUT_CACHE");
    drop_behind_ = keep == nullptr || std::string_view(keep) != "1";
    // A small file gets a buffer its size (at least 4 KiB), which a few 4 KiB pages hold. Any
    // larger one keeps the whole buffer: from 1 MiB that is one huge page, a single page fault,
    // cheaper than the 4 KiB pages of a file of more than 64 KiB (common/huge_pages.h). (A
    // file that grows meanwhile is still read whole: the buffer only bounds each read.)
    constexpr size_t kSmallFileBytes = size_t{64} << 10;
    struct stat st;
    if (::fstat(source_->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        static_cast<size_t>(st.st_size) < kSmallFileBytes)
      capacity =
          std::min(capacity, std::max<size_t>(static_cast<size_t>(st.st_size) + 1, 4096 - kPad));
  }
  Resize(capacity);
}

void LineReader::Resize(size_t capacity) {
  // Only the bytes read in are written (and the pad past them is masked off).
  AnonymousArray<char> bigger(capacity + kPad, PageSize::kHuge);
  if (end_ > 0) std::memcpy(bigger.data(), buffer_.data(), end_);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
}

LineReader::~LineReader() = default;

size_t LineReader::Fill() {
  if (eof_) return 0;
  block_at_ = block_end_ = 0;  // the bytes move or grow: NextFields' masks no longer hold
  // Move the unconsumed tail to the front; grow if the buffer is full of one line.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity()) Resize(capacity() * 2);
  const size_t want = capacity() - end_;
  int64_t got;
  if (source_->gz) {
    got = gzread(source_->gz, buffer_.data() + end_, static_cast<unsigned>(want));
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(source_->gz, &errnum);
      throw IoError("cannot read " + path_ + ": " + (msg ? msg : "gzip error"));
    }
    if (got == 0 && !gzeof(source_->gz)) {
      int errnum = 0;
      const char* msg = gzerror(source_->gz, &errnum);
      if (errnum != Z_OK) throw IoError("cannot read " + path_ + ": " + (msg ? msg : "gzip error"));
    }
  } else {
    do {
      got = ::read(source_->fd, buffer_.data() + end_, want);
    } while (got < 0 && errno == EINTR);
    if (got < 0) throw IoError("cannot read " + path_ + ": " + std::strerror(errno));
    file_read_ += got;
    // Drop-behind: what has been read is in the buffer; its cached pages go back now (only a
    // hint, errors are ignored; pages still dirty or mapped elsewhere stay).
    if (drop_behind_ && file_read_ - file_dropped_ >= kDropBehindBytes) {
      ::posix_fadvise(source_->fd, file_dropped_, file_read_ - file_dropped_, POSIX_FADV_DONTNEED);
      file_dropped_ = file_read_;
    }
  }
  if (got == 0) eof_ = true;
  end_ += static_cast<size_t>(got);
  return static_cast<size_t>(got);
}

bool LineReader::Next(std::string_view& line) {
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buffer_.data() + scan_from;
    const void* nl = std::memchr(start, '\n', end_ - scan_from);
    if (nl) {
      const size_t pos = static_cast<const char*>(nl) - buffer_.data();
      size_t len = pos - begin_;
      const char* b = buffer_.data() + begin_;
      bytes_consumed_ += static_cast<int64_t>(len + 1);
      if (len > 0 && b[len - 1] == '\r') --len;
      line = std::string_view(b, len);
      begin_ = pos + 1;
      ++line_number_;
      return true;
    }
    const size_t consumed_scan = end_ - begin_;
    if (Fill() == 0) {
      if (begin_ == end_) return false;
      // Last line without a terminator.
      size_t len = end_ - begin_;
      const char* b = buffer_.data() + begin_;
      bytes_consumed_ += static_cast<int64_t>(len);
      if (len > 0 && b[len - 1] == '\r') --len;
      line = std::string_view(b, len);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scan_from = begin_ + consumed_scan;
  }
}

void LineReader::LoadBlock(size_t at) {
  // Masks of the 64 bytes at `at` (bit i for byte at + i): tabs, newlines, and "odd" bytes
  // (>= 0x80 or CR). The pad past end_ is readable; its bits are cleared.
  const char* p = buffer_.data() + at;
  uint64_t tabs = 0, newlines = 0, odd = 0;
#ifdef __SSE2__
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const int shift = 16 * k;
    tabs |=
        uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))))}
        << shift;
    newlines |=
        uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))))}
        << shift;
    odd |= uint64_t{static_cast<uint32_t>(
               _mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))))}
           << shift;
  }
#else
  for (int i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    tabs |= uint64_t{c == '\t'} << i;
    newlines |= uint64_t{c == '\n'} << i;
    odd |= uint64_t{c >= 0x80 || c == '\r'} << i;
  }
#endif
  block_at_ = at;
  block_end_ = std::min(at + 64, end_);
  const uint64_t valid =
      block_end_ - at == 64 ? ~uint64_t{0} : (uint64_t{1} << (block_end_ - at)) - 1;
  block_tabs_ = tabs & valid;
  block_newlines_ = newlines & valid;
  block_odd_ = odd & valid;
}

bool LineReader::NextFields(std::string_view& line, size_t max_fields, std::string_view* fields,
                            size_t* starts, size_t& count, bool& plain) {
  // The buffer is scanned 64 bytes at a time into bit masks (LoadBlock); a line's tabs and end
  // are read off the masks from its start, and the next line goes on in the same block, so each
  // byte is looked at once. The first max_fields tabs' offsets from the line's start go to
  // starts[] (FinishFields turns them into fields), so a Fill() that moves the line to the
  // front of the buffer only has to resume the scan where it stopped. Members are read into
  // locals: the stores to starts[] could alias them.
  size_t seen = 0;          // tabs so far
  bool odd = false;         // a byte >= 0x80 or a CR so far, but for...
  bool pending_cr = false;  // ...the last byte scanned, a CR: the terminator's if a LF follows
  size_t scan = begin_;
  for (;;) {
    const char* const base = buffer_.data();
    const size_t line_begin = begin_;
    const size_t data_end = end_;
    while (scan < data_end) {
      if (scan < block_at_ || scan >= block_end_) LoadBlock(scan);
      const size_t block_at = block_at_;
      const auto rel = static_cast<unsigned>(scan - block_at);
      const uint64_t from = ~uint64_t{0} << rel;
      const uint64_t newlines = block_newlines_ & from;
      if (newlines != 0) {
        const auto nl = static_cast<unsigned>(__builtin_ctzll(newlines));
        const uint64_t before = from & ((uint64_t{1} << nl) - 1);
        const size_t line_end = block_at + nl;
        uint64_t odd_bits = block_odd_ & before;
        // The terminator's CR is not part of the line.
        if (nl > rel) {
          odd |= pending_cr;
          if (base[line_end - 1] == '\r') odd_bits &= ~(uint64_t{1} << (nl - 1));
        }
        odd |= odd_bits != 0;
        for (uint64_t tabs = block_tabs_ & before; tabs != 0; tabs &= tabs - 1) {
          if (seen < max_fields)
            starts[seen] = block_at + static_cast<size_t>(__builtin_ctzll(tabs)) - line_begin;
          ++seen;
        }
        size_t len = line_end - line_begin;
        bytes_consumed_ += static_cast<int64_t>(len + 1);
        const char* const b = base + line_begin;
        if (len > 0 && b[len - 1] == '\r') --len;
        FinishFields(b, len, seen, max_fields, fields, starts, count);
        plain = !odd;
        line = std::string_view(b, len);
        begin_ = line_end + 1;
        ++line_number_;
        return true;
      }
      const size_t block_end = block_end_;
      const auto last = static_cast<unsigned>(block_end - 1 - block_at);  // the last data byte
      odd |= pending_cr;
      pending_cr = base[block_end - 1] == '\r';
      odd |= (block_odd_ & from & ~(uint64_t{pending_cr} << last)) != 0;
      for (uint64_t tabs = block_tabs_ & from; tabs != 0; tabs &= tabs - 1) {
        if (seen < max_fields)
          starts[seen] = block_at + static_cast<size_t>(__builtin_ctzll(tabs)) - line_begin;
        ++seen;
      }
      scan = block_end;
    }
    const size_t scanned = data_end - line_begin;
    if (Fill() == 0) {
      if (begin_ == end_) return false;
      // Last line without a terminator (a final CR, pending_cr, is stripped like a CRLF's).
      const char* const b = buffer_.data() + begin_;
      size_t len = end_ - begin_;
      bytes_consumed_ += static_cast<int64_t>(len);
      if (len > 0 && b[len - 1] == '\r') --len;
      FinishFields(b, len, seen, max_fields, fields, starts, count);
      plain = !odd;
      line = std::string_view(b, len);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scan = begin_ + scanned;  // Fill() moved the line to the front; its offsets still hold
  }
}

void LineReader::FinishFields(const char* b, size_t len, size_t tabs, size_t max_fields,
                              std::string_view* fields, size_t* starts, size_t& count) {
  // starts[i] holds tab i's offset (i < min(tabs, max_fields)); field i runs from after tab
  // i - 1 to tab i, the last one to len (a tab always sits before len: a stripped CR is no tab).
  size_t from = 0;
  const size_t n = std::min(tabs + 1, max_fields);
  for (size_t i = 0; i < n; ++i) {
    const size_t to = i < tabs ? starts[i] : len;
    starts[i] = from;
    fields[i] = std::string_view(b + from, to - from);
    from = to + 1;
  }
  count = tabs + 1;
}

}  // namespace melograph
