// Linear Deterministic Greedy streaming partitioner (see ldg_partitioner.h).
#include "partition/ldg_partitioner.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/hash.h"

namespace melograph {
namespace {

// BFS order over all nodes, restarting at the next unvisited node (cyclically from `start`).
std::vector<NodeId> StreamOrder(const Graph& graph, NodeId start) {
  const NodeId n = graph.num_nodes();
  std::vector<NodeId> order;
  order.reserve(static_cast<size_t>(n));
  std::vector<bool> visited(static_cast<size_t>(n), false);
  size_t head = 0;
  for (NodeId i = 0; i < n; ++i) {
    const NodeId root = static_cast<NodeId>((static_cast<int64_t>(start) + i) % n);
    if (visited[root]) continue;
    visited[root] = true;
    order.push_back(root);
    while (head < order.size()) {
      const NodeId v = order[head++];
      for (const NodeId u : graph.out_neighbors(v)) {
        if (!visited[u]) {
          visited[u] = true;
          order.push_back(u);
        }
      }
    }
  }
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
  const std::vector<NodeId> order = StreamOrder(graph, static_cast<NodeId>(rng.Uniform(n)));

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
      int32_t best = -1;
      bool best_fits = false;
      double best_score = -1.0;
      double best_fill = std::numeric_limits<double>::infinity();
      for (int32_t i = 0; i < k; ++i) {
        double fill = 0.0;  // max over constraints of load / capacity, before adding v
        bool fits = true;
        for (int32_t c = 0; c < ncon; ++c) {
          const double l = load[static_cast<size_t>(i) * ncon + c];
          fill = std::max(fill, l / capacity[c]);
          if (l + static_cast<double>(weights.at(v, c)) > capacity[c]) fits = false;
        }
        const double score = static_cast<double>(neighbours_in[i]) * (1.0 - fill);
        bool better;
        if (fits != best_fits) better = fits;
        else if (score != best_score) better = score > best_score;
        else better = fill < best_fill;
        if (best < 0 || better) {
          best = i;
          best_fits = fits;
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
