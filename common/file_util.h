// Crash-safe output and zero-copy input.
//
// Contract:
//  * AtomicFile writes to "<path>.tmp.<pid>" and renames onto <path> in Commit(), after an
//    fsync, so a crash or an exception leaves the previous good file (the temporary is removed
//    by the destructor if Commit() was not reached). ".gz" paths are gzip-compressed.
//  * AtomicDirectory builds a directory under "<dir>.tmp.<pid>" and swaps it into place in
//    Commit(); an existing <dir> is replaced only then. A file opened as AtomicFile(dir, name)
//    is written under its own name inside that temporary tree (nothing can see it before the
//    directory's Commit) and its Commit only starts the disk writes; the directory's Commit
//    fsyncs all such files, then their directories, renames, and fsyncs the parent. One wait
//    for the disk per directory instead of one per file; the crash guarantee is the same.
//  * A file's disk writes start every kWriteBehindBytes as it is written (sync_file_range), so
//    the final fsync waits for the tail only.
//  * Replacing an existing output (an AtomicFile's path, an AtomicDirectory's tree) first drops
//    that output's cached pages (the files stay on disk, the last good output, until the
//    Commit), so the new output's page cache reuses them instead of memory never touched.
//  * MappedFile maps a whole file read-only (empty files map to an empty span).
//  * Crc32 (common/crc32.h: zlib's CRC-32, folded with PCLMULQDQ where the CPU has it) is the
//    checksum recorded in every manifest; Crc32File checksums a whole file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/anonymous_array.h"
#include "common/crc32.h"

namespace melograph {

class AtomicDirectory;

class AtomicFile {
 public:
  explicit AtomicFile(std::string path, size_t buffer_bytes = 1 << 20);
  // The file `name` inside dir's temporary tree; dir.Commit() makes it durable.
  AtomicFile(AtomicDirectory& dir, std::string_view name, size_t buffer_bytes = 1 << 20);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void Write(std::string_view bytes);
  void Write(const void* data, size_t bytes) {
    Write(std::string_view(static_cast<const char*>(data), bytes));
  }
  void Put(char c) {
    if (used_ == capacity_) Reserve(1);
    buffer_[used_++] = c;
  }
  // Room for up to n bytes at the end of the buffer (flushed first if needed), for formatting
  // in place: write into it, then Advance by the bytes written (at most n).
  char* Space(size_t n) {
    if (n > capacity_ - used_) Reserve(n);
    return buffer_.data() + used_;
  }
  void Advance(size_t n) { used_ += n; }
  // Flushes, fsyncs and renames onto the final path (inside an AtomicDirectory: flushes, starts
  // the disk writes and leaves the fsync to the directory). Throws IoError on failure.
  void Commit();
  const std::string& path() const { return path_; }
  // Bytes written so far (before compression).
  int64_t bytes_written() const { return bytes_written_; }
  // CRC-32 of the bytes written so far (before compression).
  uint32_t crc32() const { return crc_; }

 private:
  void Flush();
  // Flushes, then makes room for n bytes. The buffer is allocated on first use (a file
  // written in one large piece, an array, does not pay for a megabyte of fresh pages), in its
  // own mapping: at most 64 KiB at first (a manifest touches a page), then, once the file
  // outgrows that, buffer_bytes on a huge page from 1 MiB (one page fault instead of 256,
  // common/huge_pages.h).
  void Reserve(size_t n);
  void Emit(const char* data, size_t size);  // to the sink, counted and checksummed
  struct Sink;
  void Open();
  std::string path_;
  std::string tmp_path_;
  AtomicDirectory* directory_ = nullptr;  // the directory that syncs this file, if any
  std::unique_ptr<Sink> sink_;
  size_t buffer_bytes_;
  AnonymousArray<char> buffer_;
  size_t capacity_ = 0;
  size_t used_ = 0;
  int64_t bytes_written_ = 0;
  int64_t write_behind_ = 0;  // bytes whose disk writes have been started
  uint32_t crc_ = 0;
  bool committed_ = false;
};

class AtomicDirectory {
 public:
  explicit AtomicDirectory(std::string dir);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  // Path of a file inside the temporary directory.
  std::string File(std::string_view name) const;
  const std::string& temp_path() const { return tmp_; }
  const std::string& final_path() const { return dir_; }
  // Fsyncs the files committed into it (AtomicFile(dir, name)) and their directories, then
  // swaps the directory into place and fsyncs its parent. Throws IoError naming the file.
  void Commit();

 private:
  friend class AtomicFile;
  void SyncLater(const std::string& path);
  std::string dir_;
  std::string tmp_;
  std::mutex unsynced_mutex_;          // files may be committed from several threads
  std::vector<std::string> unsynced_;  // committed files whose fsync is left to Commit()
  bool committed_ = false;
};

// Bytes after which an AtomicFile starts the disk writes of what it has written so far.
inline constexpr int64_t kWriteBehindBytes = int64_t{8} << 20;

class MappedFile {
 public:
  MappedFile() = default;
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const void* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

uint32_t Crc32File(const std::string& path);

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// True for a regular file (after symlinks); false for a pipe, a device, a directory or nothing.
bool IsRegularFile(const std::string& path);
void MakeDirectories(const std::string& path);
void RemoveAll(const std::string& path);
int64_t FileSize(const std::string& path);
// Reads a whole (small) file into a string. Throws IoError.
std::string ReadWholeFile(const std::string& path);
// Writes a whole string atomically.
void WriteWholeFile(const std::string& path, std::string_view contents);
// Writes a whole string as the file `name` inside dir (synced by dir.Commit()).
void WriteWholeFile(AtomicDirectory& dir, std::string_view name, std::string_view contents);
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace melograph
