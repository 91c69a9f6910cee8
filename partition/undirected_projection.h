// Undirected projection of a multi-relational graph, in METIS's CSR layout (32-bit).
//
// Contract: one entry per distinct neighbour u != v of v over all relations (self loops
// dropped, parallel relation edges merged); the weight of {u, v} is the number of stored
// relation entries from v to u (so a `listened` edge and its `rev_listened` twin count once
// each way), i.e. relation weights summed with unit weight per relation edge. Behaviour
// weights are not used: they are heavy-tailed and can be negative, and the sampler picks
// neighbours uniformly, so the number of relation edges is the traffic that a cut costs.
// The result is symmetric because every stored relation has its reverse stored.
//
// With a SamplingTraffic model the weight is instead the sampler traffic of the edge, as an
// integer: 1 + round(scale * traffic({u,v}) / mean traffic per adjacency entry), where
// traffic({u,v}) = multiplicity * (EntryCost(u,v) + EntryCost(v,u)); the "1 +" keeps every
// edge's cut visible, the second term makes edges that samplers traverse often expensive.
// `scale` is lowered if the weight sum would not fit `max_index`.
//
// Limits: every array length and the sum of edge weights must fit `max_index` (METIS idx_t is
// 32-bit on Debian); otherwise LimitError naming the limit and suggesting `--method ldg`,
// thrown before the adjacency is allocated.
// Cost: two passes over the CSR, each sorting one row at a time (O(m log d)); memory 8 bytes
// per adjacency entry (16 per undirected edge) + 4 per node + one row of scratch.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "graph/graph.h"
#include "partition/sampling_traffic.h"

namespace melograph {

inline constexpr int64_t kMetisIndexMax = std::numeric_limits<int32_t>::max();

struct UndirectedProjection {
  std::vector<int32_t> xadj;    // n + 1
  std::vector<int32_t> adjncy;  // 2 * undirected edges
  std::vector<int32_t> adjwgt;  // parallel to adjncy

  int64_t num_nodes() const { return xadj.empty() ? 0 : static_cast<int64_t>(xadj.size()) - 1; }
  int64_t num_undirected_edges() const { return static_cast<int64_t>(adjncy.size()) / 2; }
};

UndirectedProjection BuildUndirectedProjection(const Graph& graph, int64_t max_index = kMetisIndexMax,
                                               const SamplingTraffic* traffic = nullptr, double scale = 8.0);

// Number of distinct neighbours u != v of v (the projection degree), using `scratch`.
int64_t DistinctNeighbourCount(const Graph& graph, NodeId v, std::vector<NodeId>& scratch);

}  // namespace melograph
