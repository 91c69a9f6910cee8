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
  int64_t bytes() const {
    return static_cast<int64_t>((xadj.size() + adjncy.size() + adjwgt.size()) * sizeof(int32_t) +
                                vwgt.size() * sizeof(int64_t));
  }
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

}  // namespace melograph
