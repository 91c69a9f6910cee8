// Ranking metrics of one user at one cut-off K, binary relevance, following the LightGCN
// protocol (gusye1234/LightGCN-PyTorch code/utils.py; see docs/EVAL.md):
//   hits      = |top-K ∩ test|
//   Recall@K  = hits / |test|            (|test| counts test items unseen in training too)
//   Precision = hits / K                 (K, even if fewer than K items could be ranked)
//   HitRate   = 1 if hits > 0
//   NDCG@K    = DCG / IDCG, DCG = Σ_{r<K, ranked[r] ∈ test} 1/log2(r+2),
//               IDCG = Σ_{r<min(K,|test|)} 1/log2(r+2)
// Complexity: O(K log |test|) per call.
#pragma once

#include <cstdint>
#include <span>

namespace melograph {

struct RankMetrics {
  double recall = 0;
  double precision = 0;
  double hit_rate = 0;
  double ndcg = 0;
  int64_t hits = 0;
};

// `ranked`: item ids best first (only the first k are read). `relevant`: the user's test items
// that can be ranked, sorted ascending, distinct. `num_relevant`: |test|, at least
// relevant.size() (the excess are unseen items that no ranking can hit). num_relevant > 0.
RankMetrics ComputeRankMetrics(std::span<const int32_t> ranked, std::span<const int32_t> relevant,
                               int64_t num_relevant, int k);

// IDCG for n relevant items at cut-off k: Σ_{r<min(k,n)} 1/log2(r+2).
double IdealDcg(int64_t num_relevant, int k);

}  // namespace melograph
