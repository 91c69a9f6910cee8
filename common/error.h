// Typed exceptions used inside every melograph library.
//
// Contract: library code throws one of these and never calls exit()/abort(). The single
// boundary in tools/main.cc catches them, prints `rank N: <what>` to stderr and ends the job
// with a non-zero code (MPI_Abort under mpirun).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace melograph {

// Base of every melograph error.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Bad command-line usage or configuration values.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A malformed record in an input file: names file, line (1-based), column (1-based) and reason.
class InputError : public Error {
 public:
  InputError(std::string file, int64_t line, int64_t column, std::string reason)
      : Error(Format(file, line, column, reason)),
        file_(std::move(file)),
        line_(line),
        column_(column),
        reason_(std::move(reason)) {}
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  int64_t column() const { return column_; }
  const std::string& reason() const { return reason_; }

  static std::string Format(const std::string& file, int64_t line, int64_t column,
                            const std::string& reason) {
    std::string s = file + ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
    return s + ": " + reason;
  }

 private:
  std::string file_;
  int64_t line_;
  int64_t column_;
  std::string reason_;
};

// The operating system refused a file operation (open, read, write, rename, mmap...).
class IoError : public Error {
 public:
  using Error::Error;
};

// A stored artefact (graph directory, manifest, shard, checkpoint) is corrupt, truncated or
// inconsistent with its manifest.
class FormatError : public Error {
 public:
  using Error::Error;
};

// A size exceeds what a library boundary can represent (e.g. METIS 32-bit idx_t).
class LimitError : public Error {
 public:
  using Error::Error;
};

}  // namespace melograph
