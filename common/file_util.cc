#include "common/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.h"
#include "common/line_reader.h"

namespace melograph {
namespace fs = std::filesystem;

namespace {
std::string Errno() { return std::strerror(errno); }
std::string TempName(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}
// Asks the kernel to drop the cached pages of a file that is about to be replaced. The file
// stays on disk (it is the last good output until the new one is committed); its page cache
// goes back to the free lists now, where the new output's page cache takes it again instead
// of memory never touched (on a VM whose host takes free memory back, fresh memory costs a
// host fault per page: docs/BENCHMARKS.md, nineteenth session). Only a hint: errors are
// ignored.
void DropCachedPages(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;  // not a pipe, a device
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}
}  // namespace

struct AtomicFile::Sink {
  int fd = -1;
  gzFile gz = nullptr;
};

AtomicFile::AtomicFile(std::string path, size_t buffer_bytes)
    : path_(std::move(path)), tmp_path_(TempName(path_)), sink_(std::make_unique<Sink>()),
      buffer_bytes_(std::max<size_t>(buffer_bytes, 1)) {
  DropCachedPages(path_);
  Open();
}

// Inside a temporary directory the file is written under its own name: nothing sees it before
// the directory is committed.
AtomicFile::AtomicFile(AtomicDirectory& dir, std::string_view name, size_t buffer_bytes)
    : path_(dir.File(name)),
      tmp_path_(path_),
      directory_(&dir),
      sink_(std::make_unique<Sink>()),
      buffer_bytes_(std::max<size_t>(buffer_bytes, 1)) {
  Open();
}

void AtomicFile::Open() {
  sink_->fd = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (sink_->fd < 0) throw IoError("cannot create " + tmp_path_ + ": " + Errno());
  if (IsGzipPath(path_)) {
    const int dup_fd = ::dup(sink_->fd);
    sink_->gz = gzdopen(dup_fd, "wb6");
    if (!sink_->gz) throw IoError("cannot start gzip stream for " + path_);
  }
}

AtomicFile::~AtomicFile() {
  if (sink_->gz) gzclose(sink_->gz);
  if (sink_->fd >= 0) ::close(sink_->fd);
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void AtomicFile::Write(std::string_view bytes) {
  if (bytes.empty()) return;  // (an empty array's data() may be null: no memcpy from it)
  if (bytes.size() > capacity_ - used_) {
    Flush();
    if (bytes.size() >= buffer_bytes_) {  // at least a buffer's worth: straight to the sink
      Emit(bytes.data(), bytes.size());
      return;
    }
    Reserve(bytes.size());
  }
  std::memcpy(buffer_.data() + used_, bytes.data(), bytes.size());
  used_ += bytes.size();
}

void AtomicFile::Flush() {
  if (used_ == 0) return;
  Emit(buffer_.data(), used_);
  used_ = 0;
}

void AtomicFile::Reserve(size_t n) {
  Flush();
  // The first buffer is at most 64 KiB (4 KiB pages: a small file touches a page or two);
  // a file that outgrows it gets the whole buffer, from 1 MiB on a huge page.
  constexpr size_t kFirstBufferBytes = size_t{64} << 10;
  const size_t bytes =
      std::max(n, capacity_ == 0 ? std::min(buffer_bytes_, kFirstBufferBytes) : buffer_bytes_);
  if (bytes > capacity_) {
    buffer_ = AnonymousArray<char>(bytes, PageSize::kHuge);
    capacity_ = bytes;
  }
}

void AtomicFile::Emit(const char* data, size_t size) {
  crc_ = Crc32(data, size, crc_);
  bytes_written_ += static_cast<int64_t>(size);
  if (sink_->gz) {
    // gzwrite takes an unsigned length: large spans go in pieces.
    for (size_t off = 0; off < size;) {
      const auto n = static_cast<unsigned>(std::min<size_t>(size - off, size_t{1} << 30));
      if (gzwrite(sink_->gz, data + off, n) != static_cast<int>(n))
        throw IoError("cannot write " + tmp_path_ + ": gzip write failed (disk full?)");
      off += n;
    }
    return;
  }
  for (size_t off = 0; off < size;) {
    const ssize_t n = ::write(sink_->fd, data + off, size - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + tmp_path_ + ": " + Errno());
    }
    off += static_cast<size_t>(n);
  }
  // Write-behind: start the disk writes of what is written so far; they run while the caller
  // goes on, and the fsync waits for the tail only. (A hint: failures surface at the fsync.)
  if (bytes_written_ - write_behind_ >= kWriteBehindBytes) {
    ::sync_file_range(sink_->fd, write_behind_, bytes_written_ - write_behind_,
                      SYNC_FILE_RANGE_WRITE);
    write_behind_ = bytes_written_;
  }
}

void AtomicFile::Commit() {
  Flush();
  if (sink_->gz) {
    const int rc = gzclose(sink_->gz);
    sink_->gz = nullptr;
    if (rc != Z_OK) throw IoError("cannot finish gzip stream " + tmp_path_ + " (disk full?)");
  }
  if (directory_ != nullptr) {
    // The whole file's disk writes start now; the directory's Commit waits for them.
    ::sync_file_range(sink_->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  } else if (::fsync(sink_->fd) != 0) {
    throw IoError("cannot sync " + tmp_path_ + ": " + Errno());
  }
  if (::close(sink_->fd) != 0) {
    sink_->fd = -1;
    throw IoError("cannot close " + tmp_path_ + ": " + Errno());
  }
  sink_->fd = -1;
  if (directory_ != nullptr) {
    directory_->SyncLater(path_);
    committed_ = true;
    return;
  }
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    throw IoError("cannot rename " + tmp_path_ + " to " + path_ + ": " + Errno());
  committed_ = true;
}

AtomicDirectory::AtomicDirectory(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  tmp_ = TempName(dir_);
  std::error_code ec;
  if (fs::is_directory(dir_, ec))
    for (auto it = fs::recursive_directory_iterator(dir_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) DropCachedPages(it->path().string());
  fs::remove_all(tmp_, ec);
  const fs::path parent = fs::path(dir_).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (!fs::create_directory(tmp_, ec) || ec)
    throw IoError("cannot create directory " + tmp_ + ": " + ec.message());
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

std::string AtomicDirectory::File(std::string_view name) const { return JoinPath(tmp_, name); }

void AtomicDirectory::SyncLater(const std::string& path) {
  const std::lock_guard lock(unsynced_mutex_);
  unsynced_.push_back(path);
}

namespace {
// fsync through a fresh descriptor; `what` names the file or directory in the error. Some file
// systems (FUSE and network ones among them) refuse to fsync a directory (EINVAL): that is not
// an error of the output, whose files are synced already.
void SyncPath(const std::string& path, int flags, const char* what) {
  const bool directory = (flags & O_DIRECTORY) != 0;
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    throw IoError(std::string("cannot open ") + what + " " + path + " to sync it: " + Errno());
  if (::fsync(fd) != 0 && !(directory && (errno == EINVAL || errno == EBADF))) {
    const std::string reason = Errno();
    ::close(fd);
    throw IoError(std::string("cannot sync ") + what + " " + path + ": " + reason);
  }
  ::close(fd);
}

std::string ParentOf(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}
}  // namespace

void AtomicDirectory::Commit() {
  // The files' disk writes were started as they were committed; wait for them all, then for
  // the directory entries that name them, before the tree becomes visible.
  std::vector<std::string> dirs{tmp_};
  for (const std::string& path : unsynced_) {
    SyncPath(path, O_WRONLY, "file");
    dirs.push_back(ParentOf(path));
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const std::string& d : dirs) SyncPath(d, O_RDONLY | O_DIRECTORY, "directory");
  unsynced_.clear();
  std::error_code ec;
  std::string old;
  if (fs::exists(dir_, ec)) {
    old = dir_ + ".old." + std::to_string(::getpid());
    fs::remove_all(old, ec);
    fs::rename(dir_, old, ec);
    if (ec) throw IoError("cannot move old " + dir_ + " aside: " + ec.message());
  }
  fs::rename(tmp_, dir_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, dir_, ec);
    throw IoError("cannot rename " + tmp_ + " to " + dir_ + ": " + ec.message());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
  SyncPath(ParentOf(dir_), O_RDONLY | O_DIRECTORY, "directory");  // the rename itself
}

MappedFile::MappedFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path + ": " + Errno());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw IoError("cannot stat " + path + ": " + Errno());
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw IoError("cannot mmap " + path + ": " + Errno());
    }
    data_ = static_cast<const std::byte*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

uint32_t Crc32File(const std::string& path) {
  MappedFile f(path);
  return Crc32(f.data(), f.size());
}

bool PathExists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool IsRegularFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

void MakeDirectories(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw IoError("cannot create directory " + path + ": " + ec.message());
}

void RemoveAll(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw IoError("cannot stat " + path + ": " + Errno());
  return static_cast<int64_t>(st.st_size);
}

std::string ReadWholeFile(const std::string& path) {
  MappedFile f(path);
  return std::string(static_cast<const char*>(f.data()), f.size());
}

void WriteWholeFile(const std::string& path, std::string_view contents) {
  AtomicFile f(path);
  f.Write(contents);
  f.Commit();
}

void WriteWholeFile(AtomicDirectory& dir, std::string_view name, std::string_view contents) {
  AtomicFile f(dir, name);
  f.Write(contents);
  f.Commit();
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string s(a);
  if (!s.empty() && s.back() != '/') s += '/';
  s += b;
  return s;
}

}  // namespace melograph
