#include "common/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

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
    : path_(std::move(path)), source_(std::make_unique<Source>()), buffer_(buffer_bytes) {
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
  }
}

LineReader::~LineReader() = default;

size_t LineReader::Fill() {
  if (eof_) return 0;
  // Move the unconsumed tail to the front; grow if the buffer is full of one line.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const size_t want = buffer_.size() - end_;
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

}  // namespace melograph
