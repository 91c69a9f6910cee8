// Label-propagation clustering and contraction (see lp_clustering.h).
#include "partition/lp_clustering.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {

std::vector<NodeId> RandomOrder(NodeId n, uint64_t seed) {
  std::vector<NodeId> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (NodeId i = n - 1; i > 0; --i) std::swap(order[i], order[rng.Uniform(static_cast<uint64_t>(i) + 1)]);
  return order;
}

void GroupByCluster(const std::vector<int32_t>& cluster, int32_t num_clusters, std::vector<int32_t>& start,
                    std::vector<NodeId>& members) {
  start.assign(static_cast<size_t>(num_clusters) + 1, 0);
  for (const int32_t c : cluster) ++start[c + 1];
  for (int32_t c = 0; c < num_clusters; ++c) start[c + 1] += start[c];
  members.resize(cluster.size());
  std::vector<int32_t> cursor(start.begin(), start.end() - 1);
  for (size_t v = 0; v < cluster.size(); ++v) members[cursor[cluster[v]]++] = static_cast<NodeId>(v);
}

std::vector<int64_t> ClusterWeights(std::span<const int64_t> vwgt, int32_t ncon, const std::vector<int32_t>& cluster,
                                    int32_t num_clusters) {
  std::vector<int64_t> w(static_cast<size_t>(num_clusters) * ncon, 0);
  for (size_t v = 0; v < cluster.size(); ++v)
    for (int32_t k = 0; k < ncon; ++k) w[static_cast<size_t>(cluster[v]) * ncon + k] += vwgt[v * ncon + k];
  return w;
}

template <typename Adjacency>
std::vector<int32_t> LpCluster(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon,
                               const LpClusteringOptions& options, int32_t* num_clusters) {
  const NodeId n = adj.num_nodes();
  std::vector<int32_t> cluster(static_cast<size_t>(n));
  std::iota(cluster.begin(), cluster.end(), 0);
  std::vector<int64_t> weight(vwgt.begin(), vwgt.end());  // cluster weights, by cluster id
  std::vector<int64_t> rating(static_cast<size_t>(n), 0);
  std::vector<int32_t> touched;
  const std::vector<NodeId> order = RandomOrder(n, HashCombine(options.seed, 0x1c1ULL));
  const auto fits = [&](int32_t c, NodeId v) {
    for (int32_t k = 0; k < ncon; ++k)
      if (weight[static_cast<size_t>(c) * ncon + k] + vwgt[static_cast<size_t>(v) * ncon + k] > options.max_weight[k])
        return false;
    return true;
  };
  for (int32_t round = 0; round < options.iterations; ++round) {
    int64_t moved = 0;
    for (const NodeId v : order) {
      const int32_t own = cluster[v];
      touched.clear();
      adj.ForEach(v, [&](NodeId u, int64_t w) {
        const int32_t c = cluster[u];
        if (rating[c] == 0) touched.push_back(c);
        rating[c] += w;
      });
      int32_t best = own;
      int64_t best_rating = rating[own];
      uint64_t best_tie = 0;
      for (const int32_t c : touched) {
        if (c == own) continue;
        const int64_t r = rating[c];
        if (r < best_rating) continue;
        const uint64_t tie = HashCombine(options.seed, static_cast<uint64_t>(v), static_cast<uint64_t>(c));
        if (r == best_rating && (best == own || tie >= best_tie)) continue;
        if (!fits(c, v)) continue;
        best = c;
        best_rating = r;
        best_tie = tie;
      }
      for (const int32_t c : touched) rating[c] = 0;
      if (best == own) continue;
      for (int32_t k = 0; k < ncon; ++k) {
        const int64_t w = vwgt[static_cast<size_t>(v) * ncon + k];
        weight[static_cast<size_t>(own) * ncon + k] -= w;
        weight[static_cast<size_t>(best) * ncon + k] += w;
      }
      cluster[v] = best;
      ++moved;
    }
    if (moved == 0) break;
  }
  // Number clusters by first appearance in node order (rating's memory is reused as the map).
  std::vector<int64_t>().swap(weight);
  std::fill(rating.begin(), rating.end(), -1);
  int32_t next = 0;
  for (NodeId v = 0; v < n; ++v) {
    int64_t& id = rating[cluster[v]];
    if (id < 0) id = next++;
    cluster[v] = static_cast<int32_t>(id);
  }
  *num_clusters = next;
  return cluster;
}

template <typename Adjacency>
CoarseGraph Contract(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon,
                     const std::vector<int32_t>& cluster, int32_t num_clusters, int64_t max_index) {
  const int32_t c = num_clusters;
  // Members of each cluster, by a counting sort on cluster id.
  std::vector<int32_t> start;
  std::vector<NodeId> members;
  GroupByCluster(cluster, c, start, members);
  CoarseGraph g;
  g.ncon = ncon;
  g.vwgt = ClusterWeights(vwgt, ncon, cluster, c);

  // Pass 1: distinct neighbouring clusters of each cluster, and the total edge weight.
  std::vector<int32_t> mark(static_cast<size_t>(c), -1);
  std::vector<int32_t> pos(static_cast<size_t>(c), 0);
  int64_t entries = 0, weight_sum = 0;
  for (int32_t cc = 0; cc < c; ++cc) {
    for (int32_t i = start[cc]; i < start[cc + 1]; ++i) {
      adj.ForEach(members[i], [&](NodeId u, int64_t w) {
        const int32_t cu = cluster[u];
        if (cu == cc) return;
        weight_sum += w;
        if (mark[cu] != cc) {
          mark[cu] = cc;
          ++entries;
        }
      });
    }
  }
  if (entries > max_index || weight_sum > max_index)
    throw LimitError("coarse graph too large for METIS: " + std::to_string(entries) + " adjacency entries, edge weight " +
                     std::to_string(weight_sum) + ", above the 32-bit idx_t limit " + std::to_string(max_index) +
                     "; use --method ldg");
  g.xadj.assign(static_cast<size_t>(c) + 1, 0);
  g.adjncy.resize(static_cast<size_t>(entries));
  g.adjwgt.resize(static_cast<size_t>(entries));
  std::fill(mark.begin(), mark.end(), -1);
  int32_t out = 0;
  for (int32_t cc = 0; cc < c; ++cc) {
    for (int32_t i = start[cc]; i < start[cc + 1]; ++i) {
      adj.ForEach(members[i], [&](NodeId u, int64_t w) {
        const int32_t cu = cluster[u];
        if (cu == cc) return;
        if (mark[cu] != cc) {
          mark[cu] = cc;
          pos[cu] = out;
          g.adjncy[out] = cu;
          g.adjwgt[out] = static_cast<int32_t>(w);
          ++out;
        } else {
          g.adjwgt[pos[cu]] += static_cast<int32_t>(w);
        }
      });
    }
    g.xadj[cc + 1] = out;
  }
  return g;
}

template std::vector<int32_t> LpCluster(const FineAdjacency&, std::span<const int64_t>, int32_t,
                                        const LpClusteringOptions&, int32_t*);
template std::vector<int32_t> LpCluster(const CoarseGraph&, std::span<const int64_t>, int32_t,
                                        const LpClusteringOptions&, int32_t*);
template std::vector<int32_t> LpCluster(const ClusteredAdjacency&, std::span<const int64_t>, int32_t,
                                        const LpClusteringOptions&, int32_t*);
template CoarseGraph Contract(const ClusteredAdjacency&, std::span<const int64_t>, int32_t,
                              const std::vector<int32_t>&, int32_t, int64_t);
template CoarseGraph Contract(const FineAdjacency&, std::span<const int64_t>, int32_t, const std::vector<int32_t>&,
                              int32_t, int64_t);
template CoarseGraph Contract(const CoarseGraph&, std::span<const int64_t>, int32_t, const std::vector<int32_t>&,
                              int32_t, int64_t);

}  // namespace melograph
