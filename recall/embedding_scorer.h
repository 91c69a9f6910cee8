// EmbeddingScorer: score(user, item) = <user vector, item vector>, over an embedding run's
// user and item matrices (recall/run_format.h), for a batch of users at a time.
//
// How: the item matrix is packed once into groups of 64 items, dimension-major (for each
// dimension k, the 64 items' k-th values side by side), and a register-tiled kernel computes
// 4 users x 64 items at a time with fused multiply-adds (AVX-512 or AVX2+FMA, picked at run time
// from the CPU; an Eigen matrix product on CPUs with neither). Each score is the sum over k in
// increasing order, so the two SIMD kernels give identical bits. The loop runs item groups
// outside and users inside, so a 16 KB item group (dim 64) stays in L1 across the batch.
//
// Contract: rows are type-local ids (row i of `users` is user i). Both matrices share `dim`
// (UsageError otherwise). Thread-safe: ScoreUsers only reads the matrices.
// Complexity: O(batch * items * dim) per call; O(items * dim) extra memory for the packing.
#pragma once

#include <string>
#include <vector>

#include "recall/run_format.h"
#include "recall/scorer.h"

namespace melograph {

class EmbeddingScorer : public Scorer {
 public:
  enum class Kernel { kEigen, kAvx2, kAvx512 };

  // `kernel` kAvx512/kAvx2 are used only when the CPU supports them (else the next lower one).
  EmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix items, std::string name = "embeddings",
                  Kernel kernel = Kernel::kAvx512);
  std::string name() const override { return name_; }
  int32_t num_items() const override { return static_cast<int32_t>(items_.rows); }
  int preferred_batch() const override { return 64; }
  void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const override;
  int dim() const { return users_.dim; }
  Kernel kernel() const { return kernel_; }

 private:
  void ScoreUsersEigen(std::span<const int32_t> users, std::span<float> scores) const;

  EmbeddingMatrix users_;
  EmbeddingMatrix items_;
  std::string name_;
  Kernel kernel_;
  std::vector<float> packed_;  // groups of 64 items, dimension-major, zero-padded
};

}  // namespace melograph
