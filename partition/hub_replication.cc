// Hub replication: which nodes every rank keeps a copy of (see hub_replication.h).
#include "partition/hub_replication.h"

#include <algorithm>
#include <numeric>

namespace melograph {

std::vector<NodeId> ReplicaOrder(const Graph& graph, const Assignment& part, const std::vector<NodeId>& roots,
                                 const PartitionOptions& options) {
  const NodeId n = graph.num_nodes();
  std::vector<int64_t> score(static_cast<size_t>(n), 0);
  if (options.replicate_by == ReplicateBy::kPicks) {
    ForEachSampledPick(graph, roots, options.fanouts, kReplicaDraws, options.seed, kReplicaTag,
                       [&](NodeId root, NodeId w) {
                         if (part[static_cast<size_t>(w)] != part[static_cast<size_t>(root)]) ++score[static_cast<size_t>(w)];
                       });
  } else {
    for (NodeId v = 0; v < n; ++v) score[static_cast<size_t>(v)] = graph.degree(v);
  }
  std::vector<NodeId> order;
  for (NodeId v = 0; v < n; ++v)
    if (score[static_cast<size_t>(v)] > 0) order.push_back(v);
  std::stable_sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
    return score[static_cast<size_t>(a)] > score[static_cast<size_t>(b)];
  });
  return order;
}

std::vector<uint8_t> ChooseReplicas(const Graph& graph, const Assignment& part, const std::vector<NodeId>& roots,
                                    const PartitionOptions& options) {
  std::vector<uint8_t> flag(static_cast<size_t>(graph.num_nodes()), 0);
  if (options.replicate_fraction <= 0.0) return flag;
  const std::vector<NodeId> order = ReplicaOrder(graph, part, roots, options);
  const auto count = std::min(order.size(), static_cast<size_t>(options.replicate_fraction *
                                                                static_cast<double>(graph.num_nodes())));
  for (size_t i = 0; i < count; ++i) flag[static_cast<size_t>(order[i])] = 1;
  return flag;
}

}  // namespace melograph
