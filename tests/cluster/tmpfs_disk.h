// Test helper: a small disk that can be made full on demand, for "disk full while writing"
// fault tests (build-graph, partition, export here; checkpoints in the training fault tests).
//
//   SmallTmpfs disk(dir, 8 << 20);           // mounts an 8 MiB tmpfs at `dir` (created)
//   if (!disk.mounted()) GTEST_SKIP() << disk.skip_reason();
//   disk.Fill();                              // a filler file takes every free byte (ENOSPC)
//   disk.Unfill();                            // frees it again
//
// Mounting needs CAP_SYS_ADMIN (root outside a restricted container); where mount(2) is refused,
// mounted() is false and skip_reason() says why, so callers skip with a clear message. The
// destructor unmounts (lazily, so a leftover open file cannot keep it busy) and removes `dir`.
#pragma once

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace melograph::testing {

class SmallTmpfs {
 public:
  SmallTmpfs(std::string dir, int64_t size_bytes) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0755";
    if (::mount("melograph-test", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      skip_reason_ = "cannot mount a tmpfs at " + dir_ + " (" + std::strerror(errno) +
                     "): the disk-full tests need root / CAP_SYS_ADMIN";
      return;
    }
    mounted_ = true;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& path() const { return dir_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  int64_t FreeBytes() const {
    struct statvfs s {};
    if (::statvfs(dir_.c_str(), &s) != 0) return -1;
    return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
  }

  // Writes a filler file until the disk refuses (ENOSPC); returns the bytes it took.
  int64_t Fill() {
    const int fd = ::open(File(kFiller).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return -1;
    const std::vector<char> block(64 << 10, 'x');
    int64_t total = 0;
    for (size_t chunk = block.size(); chunk > 0;) {
      const ssize_t n = ::write(fd, block.data(), chunk);
      if (n > 0) {
        total += n;
      } else {
        chunk /= 2;  // ENOSPC on a big block: top up the last pages with smaller ones
      }
    }
    ::close(fd);
    return total;
  }
  void Unfill() { ::unlink(File(kFiller).c_str()); }

 private:
  static constexpr const char* kFiller = ".filler";
  std::string dir_;
  bool mounted_ = false;
  std::string skip_reason_;
};

}  // namespace melograph::testing
