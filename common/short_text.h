// Short texts copied per line by the parsers: CopyText (no library call for 4 to 16 bytes),
// TextBuffer (a batch's ids appended and read back by offset) and RecentText (the last key or
// name a parser met, kept in place up to 48 bytes). On the hot paths of build-kg and
// build-graph, std::string::assign and append cost ~70 instructions per call through
// _M_replace / _M_append (docs/BENCHMARKS.md, twentieth session).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace melograph {

// Copies s to dst (room for s.size() bytes) without a library call for texts of 4 to 16
// bytes, the ids and names parsers copy per line: two overlapping loads and stores, all within
// both ranges.
[[gnu::always_inline]] inline void CopyText(char* dst, std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 0) {
    std::memcpy(dst, p, n);
  }
}

// Bytes appended a short text at a time (a batch's ids, read back by offset): appending is a
// CopyText, where std::string::append took a bounds check and a memcpy call per id.
class TextBuffer {
 public:
  const char* data() const { return bytes_.data(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Inlined into the per-line loops (GCC kept it a call, ~3% of build-kg's instructions);
  // growing is the rare call.
  [[gnu::always_inline]] void append(std::string_view s) {
    if (bytes_.size() - size_ < s.size()) [[unlikely]]
      Grow(s.size());
    CopyText(bytes_.data() + size_, s);
    size_ += s.size();
  }
  [[gnu::always_inline]] void push_back(char c) {
    if (bytes_.size() == size_) [[unlikely]]
      Grow(1);
    bytes_[size_++] = c;
  }
  std::string_view substr(size_t at, size_t n) const {
    return std::string_view(bytes_.data() + at, n);
  }
  std::string_view view() const { return std::string_view(bytes_.data(), size_); }

 private:
  [[gnu::noinline]] void Grow(size_t more) {
    bytes_.resize(std::max(bytes_.size() * 2, size_ + more + 256));
  }
  std::vector<char> bytes_;
  size_t size_ = 0;
};

// "type:id" keys of one type, as the writers of triples make them per line: the "type:" prefix
// is written once, and each key copies only its id after it. The view returned stays valid
// until the next With().
class TypedKey {
 public:
  explicit TypedKey(std::string_view type) : prefix_(type.size() + 1) {
    bytes_.assign(type.begin(), type.end());
    bytes_.push_back(':');
  }
  std::string_view With(std::string_view id) {
    if (bytes_.size() < prefix_ + id.size()) bytes_.resize(prefix_ + id.size() + 64);
    CopyText(bytes_.data() + prefix_, id);
    return std::string_view(bytes_.data(), prefix_ + id.size());
  }

 private:
  std::vector<char> bytes_;
  size_t prefix_;
};

// A copy of the last text a parser met (the previous line's key, relation, type), to compare
// the next line's with SameText. Up to kInline bytes it is kept in place: replacing it is one
// small copy, where std::string::assign took ~70 instructions through _M_replace (once per line
// of a triple file, whose relation changes from line to line: 4% of build-graph's instructions).
class RecentText {
 public:
  explicit RecentText(std::string_view initial = {}) { assign(initial); }
  std::string_view view() const {
    return size_ <= kInline ? std::string_view(inline_, size_) : std::string_view(heap_);
  }
  operator std::string_view() const { return view(); }  // NOLINT: a drop-in for the string
  void assign(std::string_view s) {
    size_ = s.size();
    if (size_ <= kInline)
      CopyText(inline_, s);
    else
      heap_.assign(s);
  }

 private:
  static constexpr size_t kInline = 48;
  char inline_[kInline] = {};  // zeroed: the implicit copy reads all of it
  size_t size_ = 0;
  std::string heap_;  // longer texts
};

}  // namespace melograph
