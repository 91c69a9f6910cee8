#include "kg_builder/triple_io.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/text.h"

namespace melograph {

namespace {

// kNameChar[c]: 1 for [a-z0-9_], 2 in addition for [a-z] (valid first characters).
struct NameTable {
  unsigned char v[256] = {};
  constexpr NameTable() {
    for (int c = '0'; c <= '9'; ++c) v[c] = 1;
    for (int c = 'a'; c <= 'z'; ++c) v[c] = 3;
    v[static_cast<int>('_')] = 1;
  }
};
constexpr NameTable kNameChar;

// Clinger's fast path: `-?digits[.digits]` with at most 15 digits is mantissa / 10^k with both
// exact in a double, so one correctly rounded division gives exactly what from_chars gives.
// Anything else (exponents, '+', long inputs, junk) goes to ParseDouble. Returns false when s is
// not a number; a bool and an out-parameter, not a std::optional, for the reason ParseInt64
// gives (common/text.h).
[[gnu::always_inline]] inline bool ParseWeight(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                      1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const auto slow = [&] {
    const auto v = ParseDouble(s);
    if (!v) return false;
    *out = *v;
    return true;
  };
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) i = 1;
  uint64_t mantissa = 0;
  int digits = 0, fraction = -1;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
      ++digits;
      if (fraction >= 0) ++fraction;
    } else if (c == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return slow();
    }
  }
  if (digits == 0 || digits > 15 || fraction == 0 || (fraction < 0 && i != s.size())) return slow();
  double v = static_cast<double>(mantissa);
  if (fraction > 0) v /= kPow10[fraction];
  *out = negative ? -v : v;
  return true;
}

// The first n <= s.size() bytes of s: string_view::substr without its bounds check, which
// GCC with LTO kept as a call, ~2.6 per line in TripleReader::Parse (1.7% of build-graph's
// instructions).
[[gnu::always_inline]] inline std::string_view Front(std::string_view s, size_t n) {
  return std::string_view(s.data(), n);
}

}  // namespace

bool IsValidName(std::string_view s) {
  if (s.empty() || kNameChar.v[static_cast<unsigned char>(s[0])] != 3) return false;
  for (char c : s)
    if (!kNameChar.v[static_cast<unsigned char>(c)]) return false;
  return true;
}

bool SplitKey(std::string_view key, std::string_view& type, std::string_view& id,
              const char** reason) {
  size_t colon = 0;  // types are a few letters: a loop, not a library call
  while (colon < key.size() && key[colon] != ':') ++colon;
  if (colon == key.size()) {
    *reason = "key has no ':' (expected type:id)";
    return false;
  }
  type = key.substr(0, colon);
  id = key.substr(colon + 1);
  if (!IsValidName(type)) {
    *reason = "key type must match [a-z][a-z0-9_]*";
    return false;
  }
  if (id.empty()) {
    *reason = "key id is empty";
    return false;
  }
  return true;
}

void BadLineBudget::Record(const InputError& error) {
  ++count_;
  if (count_ > max_) {
    if (max_ == 0) throw error;
    throw InputError(error.file(), error.line(), error.column(),
                     error.reason() + " (more than --max-bad-lines " + std::to_string(max_) +
                         " bad lines)");
  }
  if (first_.size() < 5) first_.push_back(error.what());
}

std::string BadLineBudget::Summary() const {
  if (count_ == 0) return {};
  std::string s = "skipped " + std::to_string(count_) + " bad line(s) (first: ";
  for (size_t i = 0; i < first_.size(); ++i) {
    if (i) s += "; ";
    s += first_[i];
  }
  return s + ")";
}

TripleReader::TripleReader(std::string path, BadLineBudget* budget)
    : reader_(std::move(path)), budget_(budget ? budget : &local_budget_) {}

bool TripleReader::Next(TripleRecord& record) {
  std::string_view line;
  std::string_view* const f = fields_;  // members: a local array was zeroed on every call
  size_t* const starts = starts_;
  size_t n = 0;
  bool plain = true;
  std::string& reason = reason_;
  while (reader_.NextFields(line, kMaxFields, f, starts, n, plain)) {
    if (line.empty() || line[0] == '#') continue;
    int64_t column = 0;
    if ((plain || CheckLineText(line, column, reason)) &&
        Parse(line, f, starts, n, record, column, reason))
      return true;
    budget_->Record(InputError(reader_.path(), reader_.line_number(), column, reason));
  }
  return false;
}

bool TripleReader::Parse(std::string_view line, const std::string_view* f, const size_t* starts,
                         size_t n, TripleRecord& r, int64_t& column, std::string& reason) {
  if (n < 3 || n > 5) {
    column = 1;
    reason = "expected 3 to 5 tab-separated fields (head, relation, tail[, weight[, timestamp]]), found " +
             std::to_string(n);
    if (n == 1 && line.find(' ') != std::string_view::npos) reason += " (fields must be separated by tabs)";
    return false;
  }
  const char* why = nullptr;
  std::string_view id;
  // Files list one head's triples together, and a few relations and tail types over and over:
  // text equal to the previous record's head / relation / tail type is valid without a second
  // check. The caches change only once the whole line is valid, so they always hold the
  // previous record's fields, and the same comparisons tell the caller what repeats. A key
  // whose type is the previous record's (that type, a ':' and a non-empty id) needs neither
  // the search for its ':' nor the check of its type (types hold no ':', so this is its first).
  const auto has_type = [](std::string_view key, std::string_view type) {
    return !type.empty() && key.size() > type.size() + 1 && key[type.size()] == ':' &&
           SameText(Front(key, type.size()), type);
  };
  const bool same_head = SameText(f[0], last_head_);
  bool same_head_type = same_head;
  if (same_head) {
    r.head_type = Front(f[0], last_head_type_size_);
  } else if (const std::string_view last_type = Front(last_head_.view(), last_head_type_size_);
             has_type(f[0], last_type)) {
    r.head_type = Front(f[0], last_type.size());
    same_head_type = true;
  } else {
    if (!SplitKey(f[0], r.head_type, id, &why)) {
      column = static_cast<int64_t>(starts[0]) + 1;
      reason = std::string("bad head key '") + std::string(f[0]) + "': " + why;
      return false;
    }
    same_head_type = false;  // (has_type would have matched)
  }
  const bool same_relation = SameText(f[1], last_relation_);
  if (!same_relation && !IsValidName(f[1])) {
    column = static_cast<int64_t>(starts[1]) + 1;
    reason = "bad relation '" + std::string(f[1]) + "': must match [a-z][a-z0-9_]*";
    return false;
  }
  const std::string_view tail = f[2];
  const bool same_tail_type = has_type(tail, last_tail_type_);
  if (same_tail_type) {
    r.tail_type = Front(tail, last_tail_type_.view().size());
  } else if (!SplitKey(tail, r.tail_type, id, &why)) {
    column = static_cast<int64_t>(starts[2]) + 1;
    reason = std::string("bad tail key '") + std::string(tail) + "': " + why;
    return false;
  }
  r.head = f[0];
  r.relation = f[1];
  r.tail = f[2];
  r.weight = 1.0f;
  r.has_timestamp = false;
  r.timestamp = 0;
  if (n >= 4 && weights_.Find(f[3], &r.weight)) {
    // a weight text met before
  } else if (n >= 4) {
    double w;
    if (!ParseWeight(f[3], &w)) {
      column = static_cast<int64_t>(starts[3]) + 1;
      reason = "weight '" + std::string(f[3]) + "' is not a number";
      return false;
    }
    if (!std::isfinite(w) || std::fabs(w) > 3.0e38) {
      column = static_cast<int64_t>(starts[3]) + 1;
      reason = "weight '" + std::string(f[3]) + "' is not finite";
      return false;
    }
    r.weight = static_cast<float>(w);
    weights_.Insert(f[3], r.weight);
  }
  if (n == 5) {
    int64_t t;
    if (!ParseInt64(f[4], &t)) {
      column = static_cast<int64_t>(starts[4]) + 1;
      reason = "timestamp '" + std::string(f[4]) + "' is not an integer (Unix seconds)";
      return false;
    }
    r.has_timestamp = true;
    r.timestamp = t;
  }
  if (!same_head) {
    last_head_.assign(f[0]);
    last_head_type_size_ = r.head_type.size();
  }
  if (!same_relation) last_relation_.assign(f[1]);
  if (!same_tail_type) last_tail_type_.assign(r.tail_type);
  r.same_head = same_head;
  r.same_kind = same_head_type && same_relation && same_tail_type;
  return true;
}

TripleWriter::TripleWriter(std::string path)
    : file_(std::move(path)), weights_(size_t{1} << kWeightCacheBits) {}

TripleWriter::TripleWriter(AtomicDirectory& dir, std::string_view name)
    : file_(dir, name), weights_(size_t{1} << kWeightCacheBits) {}

namespace {

// Appends bytes at p, returns the end. Keys and relations are mostly under 17 bytes: those are
// copied with two overlapping loads and stores of 8 (or 4) bytes, not a library call (a
// variable-length memcpy per field was ~4% of build-kg). Reads stay within s.
[[gnu::always_inline]] inline char* Put(char* p, std::string_view s) {
  CopyText(p, s);
  return p + s.size();
}

// The 8 decimal digits of x < 10^8 as ASCII, the first in the lowest byte: the two 4-digit
// halves in 32-bit lanes, split into 2-digit and then 1-digit lanes by multiply-shift division
// (exact below 10^4 and 10^2), all at once.
inline uint64_t EightDigitText(uint32_t x) {
  uint64_t v = (x / 10000) | uint64_t{x % 10000} << 32;
  const uint64_t hundreds = ((v * 10486) >> 20) & 0x0000007F0000007FULL;
  v = (v - hundreds * 100) << 16 | hundreds;
  const uint64_t tens = ((v * 103) >> 10) & 0x000F000F000F000FULL;
  v = (v - tens * 10) << 8 | tens;
  return v | 0x3030303030303030ULL;
}

// Appends t in decimal. Unix seconds from 2001 to 2286 have 10 digits: two, then eight from
// EightDigitText, where std::to_chars divides by 100 five times (~2% of build-kg's
// instructions, on every listened and rejected triple).
[[gnu::always_inline]] inline char* PutTimestamp(char* p, int64_t t) {
  if (t < 1000000000 || t >= 10000000000) return std::to_chars(p, p + 24, t).ptr;
  const auto high = static_cast<uint32_t>(t / 100000000);  // 10..99
  p[0] = static_cast<char>('0' + high / 10);
  p[1] = static_cast<char>('0' + high % 10);
  const uint64_t low = EightDigitText(static_cast<uint32_t>(t % 100000000));
  std::memcpy(p + 2, &low, 8);
  return p + 10;
}

}  // namespace

char* TripleWriter::PutWeight(char* p, float w) {
  uint32_t bits;
  std::memcpy(&bits, &w, sizeof bits);
  FormattedWeight& c = weights_[(bits * 0x9e3779b1u) >> (32 - kWeightCacheBits)];
  if (c.size == 0 || c.bits != bits) {
    c.bits = bits;
    c.size = static_cast<uint32_t>(std::to_chars(c.text, c.text + sizeof c.text, w).ptr - c.text);
  }
  std::memcpy(p, c.text, sizeof c.text);  // whole slot: the caller has room, the excess is overwritten
  return p + c.size;
}

// Lines are formatted straight into the file's buffer: room for the three fields, the tabs,
// the newline, the shortest float text (at most 16 bytes) and an int64 (at most 20).
void TripleWriter::Write(std::string_view head, std::string_view relation, std::string_view tail,
                         double weight) {
  char* const begin = file_.Space(head.size() + relation.size() + tail.size() + 64);
  char* p = Put(begin, head);
  *p++ = '\t';
  p = Put(p, relation);
  *p++ = '\t';
  p = Put(p, tail);
  if (weight != 1.0) {
    *p++ = '\t';
    p = PutWeight(p, static_cast<float>(weight));
  }
  *p++ = '\n';
  file_.Advance(static_cast<size_t>(p - begin));
  ++count_;
}

void TripleWriter::Write(std::string_view head, std::string_view relation, std::string_view tail,
                         double weight, int64_t timestamp) {
  char* const begin = file_.Space(head.size() + relation.size() + tail.size() + 64);
  char* p = Put(begin, head);
  *p++ = '\t';
  p = Put(p, relation);
  *p++ = '\t';
  p = Put(p, tail);
  *p++ = '\t';
  p = PutWeight(p, static_cast<float>(weight));
  *p++ = '\t';
  p = PutTimestamp(p, timestamp);
  *p++ = '\n';
  file_.Advance(static_cast<size_t>(p - begin));
  ++count_;
}

void TripleWriter::Comment(std::string_view text) {
  line_.assign("# ").append(text).append(1, '\n');
  file_.Write(line_);
}

}  // namespace melograph
