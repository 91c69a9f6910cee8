// Walker's alias method (Vose 1991 construction): O(n) build, O(1) draws from a discrete
// distribution given by non-negative weights.
//
// Contract: Build(weights) throws UsageError for a negative or non-finite weight. A table whose
// weights are all zero is empty (Draw must not be called; empty() tells). Draw(rng) returns i
// with probability weights[i] / sum: one Uniform(n) and one UniformDouble per draw. The table is
// a pure function of the weights (deterministic worklist order), so equal weights on every rank
// give bit-identical tables and draws.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/hash.h"

namespace melograph {

class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(std::span<const double> weights) { Build(weights); }
  void Build(std::span<const double> weights);

  bool empty() const { return total_ <= 0.0; }
  size_t size() const { return prob_.size(); }
  double total_weight() const { return total_; }
  int64_t Draw(Rng& rng) const {
    const uint64_t i = rng.Uniform(prob_.size());
    return rng.UniformDouble() < prob_[i] ? static_cast<int64_t>(i) : alias_[i];
  }

 private:
  std::vector<double> prob_;    // acceptance probability of column i
  std::vector<int32_t> alias_;  // the other outcome of column i
  double total_ = 0.0;
};

}  // namespace melograph
