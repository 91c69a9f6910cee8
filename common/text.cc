#include "common/text.h"

#include <cstdio>

namespace melograph {

size_t FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Fast path for ASCII runs, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range code points are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.emplace_back(Trim(s.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string FormatBytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
  return buf;
}

std::optional<int64_t> ParseByteSize(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  int64_t mult = 1;
  char last = s.back();
  if (last == 'B' || last == 'b') {
    s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    last = s.back();
  }
  switch (last) {
    case 'K': case 'k': mult = int64_t{1} << 10; break;
    case 'M': case 'm': mult = int64_t{1} << 20; break;
    case 'G': case 'g': mult = int64_t{1} << 30; break;
    case 'T': case 't': mult = int64_t{1} << 40; break;
    default: mult = 0;
  }
  if (mult != 0) s.remove_suffix(1); else mult = 1;
  auto v = ParseDouble(s);
  if (!v || *v < 0) return std::nullopt;
  return static_cast<int64_t>(*v * static_cast<double>(mult));
}

}  // namespace melograph

namespace melograph {

bool CheckLineText(std::string_view line, int64_t& column, std::string& reason) {
  if (const size_t bad = FindInvalidUtf8(line); bad != std::string_view::npos) {
    column = static_cast<int64_t>(bad) + 1;
    reason = "invalid UTF-8";
    return false;
  }
  if (const size_t cr = line.find('\r'); cr != std::string_view::npos) {
    column = static_cast<int64_t>(cr) + 1;
    reason = "carriage return inside the line (mixed line endings?)";
    return false;
  }
  return true;
}

}  // namespace melograph
