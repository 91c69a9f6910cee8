// Vertex weights for balanced partitioning: one integer weight per (node, constraint).
//
// Contract:
//  * training seeds = nodes with at least one out-edge under a relation named `seed_relation`
//    (e.g. the users that have `listened` edges); a missing relation gives no seeds;
//  * weights: nodes -> 1, edges -> CSR degree (every stored relation entry, i.e. the edge work
//    of sampling from that node), seeds -> 1 for a seed, 0 otherwise;
//  * ComputeVertexWeights throws UsageError when a constraint has total weight 0 (e.g. `seeds`
//    on a graph without the seed relation), naming the constraint.
// Cost: O(n + m) time, n * ncon * 8 bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "partition/partition_types.h"

namespace melograph {

std::vector<uint8_t> FindTrainingSeeds(const Graph& graph, std::string_view seed_relation);

struct VertexWeights {
  int32_t ncon = 0;
  std::vector<int64_t> weight;  // node-major: weight[v * ncon + c]
  std::vector<int64_t> total;   // per constraint

  int64_t at(NodeId v, int32_t c) const { return weight[static_cast<size_t>(v) * ncon + c]; }
};

VertexWeights ComputeVertexWeights(const Graph& graph, const std::vector<BalanceConstraint>& constraints,
                                   const std::vector<uint8_t>& seeds, std::string_view seed_relation);

}  // namespace melograph
