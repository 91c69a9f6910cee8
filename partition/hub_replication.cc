// Hub replication: which nodes every rank keeps a copy of (see hub_replication.h).
#include "partition/hub_replication.h"

#include <algorithm>
#include <numeric>

namespace melograph {

std::vector<NodeId> ReplicaOrder(const Graph& graph, const Assignment& part, const std::vector<NodeId>& roots,
                                 const PartitionOptions& options) {
  const NodeId n = graph.num_nodes();
  std::vector<double> score(static_cast<size_t>(n), 0.0);
  if (options.replicate_by != ReplicateBy::kDegree) {
    ForEachSampledPick(graph, roots, options.fanouts, kReplicaDraws, options.seed, kReplicaTag,
                       [&](NodeId root, NodeId w) {
                         if (part[static_cast<size_t>(w)] != part[static_cast<size_t>(root)]) score[static_cast<size_t>(w)] += 1.0;
                       });
    if (options.replicate_by == ReplicateBy::kPicksPerEntry)
      for (NodeId v = 0; v < n; ++v) score[static_cast<size_t>(v)] /= static_cast<double>(std::max<EdgeIdx>(1, graph.degree(v)));
  } else {
    for (NodeId v = 0; v < n; ++v) score[static_cast<size_t>(v)] = static_cast<double>(graph.degree(v));
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
  if (!options.replicates()) return flag;
  const std::vector<NodeId> order = ReplicaOrder(graph, part, roots, options);
  const auto max_nodes = options.replicate_fraction > 0.0
                             ? static_cast<int64_t>(options.replicate_fraction * static_cast<double>(graph.num_nodes()))
                             : static_cast<int64_t>(graph.num_nodes());
  const auto max_entries = options.replicate_entries > 0.0
                               ? static_cast<int64_t>(options.replicate_entries * static_cast<double>(graph.num_edges()))
                               : static_cast<int64_t>(graph.num_edges());
  int64_t nodes = 0, entries = 0;
  for (const NodeId v : order) {
    if (nodes >= max_nodes) break;
    if (entries + graph.degree(v) > max_entries) continue;  // too big for what is left; smaller ones may fit
    flag[static_cast<size_t>(v)] = 1;
    ++nodes;
    entries += graph.degree(v);
  }
  return flag;
}

}  // namespace melograph
