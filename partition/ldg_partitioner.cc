// Linear Deterministic Greedy streaming partitioner (see ldg_partitioner.h).
#include "partition/ldg_partitioner.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/hash.h"

namespace melograph {
namespace {

// A uniformly random stream order (Fisher-Yates from the seed): node types and constraint
// weights arrive mixed in proportion, so no constraint fills up early. (A BFS order places more
// neighbours first but fills the seeds constraint with users before artists arrive; measured
// worse at K=2 on Last.fm, docs/PARTITION.md.)
std::vector<NodeId> StreamOrder(NodeId n, Rng& rng) {
  std::vector<NodeId> order(static_cast<size_t>(n));
  for (NodeId i = 0; i < n; ++i) order[i] = i;
  for (NodeId i = n - 1; i > 0; --i) std::swap(order[i], order[rng.Uniform(static_cast<uint64_t>(i) + 1)]);
  return order;
}

}  // namespace

Assignment LdgPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options) {
  const NodeId n = graph.num_nodes();
  const int32_t k = options.num_parts;
  const int32_t ncon = weights.ncon;
  Assignment part(static_cast<size_t>(n), -1);
  if (n == 0) return part;
  if (k == 1) return Assignment(static_cast<size_t>(n), 0);

  Rng rng(HashCombine(options.seed, 0x1d9ULL));
  const std::vector<NodeId> order = StreamOrder(n, rng);

  std::vector<double> capacity(static_cast<size_t>(ncon));
  for (int32_t c = 0; c < ncon; ++c)
    capacity[c] = std::max(1.0, options.imbalance * static_cast<double>(weights.total[c]) / k);
  std::vector<double> load(static_cast<size_t>(k) * ncon, 0.0);
  std::vector<int64_t> neighbours_in(static_cast<size_t>(k), 0);
  std::vector<int32_t> touched;

  const int32_t passes = std::max(1, options.ldg_passes);
  for (int32_t pass = 0; pass < passes; ++pass) {
    for (const NodeId v : order) {
      const int32_t old = part[v];
      if (old >= 0)
        for (int32_t c = 0; c < ncon; ++c) load[static_cast<size_t>(old) * ncon + c] -= weights.at(v, c);
      for (const NodeId u : graph.out_neighbors(v)) {
        const int32_t p = part[u];
        if (u == v || p < 0) continue;
        if (neighbours_in[p]++ == 0) touched.push_back(p);
      }
      // Among parts where v fits: max score, then least filled, then lowest index. If v fits
      // nowhere: the part left least over capacity.
      int32_t best = -1;
      bool best_fits = false;
      double best_score = -1.0, best_fill = 0.0, best_after = 0.0;
      for (int32_t i = 0; i < k; ++i) {
        double fill = 0.0;   // max over constraints of load / capacity, before adding v
        double after = 0.0;  // the same after adding v
        for (int32_t c = 0; c < ncon; ++c) {
          const double l = load[static_cast<size_t>(i) * ncon + c];
          fill = std::max(fill, l / capacity[c]);
          after = std::max(after, (l + static_cast<double>(weights.at(v, c))) / capacity[c]);
        }
        const bool fits = after <= 1.0;
        const double score = static_cast<double>(neighbours_in[i]) * std::max(0.0, 1.0 - fill);
        bool better;
        if (best < 0) better = true;
        else if (fits != best_fits) better = fits;
        else if (!fits) better = after < best_after;
        else if (score != best_score) better = score > best_score;
        else better = fill < best_fill;
        if (better) {
          best = i;
          best_fits = fits;
          best_score = score;
          best_fill = fill;
          best_after = after;
        }
      }
      for (const int32_t p : touched) neighbours_in[p] = 0;
      touched.clear();
      part[v] = best;
      for (int32_t c = 0; c < ncon; ++c) load[static_cast<size_t>(best) * ncon + c] += weights.at(v, c);
    }
  }
  return part;
}

}  // namespace melograph
