// Helpers shared by the tests: a scratch directory removed at the end, file writing, running
// the melograph binary and capturing its output.
#pragma once

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace melograph::testing {

// Pages of the file's first `bytes` bytes (all of it if 0) in the page cache: mincore on a
// mapping that is never touched.
inline size_t CachedPages(const std::string& path, size_t bytes = 0) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  struct stat st;
  ::fstat(fd, &st);
  const size_t size = bytes == 0 ? static_cast<size_t>(st.st_size) : bytes;
  if (size == 0) {
    ::close(fd);
    return 0;
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw std::runtime_error("cannot map " + path);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const int rc = ::mincore(map, size, resident.data());
  ::munmap(map, size);
  if (rc != 0) throw std::runtime_error("mincore failed on " + path);
  size_t n = 0;
  for (unsigned char r : resident) n += r & 1;
  return n;
}

// True where the page cache is the file system (tmpfs keeps every page).
inline bool OnTmpfs(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "melograph_test_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing stdout+stderr.
inline CommandResult Run(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

#ifdef MELOGRAPH_BINARY
// Runs the melograph binary with arguments.
inline CommandResult RunMelograph(const std::string& args) {
  return Run(std::string(MELOGRAPH_BINARY) + " " + args);
}
#endif

#ifdef MELOGRAPH_SHARED_DATA_DIR
// Path of a shared dataset directory; fails the calling test clearly if it is missing.
inline std::string SharedData(const std::string& name) {
  return std::string(MELOGRAPH_SHARED_DATA_DIR) + "/" + name;
}
#endif

// Triples of two communities of 3 users x 3 songs: user cK listens to songs cS with S != K (12
// listened edges over 12 nodes; each user's third song of its community is left out).
inline std::string TwoCommunityListenTriples() {
  std::string t;
  for (const char* c : {"a", "b"})
    for (int u = 0; u < 3; ++u)
      for (int s = 0; s < 3; ++s)
        if (s != u) t += std::string("user:") + c + std::to_string(u) + "\tlistened\tsong:" + c + std::to_string(s) + "\n";
  return t;
}

}  // namespace melograph::testing
