// TripleSink: where build-kg's readers and relation builders send triples, with a count per
// relation. FileTripleSink writes them through TripleWriter (triple format, docs/FORMATS.md);
// MemoryTripleSink keeps them (tests, small tools).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text.h"
#include "kg_builder/triple_io.h"

namespace melograph {

inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();

class TripleSink {
 public:
  virtual ~TripleSink() = default;
  void Add(std::string_view head, std::string_view relation, std::string_view tail,
           double weight = 1.0, int64_t timestamp = kNoTimestamp) {
    Count(relation);
    Write(head, relation, tail, weight, timestamp);
  }
  // (relation, triples) in order of first appearance.
  const std::vector<std::pair<std::string, int64_t>>& counts() const { return counts_; }
  int64_t count(std::string_view relation) const {
    for (const auto& [name, n] : counts_)
      if (name == relation) return n;
    return 0;
  }
  int64_t total() const {
    int64_t t = 0;
    for (const auto& c : counts_) t += c.second;
    return t;
  }

 protected:
  virtual void Write(std::string_view head, std::string_view relation, std::string_view tail,
                     double weight, int64_t timestamp) = 0;

 private:
  void Count(std::string_view relation) {
    // A handful of relations: a linear scan beats hashing. The last hit is checked first, then
    // the relation that followed it last time (a song's or a user's catalog triples come in a
    // fixed order, listened and rejected alternate), so the scan is rare.
    if (last_ < counts_.size()) {
      if (SameText(counts_[last_].first, relation)) {
        ++counts_[last_].second;
        return;
      }
      const size_t next = next_[last_];
      if (next < counts_.size() && SameText(counts_[next].first, relation)) {
        ++counts_[next].second;
        last_ = next;
        return;
      }
    }
    size_t i = 0;
    while (i < counts_.size() && !SameText(counts_[i].first, relation)) ++i;
    if (i == counts_.size()) {
      counts_.emplace_back(std::string(relation), 0);
      next_.push_back(SIZE_MAX);
    }
    ++counts_[i].second;
    if (last_ < counts_.size()) next_[last_] = i;
    last_ = i;
  }
  std::vector<std::pair<std::string, int64_t>> counts_;
  std::vector<size_t> next_;  // next_[i]: the relation met after relation i last time
  size_t last_ = SIZE_MAX;
};

class FileTripleSink : public TripleSink {
 public:
  explicit FileTripleSink(TripleWriter* writer) : writer_(writer) {}

 protected:
  void Write(std::string_view head, std::string_view relation, std::string_view tail,
             double weight, int64_t timestamp) override {
    if (timestamp == kNoTimestamp)
      writer_->Write(head, relation, tail, weight);
    else
      writer_->Write(head, relation, tail, weight, timestamp);
  }

 private:
  TripleWriter* writer_;
};

struct StoredTriple {
  std::string head, relation, tail;
  double weight = 1.0;
  int64_t timestamp = kNoTimestamp;
  bool operator==(const StoredTriple&) const = default;
};

class MemoryTripleSink : public TripleSink {
 public:
  std::vector<StoredTriple> triples;

 protected:
  void Write(std::string_view head, std::string_view relation, std::string_view tail,
             double weight, int64_t timestamp) override {
    triples.push_back({std::string(head), std::string(relation), std::string(tail), weight, timestamp});
  }
};

}  // namespace melograph
