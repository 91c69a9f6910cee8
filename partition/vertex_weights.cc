// Training seeds and per-constraint vertex weights (see vertex_weights.h).
#include "partition/vertex_weights.h"

#include <string>

#include "common/error.h"

namespace melograph {

std::vector<uint8_t> FindTrainingSeeds(const Graph& graph, std::string_view seed_relation) {
  std::vector<uint8_t> seeds(static_cast<size_t>(graph.num_nodes()), 0);
  const std::vector<RelationId> rels = graph.FindRelations(seed_relation);
  if (rels.empty()) return seeds;
  for (NodeId v = 0; v < graph.num_nodes(); ++v) {
    for (const RelationId r : rels) {
      const auto [lo, hi] = graph.RelationRange(v, r);
      if (hi > lo) {
        seeds[v] = 1;
        break;
      }
    }
  }
  return seeds;
}

VertexWeights ComputeVertexWeights(const Graph& graph, const std::vector<BalanceConstraint>& constraints,
                                   const std::vector<uint8_t>& seeds, std::string_view seed_relation) {
  VertexWeights w;
  w.ncon = static_cast<int32_t>(constraints.size());
  const NodeId n = graph.num_nodes();
  w.weight.assign(static_cast<size_t>(n) * constraints.size(), 0);
  w.total.assign(constraints.size(), 0);
  for (NodeId v = 0; v < n; ++v) {
    for (int32_t c = 0; c < w.ncon; ++c) {
      int64_t x = 0;
      switch (constraints[c]) {
        case BalanceConstraint::kNodes: x = 1; break;
        case BalanceConstraint::kEdges: x = graph.degree(v); break;
        case BalanceConstraint::kSeeds: x = seeds[v] ? 1 : 0; break;
      }
      w.weight[static_cast<size_t>(v) * w.ncon + c] = x;
      w.total[c] += x;
    }
  }
  for (int32_t c = 0; c < w.ncon; ++c) {
    if (w.total[c] > 0) continue;
    std::string why = "balance constraint '" + std::string(ToString(constraints[c])) +
                      "' has total weight 0";
    if (constraints[c] == BalanceConstraint::kSeeds)
      why += " (no node has out-edges of relation '" + std::string(seed_relation) +
             "'; pass --seed-relation NAME or drop 'seeds' from --balance)";
    else
      why += " (the graph has no nodes or no edges)";
    throw UsageError(why);
  }
  return w;
}

}  // namespace melograph
