// EmbeddingScorer: score(user, item) = <user vector, item vector>, over an embedding run's
// user and item matrices (recall/run_format.h), one Eigen matrix product per user batch.
//
// Contract: rows are type-local ids (row i of `users` is user i). Both matrices share `dim`
// (UsageError otherwise). Thread-safe: ScoreUsers only reads the matrices.
// Complexity: O(batch * items * dim) per call (GEMM).
#pragma once

#include <string>

#include "recall/run_format.h"
#include "recall/scorer.h"

namespace melograph {

class EmbeddingScorer : public Scorer {
 public:
  EmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix items, std::string name = "embeddings");
  std::string name() const override { return name_; }
  int32_t num_items() const override { return static_cast<int32_t>(items_.rows); }
  int preferred_batch() const override { return 64; }
  void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const override;
  int dim() const { return users_.dim; }

 private:
  EmbeddingMatrix users_;
  EmbeddingMatrix items_;
  std::string name_;
};

}  // namespace melograph
