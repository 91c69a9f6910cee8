// Expected sampler traffic per relation edge (see sampling_traffic.h).
#include "partition/sampling_traffic.h"

#include <algorithm>

namespace melograph {

SamplingTraffic::SamplingTraffic(const Graph& graph, const std::vector<NodeId>& roots,
                                 const std::vector<int32_t>& fanouts) {
  const size_t n = static_cast<size_t>(graph.num_nodes());
  const size_t hops = fanouts.size();
  auto pick_probability = [&](NodeId u, size_t h) {
    const EdgeIdx d = graph.degree(u);
    return d <= fanouts[h] ? 1.0 : static_cast<double>(fanouts[h]) / static_cast<double>(d);
  };
  // Forward: reach mass r_h, traversal rate A_h = r_h * q_h.
  std::vector<double> reach(n, 0.0);
  for (const NodeId r : roots) reach[r] += 1.0 / static_cast<double>(roots.size());
  traversed_.assign(hops, std::vector<double>());
  for (size_t h = 0; h < hops; ++h) {
    std::vector<double> next(n, 0.0);
    std::vector<double>& a = traversed_[h];
    a.assign(n, 0.0);
    for (NodeId u = 0; u < static_cast<NodeId>(n); ++u) {
      if (reach[u] == 0.0) continue;
      a[u] = reach[u] * pick_probability(u, h);
      for (const NodeId w : graph.out_neighbors(u)) next[w] += a[u];
      picks_per_root_ += a[u] * static_cast<double>(graph.degree(u));
    }
    reach.swap(next);
  }
  // Backward: picks below a node reached at depth h.
  below_.assign(hops + 1, std::vector<double>());
  below_[hops].assign(n, 0.0);
  for (size_t h = hops; h-- > 0;) {
    below_[h].assign(n, 0.0);
    for (NodeId w = 0; w < static_cast<NodeId>(n); ++w) {
      double s = 0.0;
      for (const NodeId x : graph.out_neighbors(w)) s += 1.0 + below_[h + 1][x];
      below_[h][w] = pick_probability(w, h) * s;
    }
  }
  below_[0].clear();  // never read: a root is not reached through an edge
  below_[0].shrink_to_fit();
}

}  // namespace melograph
