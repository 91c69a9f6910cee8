// NumPy .npy files (format version 1.0) holding one 2-D float32 C-order matrix, written as a
// header followed by raw little-endian rows, so a writer can stream rows after the header.
//
// Contract: NpyHeader(rows, dim) is exactly what numpy.save writes for a float32 array of that
// shape: "\x93NUMPY", bytes 1 0, a little-endian uint16 header length, then
// "{'descr': '<f4', 'fortran_order': False, 'shape': (rows, dim), }" padded with spaces and
// ended by '\n' so the data starts at a multiple of 64 bytes. ParseNpyHeader accepts what
// NpyHeader writes (and versions 2.0/3.0 of the same dict) and throws FormatError naming the
// file otherwise. numpy.load(path) returns the matrix; numpy.load(path, mmap_mode='r') maps it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace melograph {

std::string NpyHeader(int64_t rows, int dim);

struct NpyInfo {
  int64_t rows = 0;
  int dim = 0;
  int64_t data_offset = 0;  // bytes before the first float
};

// Parses the header at the start of `bytes` (the whole file or at least its header) and checks
// that the file holds rows*dim floats when `file_size` >= 0.
NpyInfo ParseNpyHeader(std::string_view bytes, const std::string& path, int64_t file_size = -1);

}  // namespace melograph
