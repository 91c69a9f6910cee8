// Hub replication: the nodes whose adjacency row and embedding row every rank keeps a copy of,
// so that a sampler's pick of one is served by the picking rank itself (docs/PARTITION.md,
// "Hub replication"). An edge cut cannot make hop-2 picks local at K >= 4 (the experiments in
// docs/BENCHMARKS.md); copying the few nodes most of the remote picks land on can.
//
// ReplicaOrder(graph, part, roots, options): candidate nodes, best first.
//  * ReplicateBy::kPicks: kReplicaDraws neighbour samples of the estimate's kind
//    (remote_sampling.h, fanouts options.fanouts) from EVERY root, root i's sample s drawn from
//    Rng(HashCombine(options.seed, kReplicaTag, i, s)), a stream the estimate does not use; a
//    pick of w from root r is remote when part[w] != part[r]. Nodes by decreasing remote-pick
//    count, ties by lower id; nodes never picked remotely are not candidates.
//  * ReplicateBy::kPicksPerEntry (default): the same counts divided by the node's CSR degree
//    (what a copy costs every rank): the most picks saved per byte first.
//  * ReplicateBy::kDegree: nodes by decreasing CSR degree, ties by lower id; degree 0 excluded.
// ChooseReplicas: flag[v] = 1 for candidates taken in order while at most
// floor(replicate_fraction * n) nodes are taken (when replicate_fraction > 0) and their degrees
// sum to at most floor(replicate_entries * m) entries (when replicate_entries > 0; a candidate
// that would exceed it is skipped and smaller ones after it may still fit). None when both are 0.
// Both are deterministic for (graph, part, roots, options) and do not depend on thread count.
// Cost: kPicks O(|roots| * kReplicaDraws * prod(fanouts)) time; kDegree O(n log n); 8 bytes
// per node.
//
// ForEachSampledPick(graph, roots, fanouts, draws, seed, tag, pick): calls pick(root, w) for
// every pick of `draws` samples from every root (the sampling loop shared with the experiments
// of bench/partition_bench).
#pragma once

#include <cstdint>
#include <vector>

#include "common/hash.h"
#include "graph/graph.h"
#include "partition/partition_types.h"
#include "partition/remote_sampling.h"

namespace melograph {

inline constexpr uint64_t kReplicaTag = 912;
inline constexpr int kReplicaDraws = 5;

template <typename Pick>
void ForEachSampledPick(const Graph& graph, const std::vector<NodeId>& roots, const std::vector<int32_t>& fanouts,
                        int draws, uint64_t seed, uint64_t tag, Pick&& pick) {
  SampleBuffers buffers;
  for (size_t i = 0; i < roots.size(); ++i) {
    for (int s = 0; s < draws; ++s) {
      Rng rng(HashCombine(seed, tag, i, static_cast<uint64_t>(s)));
      SampleFrom(graph, roots[i], fanouts, rng, buffers, [&](size_t, NodeId w) { pick(roots[i], w); });
    }
  }
}

std::vector<NodeId> ReplicaOrder(const Graph& graph, const Assignment& part, const std::vector<NodeId>& roots,
                                 const PartitionOptions& options);

std::vector<uint8_t> ChooseReplicas(const Graph& graph, const Assignment& part, const std::vector<NodeId>& roots,
                                    const PartitionOptions& options);

}  // namespace melograph
