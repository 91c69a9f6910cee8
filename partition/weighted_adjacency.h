// Weighted undirected adjacency seen by the multilevel partitioner, at every level.
//
// Level 0 is the typed graph itself (FineAdjacency): the neighbours of v are its CSR entries
// u != v, each with weight 1, so a pair joined by several relation entries weighs their number
// -- exactly the `count` weights of the METIS projection (undirected_projection.h), without
// building it. Coarser levels are CoarseGraph: METIS's 32-bit CSR (xadj, adjncy, adjwgt; no self
// loops, symmetric) plus the summed vertex weights (node-major, ncon per node). Both expose
// ForEach(v, f(u, w)) and num_nodes(); the algorithms are templates over the two.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"

namespace melograph {

struct CoarseGraph {
  int32_t ncon = 0;
  std::vector<int32_t> xadj;    // n + 1
  std::vector<int32_t> adjncy;  // 2 * undirected edges
  std::vector<int32_t> adjwgt;  // parallel to adjncy
  std::vector<int64_t> vwgt;    // node-major: vwgt[v * ncon + c]

  NodeId num_nodes() const { return xadj.empty() ? 0 : static_cast<NodeId>(xadj.size() - 1); }
  int64_t num_undirected_edges() const { return static_cast<int64_t>(adjncy.size()) / 2; }
  template <typename F>
  void ForEach(NodeId v, F&& f) const {
    for (int32_t i = xadj[v]; i < xadj[v + 1]; ++i) f(adjncy[i], static_cast<int64_t>(adjwgt[i]));
  }
};

struct FineAdjacency {
  const Graph* graph;
  NodeId num_nodes() const { return graph->num_nodes(); }
  template <typename F>
  void ForEach(NodeId v, F&& f) const {
    for (const NodeId u : graph->out_neighbors(v))
      if (u != v) f(u, int64_t{1});
  }
};

// The nodes 0..n-1 in a random order drawn from `seed` (Fisher-Yates): the visiting order of the
// label-propagation clustering and refinement.
std::vector<NodeId> RandomOrder(NodeId n, uint64_t seed);

// Nodes grouped by cluster (a counting sort): cluster c's members are
// members[start[c] .. start[c + 1]), in node order.
void GroupByCluster(const std::vector<int32_t>& cluster, int32_t num_clusters, std::vector<int32_t>& start,
                    std::vector<NodeId>& members);

// Summed vertex weights of each cluster (node-major, ncon per cluster).
std::vector<int64_t> ClusterWeights(std::span<const int64_t> vwgt, int32_t ncon, const std::vector<int32_t>& cluster,
                                    int32_t num_clusters);

// A clustering of the graph seen as the next level without building it: node c is cluster c,
// its neighbours are the clusters of its members' neighbours, each CSR entry separately (not
// merged) and the own cluster skipped. Costs 4 bytes per node + 4 per cluster instead of the
// coarse adjacency; iterating it costs a pass over the graph's CSR.
struct ClusteredAdjacency {
  FineAdjacency fine;
  const std::vector<int32_t>* cluster = nullptr;  // graph node -> cluster
  std::vector<int32_t> start;                     // clusters + 1 offsets into members
  std::vector<NodeId> members;                    // graph nodes by cluster

  ClusteredAdjacency(const Graph& graph, const std::vector<int32_t>& cluster_of, int32_t num_clusters)
      : fine{&graph}, cluster(&cluster_of) {
    GroupByCluster(cluster_of, num_clusters, start, members);
  }
  NodeId num_nodes() const { return static_cast<NodeId>(start.size() - 1); }
  template <typename F>
  void ForEach(NodeId c, F&& f) const {
    for (int32_t i = start[c]; i < start[c + 1]; ++i)
      fine.ForEach(members[i], [&](NodeId u, int64_t w) {
        const int32_t cu = (*cluster)[u];
        if (cu != c) f(cu, w);
      });
  }
};

}  // namespace melograph
