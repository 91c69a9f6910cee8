// Ranking metrics: see metrics.h.
#include "recall/metrics.h"

#include <algorithm>
#include <cmath>

namespace melograph {

double IdealDcg(int64_t num_relevant, int k) {
  double idcg = 0;
  const int64_t n = std::min<int64_t>(num_relevant, k);
  for (int64_t r = 0; r < n; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  return idcg;
}

RankMetrics ComputeRankMetrics(std::span<const int32_t> ranked, std::span<const int32_t> relevant,
                               int64_t num_relevant, int k) {
  RankMetrics m;
  if (num_relevant <= 0 || k <= 0) return m;
  const size_t depth = std::min(ranked.size(), static_cast<size_t>(k));
  double dcg = 0;
  for (size_t r = 0; r < depth; ++r) {
    if (!std::binary_search(relevant.begin(), relevant.end(), ranked[r])) continue;
    ++m.hits;
    dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  }
  m.recall = static_cast<double>(m.hits) / static_cast<double>(num_relevant);
  m.precision = static_cast<double>(m.hits) / static_cast<double>(k);
  m.hit_rate = m.hits > 0 ? 1.0 : 0.0;
  m.ndcg = dcg / IdealDcg(num_relevant, k);
  return m;
}

}  // namespace melograph
