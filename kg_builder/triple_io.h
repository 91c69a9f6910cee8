// The triple file format: melograph's native input (see docs/FORMATS.md).
//
//   head<TAB>relation<TAB>tail[<TAB>weight[<TAB>timestamp]]
//
// head/tail are typed keys `type:id` (type `[a-z][a-z0-9_]*`, id non-empty, split at the first
// ':'); relation is `[a-z][a-z0-9_]*`; weight a finite float (default 1, negative = negative
// signal); timestamp integer Unix seconds. '#' lines and blank lines are skipped, CRLF is
// accepted, ".gz" files are read through zlib.
//
// Contract: TripleReader yields well-formed records only. A malformed line raises InputError
// (file, line, column, reason) unless the BadLineBudget still allows skipping it, in which
// case it is counted and its position remembered. Nothing is dropped silently.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/file_util.h"
#include "common/line_reader.h"
#include "common/short_text.h"

namespace melograph {

// `[a-z][a-z0-9_]*`
bool IsValidName(std::string_view s);

// Splits "type:id" at the first ':'; false (and reason) if the key is malformed.
bool SplitKey(std::string_view key, std::string_view& type, std::string_view& id,
              const char** reason);

// Counts skipped malformed lines across one or more readers (`--max-bad-lines N`).
class BadLineBudget {
 public:
  explicit BadLineBudget(int64_t max_bad_lines = 0) : max_(max_bad_lines) {}
  // Records a bad line; rethrows it once more than max_bad_lines lines were bad.
  void Record(const InputError& error);
  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  const std::vector<std::string>& first_errors() const { return first_; }
  // "skipped N bad lines (first: a.tsv:3:7: reason; ...)" or empty if none.
  std::string Summary() const;

 private:
  int64_t max_;
  int64_t count_ = 0;
  std::vector<std::string> first_;
};

struct TripleRecord {
  std::string_view head;       // full key "type:id"
  std::string_view head_type;
  std::string_view relation;
  std::string_view tail;
  std::string_view tail_type;
  float weight = 1.0f;
  bool has_timestamp = false;
  int64_t timestamp = 0;
  // Against the previous record this reader returned (both false for its first): the same head
  // key; the same head type, relation and tail type (GraphBuilder::AddEdgeLikeLast).
  bool same_head = false;
  bool same_kind = false;
};

class TripleReader {
 public:
  TripleReader(std::string path, BadLineBudget* budget);
  // Next well-formed triple; false at end of file. Views are valid until the next call.
  bool Next(TripleRecord& record);
  int64_t line_number() const { return reader_.line_number(); }
  int64_t bytes_read() const { return reader_.bytes_read(); }
  const std::string& path() const { return reader_.path(); }

 private:
  static constexpr size_t kMaxFields = 6;  // one more than a triple has: a sixth is an error
  // The line's fields (LineReader::NextFields, text already checked) to a record, or the
  // column and reason of what is wrong.
  bool Parse(std::string_view line, const std::string_view* f, const size_t* starts, size_t n,
             TripleRecord& record, int64_t& column, std::string& reason);

  LineReader reader_;
  BadLineBudget* budget_;
  BadLineBudget local_budget_;
  // Next's scratch: the line's fields and their columns, and an error's reason. As locals they
  // were value-initialised on every call (a `rep stos`: a third of Next's time in build-graph).
  std::string_view fields_[kMaxFields];
  size_t starts_[kMaxFields] = {};
  std::string reason_;
  // Valid weight texts seen recently and their values, by the text's bytes (up to 16): the
  // weights of a file take few distinct values (build-kg's sums of a small table), and parsing
  // one costs a digit loop and a division. Direct-mapped; a miss only means parsing.
  class WeightCache {
   public:
    bool Find(std::string_view text, float* value) const {
      if (text.empty() || text.size() > 16) return false;
      const Key k = KeyOf(text);
      const Entry& e = entries_[Slot(k)];
      if (e.key.lo != k.lo || e.key.hi != k.hi || e.key.size != k.size) return false;
      *value = e.value;
      return true;
    }
    void Insert(std::string_view text, float value) {
      if (text.empty() || text.size() > 16) return;
      const Key k = KeyOf(text);
      entries_[Slot(k)] = Entry{k, value};
    }

   private:
    struct Key {
      uint64_t lo = 0, hi = 0;
      uint32_t size = 0;  // 0: empty entry (texts looked up are never empty)
    };
    struct Entry {
      Key key;
      float value = 0;
    };
    static Key KeyOf(std::string_view t) {  // 1..16 bytes, read within the text
      Key k;
      k.size = static_cast<uint32_t>(t.size());
      const char* p = t.data();
      const size_t n = t.size();
      if (n >= 8) {
        std::memcpy(&k.lo, p, 8);
        std::memcpy(&k.hi, p + n - 8, 8);
      } else if (n >= 4) {
        uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        k.lo = a;
        k.hi = b;
      } else {
        for (size_t i = 0; i < n; ++i)
          k.lo |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
      }
      return k;
    }
    static size_t Slot(const Key& k) {
      return static_cast<size_t>(
          ((k.lo * 0x9e3779b97f4a7c15ULL) ^ (k.hi * 0xc2b2ae3d27d4eb4fULL) ^ k.size) >> 56);
    }
    Entry entries_[256];
  };
  WeightCache weights_;
  // The previous record's head key (and the length of its type), relation and tail type: Parse
  // skips checking them again. A tab never occurs in a field, so the initial values match
  // nothing.
  RecentText last_head_{"\t"};
  size_t last_head_type_size_ = 0;
  RecentText last_relation_{"\t"};
  RecentText last_tail_type_{"\t"};
};

// Writes triples in the same format (".gz" paths compressed), atomically on Commit().
class TripleWriter {
 public:
  explicit TripleWriter(std::string path);
  // The file `name` inside dir (synced by dir.Commit(), common/file_util.h).
  TripleWriter(AtomicDirectory& dir, std::string_view name);
  void Write(std::string_view head, std::string_view relation, std::string_view tail,
             double weight = 1.0);
  void Write(std::string_view head, std::string_view relation, std::string_view tail,
             double weight, int64_t timestamp);
  void Comment(std::string_view text);
  void Commit() { file_.Commit(); }
  int64_t triples_written() const { return count_; }
  // Bytes written and their CRC-32 (before compression: for a plain file, the file's own).
  int64_t bytes_written() const { return file_.bytes_written(); }
  uint32_t crc32() const { return file_.crc32(); }

 private:
  // Writes the shortest decimal text of w at p (it may write up to 16 bytes), returns its end.
  // Recent texts are kept by the float's bits: behaviour weights take few distinct values (sums
  // of a small weight table, compressed), and std::to_chars costs tens of ns each.
  char* PutWeight(char* p, float w);
  struct FormattedWeight {
    uint32_t bits = 0;
    uint32_t size = 0;  // 0: empty slot (a float's text is never empty)
    char text[16];
  };
  static constexpr int kWeightCacheBits = 10;
  AtomicFile file_;
  std::string line_;
  std::vector<FormattedWeight> weights_;
  int64_t count_ = 0;
};

}  // namespace melograph
