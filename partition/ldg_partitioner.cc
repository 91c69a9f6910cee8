// Linear Deterministic Greedy streaming partitioner with restreaming (see ldg_partitioner.h).
#include "partition/ldg_partitioner.h"

#include <algorithm>
#include <vector>

#include "common/hash.h"

namespace melograph {
namespace {

// Heavy nodes first by decreasing relative weight, then the light nodes in a random order.
std::vector<NodeId> StreamOrder(const VertexWeights& weights, NodeId n, const std::vector<double>& capacity,
                                double heavy_fraction, Rng& rng) {
  auto relative = [&](NodeId v) {
    double r = 0.0;
    for (int32_t c = 0; c < weights.ncon; ++c) r = std::max(r, static_cast<double>(weights.at(v, c)) / capacity[c]);
    return r;
  };
  std::vector<NodeId> order(static_cast<size_t>(n));
  for (NodeId i = 0; i < n; ++i) order[i] = i;
  for (NodeId i = n - 1; i > 0; --i) std::swap(order[i], order[rng.Uniform(static_cast<uint64_t>(i) + 1)]);
  const auto light = std::stable_partition(order.begin(), order.end(),
                                           [&](NodeId v) { return relative(v) > heavy_fraction; });
  std::sort(order.begin(), light, [&](NodeId a, NodeId b) {
    const double ra = relative(a), rb = relative(b);
    return ra != rb ? ra > rb : a < b;
  });
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

  std::vector<double> capacity(static_cast<size_t>(ncon));
  for (int32_t c = 0; c < ncon; ++c)
    capacity[c] = std::max(1.0, options.imbalance * static_cast<double>(weights.total[c]) / k);
  // Heavy: some weight above 1/8 of the slack, as a fraction of capacity.
  const double heavy_fraction = (options.imbalance - 1.0) / options.imbalance / 8.0;
  Rng rng(HashCombine(options.seed, 0x1d9ULL));
  const std::vector<NodeId> order = StreamOrder(weights, n, capacity, heavy_fraction, rng);

  std::vector<double> load(static_cast<size_t>(k) * ncon, 0.0);
  std::vector<int64_t> neighbours_in(static_cast<size_t>(k), 0);
  std::vector<int32_t> touched;

  const int32_t passes = std::max(1, options.ldg_passes);
  for (int32_t pass = 0; pass < passes; ++pass) {
    const bool restream = pass > 0;
    for (const NodeId v : order) {
      const int32_t old = part[v];
      if (old >= 0)
        for (int32_t c = 0; c < ncon; ++c) load[static_cast<size_t>(old) * ncon + c] -= weights.at(v, c);
      for (const NodeId u : graph.out_neighbors(v)) {
        const int32_t p = part[u];
        if (u == v || p < 0) continue;
        if (neighbours_in[p]++ == 0) touched.push_back(p);
      }
      // Least increase of overflow first (0 for every part that fits v), then best score,
      // then (restreaming) the old part, then least filled, then lowest index.
      int32_t best = -1;
      double best_overflow = 0.0, best_score = -1.0, best_fill = 0.0;
      for (int32_t i = 0; i < k; ++i) {
        double fill = 0.0;      // max over constraints of load / capacity, before adding v
        double overflow = 0.0;  // increase of sum_c max(0, load_c - capacity_c) / capacity_c
        for (int32_t c = 0; c < ncon; ++c) {
          const double l = load[static_cast<size_t>(i) * ncon + c];
          const double w = static_cast<double>(weights.at(v, c));
          fill = std::max(fill, l / capacity[c]);
          overflow += (std::max(0.0, l + w - capacity[c]) - std::max(0.0, l - capacity[c])) / capacity[c];
        }
        const double score = restream ? static_cast<double>(neighbours_in[i])
                                      : static_cast<double>(neighbours_in[i]) * std::max(0.0, 1.0 - fill);
        bool better;
        if (best < 0) better = true;
        else if (overflow != best_overflow) better = overflow < best_overflow;
        else if (score != best_score) better = score > best_score;
        else if (restream && (i == old || best == old)) better = i == old;
        else better = fill < best_fill;
        if (better) {
          best = i;
          best_overflow = overflow;
          best_score = score;
          best_fill = fill;
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
