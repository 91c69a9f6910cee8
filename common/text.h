// Small text helpers for the parsers: field splitting, number parsing, UTF-8 validation,
// number formatting.
#pragma once

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace melograph {

namespace text_detail {
// The first and last sizeof(W) bytes of p and q (n >= sizeof(W)) are equal: together they
// cover all n <= 2 sizeof(W) bytes.
template <typename W>
[[gnu::always_inline]] inline bool SameEnds(const char* p, const char* q, size_t n) {
  W x0, y0, x1, y1;
  std::memcpy(&x0, p, sizeof(W));
  std::memcpy(&y0, q, sizeof(W));
  std::memcpy(&x1, p + n - sizeof(W), sizeof(W));
  std::memcpy(&y1, q + n - sizeof(W), sizeof(W));
  return ((x0 ^ y0) | (x1 ^ y1)) == 0;
}
}  // namespace text_detail

// a == b, without a library call for the short names and ids the parsers compare per line
// (relation and type names, the previous line's key): overlapping 8- or 4-byte loads.
[[gnu::always_inline]] inline bool SameText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8 && n <= 16) return text_detail::SameEnds<uint64_t>(p, q, n);
  if (n >= 4 && n < 8) return text_detail::SameEnds<uint32_t>(p, q, n);
  if (n < 4) {
    for (size_t i = 0; i < n; ++i)
      if (p[i] != q[i]) return false;
    return true;
  }
  return std::memcmp(p, q, n) == 0;
}

// Splits `line` on `sep` into `fields` (cleared first). Returns the field count.
inline size_t SplitFields(std::string_view line, char sep, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  for (;;) {
    const size_t pos = line.find(sep, start);
    if (pos == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields.size();
    }
    fields.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

// The whole of s as a T by std::from_chars (one leading '+' allowed), or nullopt.
template <typename T>
std::optional<T> FromCharsWhole(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  const char* b = s.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

namespace text_detail {
// The value of the 8 ASCII digits in w (the first in the lowest byte), or false if any byte is
// not a digit: SWAR, no branch per digit (Lemire's eight-digit conversion).
[[gnu::always_inline]] inline bool EightDigits(uint64_t w, uint64_t* value) {
  // A byte b is a digit iff its high nibble is 3 and that of b + 6 is too (a carry out of a
  // byte >= 0xFA spoils its neighbour, but such a byte fails the check itself).
  if (((w & 0xF0F0F0F0F0F0F0F0ULL) |
       (((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) != 0x3333333333333333ULL)
    return false;
  uint64_t x = w - 0x3030303030303030ULL;
  x = x * 10 + (x >> 8);  // pairs of digits in the even bytes
  x = (((x & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((x >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  *value = x;
  return true;
}
// The n (1..8) bytes at p as the last n of 8 digits, led by '0's: loads stay within [p, p + n).
[[gnu::always_inline]] inline uint64_t DigitsWord(const char* p, size_t n) {
  uint64_t w;
  if (n == 8) {
    std::memcpy(&w, p, 8);
    return w;
  }
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    w = lo | uint64_t{hi} << (8 * (n - 4));  // the overlap holds the same bytes
  } else {
    w = static_cast<unsigned char>(p[0]);
    if (n > 1) w |= uint64_t{static_cast<unsigned char>(p[1])} << 8;
    if (n > 2) w |= uint64_t{static_cast<unsigned char>(p[2])} << 16;
  }
  return w << (8 * (8 - n)) | (0x3030303030303030ULL >> (8 * n));
}
}  // namespace text_detail

// FromCharsWhole<int64_t> into *out (left untouched on failure). Plain digits, the logs'
// case, up to 16 of them, are converted 8 at a time without a branch per digit (a loop
// mispredicted its exit on fields of varying length); anything else (a sign, junk, 17 digits
// or more) takes the general path. The parsers' per-line fields use this form: returned as a
// std::optional<int64_t>, GCC spills the pair to the stack and reloads its flag byte, a
// store-forwarding stall on every field (~40% of the events parser's own samples).
[[gnu::always_inline]] inline bool ParseInt64(std::string_view s, int64_t* out) {
  const size_t n = s.size();
  if (n == 0) return false;
  uint64_t hi = 0, lo = 0;
  if constexpr (std::endian::native != std::endian::little) {
    // (the 8-digit words assume the first byte is the lowest)
  } else if (n <= 8) {
    if (text_detail::EightDigits(text_detail::DigitsWord(s.data(), n), &lo)) {
      *out = static_cast<int64_t>(lo);
      return true;
    }
  } else if (n <= 16) {
    if (text_detail::EightDigits(text_detail::DigitsWord(s.data(), n - 8), &hi) &&
        text_detail::EightDigits(text_detail::DigitsWord(s.data() + n - 8, 8), &lo)) {
      *out = static_cast<int64_t>(hi * 100000000 + lo);
      return true;
    }
  }
  const auto v = FromCharsWhole<int64_t>(s);
  if (!v) return false;
  *out = *v;
  return true;
}

// The same, as an optional, for the places that are not per-line hot.
inline std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v;
  if (!ParseInt64(s, &v)) return std::nullopt;
  return v;
}

// Parses a finite or non-finite float; callers decide whether non-finite is allowed.
inline std::optional<double> ParseDouble(std::string_view s) { return FromCharsWhole<double>(s); }

// Returns the byte offset of the first invalid UTF-8 sequence, or npos if valid.
size_t FindInvalidUtf8(std::string_view s);

// The checks every line-based reader makes before splitting fields: the line must be valid
// UTF-8 and hold no carriage return (a CR left after the line's CRLF would end up in a key that
// TripleWriter cannot write back). Returns true when the line is clean; otherwise sets the
// 1-based column and the reason. LineReader::NextFields says which lines need it.
bool CheckLineText(std::string_view line, int64_t& column, std::string& reason);

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Appends a decimal integer / a shortest round-trip float to `out`.
inline void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}
inline void AppendFloat(std::string& out, double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}
// Shortest text that reads back as the same float.
inline void AppendFloat(std::string& out, float v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}

// Converts Latin-1 bytes to UTF-8.
std::string Latin1ToUtf8(std::string_view s);

// "1,2,3" -> {"1","2","3"} (empty input gives an empty list).
std::vector<std::string> SplitList(std::string_view s, char sep);

// Human byte count such as "1.5 GiB"; parses "16G", "512M", "1024" (bytes) the other way.
std::string FormatBytes(double bytes);
std::optional<int64_t> ParseByteSize(std::string_view s);

}  // namespace melograph
