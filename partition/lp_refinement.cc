// Balanced label-propagation refinement (see lp_refinement.h).
#include "partition/lp_refinement.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/hash.h"

namespace melograph {

std::vector<int64_t> MaxLoads(std::span<const int64_t> total, double imbalance, int32_t num_parts) {
  std::vector<int64_t> max_load(total.size());
  for (size_t c = 0; c < total.size(); ++c)
    max_load[c] = static_cast<int64_t>(std::floor(imbalance * static_cast<double>(total[c]) / num_parts));
  return max_load;
}

template <typename Adjacency>
int64_t LpRefine(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon, int32_t num_parts,
                 std::span<const int64_t> max_load, int32_t iterations, uint64_t seed, std::vector<int32_t>& part) {
  const NodeId n = adj.num_nodes();
  std::vector<int64_t> load(static_cast<size_t>(num_parts) * ncon, 0);
  for (NodeId v = 0; v < n; ++v)
    for (int32_t c = 0; c < ncon; ++c)
      load[static_cast<size_t>(part[v]) * ncon + c] += vwgt[static_cast<size_t>(v) * ncon + c];
  std::vector<NodeId> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(HashCombine(seed, 0x2e1ULL));
  for (NodeId i = n - 1; i > 0; --i) std::swap(order[i], order[rng.Uniform(static_cast<uint64_t>(i) + 1)]);
  std::vector<int64_t> conn(static_cast<size_t>(num_parts), 0);
  std::vector<int32_t> touched;
  const auto fits = [&](int32_t p, NodeId v) {
    for (int32_t c = 0; c < ncon; ++c)
      if (load[static_cast<size_t>(p) * ncon + c] + vwgt[static_cast<size_t>(v) * ncon + c] > max_load[c]) return false;
    return true;
  };
  int64_t gain_total = 0;
  for (int32_t round = 0; round < iterations; ++round) {
    int64_t moved = 0;
    for (const NodeId v : order) {
      const int32_t own = part[v];
      touched.clear();
      adj.ForEach(v, [&](NodeId u, int64_t w) {
        const int32_t p = part[u];
        if (conn[p] == 0) touched.push_back(p);
        conn[p] += w;
      });
      int32_t best = own;
      int64_t best_conn = conn[own];
      uint64_t best_tie = 0;
      for (const int32_t p : touched) {
        if (p == own || conn[p] < best_conn) continue;
        const uint64_t tie = HashCombine(seed, static_cast<uint64_t>(v), static_cast<uint64_t>(p));
        if (conn[p] == best_conn && (best == own || tie >= best_tie)) continue;
        if (!fits(p, v)) continue;
        best = p;
        best_conn = conn[p];
        best_tie = tie;
      }
      const int64_t gain = best_conn - conn[own];
      for (const int32_t p : touched) conn[p] = 0;
      if (best == own) continue;
      for (int32_t c = 0; c < ncon; ++c) {
        const int64_t w = vwgt[static_cast<size_t>(v) * ncon + c];
        load[static_cast<size_t>(own) * ncon + c] -= w;
        load[static_cast<size_t>(best) * ncon + c] += w;
      }
      part[v] = best;
      gain_total += gain;
      ++moved;
    }
    if (moved == 0) break;
  }
  return gain_total;
}

template int64_t LpRefine(const FineAdjacency&, std::span<const int64_t>, int32_t, int32_t, std::span<const int64_t>,
                          int32_t, uint64_t, std::vector<int32_t>&);
template int64_t LpRefine(const CoarseGraph&, std::span<const int64_t>, int32_t, int32_t, std::span<const int64_t>,
                          int32_t, uint64_t, std::vector<int32_t>&);

}  // namespace melograph
