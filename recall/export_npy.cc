// NumPy .npy header writer and parser (contract in recall/export_npy.h).
#include "recall/export_npy.h"

#include <cstring>
#include <optional>

#include "common/error.h"
#include "common/text.h"

namespace melograph {

std::string NpyHeader(int64_t rows, int dim) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  AppendInt(dict, rows);
  dict += ", ";
  AppendInt(dict, dim);
  dict += "), }";
  const size_t prefix = 10;  // magic (6) + version (2) + length (2)
  size_t total = prefix + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  const uint16_t length = static_cast<uint16_t>(dict.size());
  header += static_cast<char>(length & 0xff);
  header += static_cast<char>(length >> 8);
  return header + dict;
}

namespace {

// Value text after "'key':" in the dict, up to the next ',' at nesting level 0.
std::string_view DictValue(std::string_view dict, std::string_view key, const std::string& path) {
  const std::string quoted = "'" + std::string(key) + "':";
  const size_t at = dict.find(quoted);
  if (at == std::string_view::npos)
    throw FormatError(path + ": .npy header has no '" + std::string(key) + "'");
  size_t i = at + quoted.size();
  while (i < dict.size() && dict[i] == ' ') ++i;
  size_t end = i;
  int depth = 0;
  while (end < dict.size() && !(depth == 0 && (dict[end] == ',' || dict[end] == '}'))) {
    if (dict[end] == '(') ++depth;
    if (dict[end] == ')') --depth;
    ++end;
  }
  return Trim(dict.substr(i, end - i));
}

}  // namespace

NpyInfo ParseNpyHeader(std::string_view bytes, const std::string& path, int64_t file_size) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view("\x93NUMPY", 6)) {
    throw FormatError(path + ": not a .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t length = 0;
  size_t prefix = 10;
  if (major == 1) {
    length = static_cast<unsigned char>(bytes[8]) |
             (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw FormatError(path + ": truncated .npy header");
    uint32_t l = 0;
    std::memcpy(&l, bytes.data() + 8, 4);
    length = l;
    prefix = 12;
  } else {
    throw FormatError(path + ": unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() < prefix + length) throw FormatError(path + ": truncated .npy header");
  const std::string_view dict = bytes.substr(prefix, length);
  if (DictValue(dict, "descr", path) != "'<f4'") {
    throw FormatError(path + ": .npy dtype is " + std::string(DictValue(dict, "descr", path)) +
                      ", expected '<f4'");
  }
  if (DictValue(dict, "fortran_order", path) != "False")
    throw FormatError(path + ": .npy is Fortran-ordered");
  std::string_view shape = DictValue(dict, "shape", path);
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    throw FormatError(path + ": .npy shape " + std::string(shape) + " is not a tuple");
  }
  shape = shape.substr(1, shape.size() - 2);
  const size_t comma = shape.find(',');
  const auto rows =
      comma == std::string_view::npos ? std::nullopt : ParseInt64(Trim(shape.substr(0, comma)));
  const auto dim =
      comma == std::string_view::npos ? std::nullopt : ParseInt64(Trim(shape.substr(comma + 1)));
  if (!rows || !dim || *rows < 0 || *dim <= 0 || *dim > (1 << 20)) {
    throw FormatError(path + ": .npy shape (" + std::string(shape) +
                      ") is not a 2-D (rows, dim) shape");
  }
  NpyInfo info;
  info.rows = *rows;
  info.dim = static_cast<int>(*dim);
  info.data_offset = static_cast<int64_t>(prefix + length);
  if (file_size >= 0) {
    const int64_t expected = info.data_offset + info.rows * info.dim * 4;
    if (file_size != expected) {
      throw FormatError(path + ": size " + std::to_string(file_size) + " bytes, shape (" +
                        std::to_string(info.rows) + ", " + std::to_string(info.dim) + ") needs " +
                        std::to_string(expected) + ": truncated");
    }
  }
  return info;
}

}  // namespace melograph
