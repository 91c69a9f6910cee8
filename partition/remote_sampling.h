// Expected remote fraction of a multi-hop neighbour sample, measured by sampling.
//
// Definition (docs/PARTITION.md): a trainer on rank P samples a mini-batch from a training
// seed s owned by P. Hop 1 picks up to fanouts[0] distinct CSR entries of s uniformly without
// replacement (all of them when the degree is smaller); hop h picks up to fanouts[h] entries
// of every node reached at hop h-1 (with repetition across parents, as DGL does). Each picked
// entry (u -> w) is one sampled edge; it is REMOTE when w is owned by a part other than P,
// i.e. when the rank of the seed must fetch w's adjacency or features from another rank.
//   remote_sample_fraction = remote sampled edges / sampled edges (also per hop).
// Roots: `num_roots` seeds drawn uniformly with replacement from `roots` (training seeds),
// root i from Rng(HashCombine(seed, tag, i)), so the estimate depends only on the seed.
// With `replicated` (per node, non-zero = a copy of the node's adjacency and row on every part,
// e.g. the hubs), a pick of a replicated node is local: this sizes what hub replication would
// save (partition_bench --replicate-top); the picks themselves do not change.
// Cost: O(num_roots * prod(fanouts)) time, O(prod(fanouts)) memory.
#pragma once

#include <cstdint>
#include <vector>

#include "common/hash.h"
#include "graph/graph.h"
#include "partition/partition_types.h"

namespace melograph {

struct RemoteSampleEstimate {
  int64_t roots = 0;
  int64_t sampled_edges = 0;
  int64_t remote_edges = 0;
  std::vector<int64_t> sampled_by_hop, remote_by_hop;  // one entry per fanout
  double hop_fraction(size_t h) const {
    return sampled_by_hop[h] ? static_cast<double>(remote_by_hop[h]) / static_cast<double>(sampled_by_hop[h]) : 0.0;
  }
  double fraction() const {
    return sampled_edges ? static_cast<double>(remote_edges) / static_cast<double>(sampled_edges) : 0.0;
  }
};

// The roots the sampler starts from: the training seeds (seeds[v] != 0), or every node with
// edges when there are none.
std::vector<NodeId> SampleRoots(const Graph& graph, const std::vector<uint8_t>& seeds);

RemoteSampleEstimate EstimateRemoteSampleFraction(const Graph& graph, const Assignment& part,
                                                  const std::vector<NodeId>& roots,
                                                  const std::vector<int32_t>& fanouts, int64_t num_roots,
                                                  uint64_t seed, const std::vector<uint8_t>* replicated = nullptr);

// Up to `fanout` distinct positions of [0, degree), uniformly (Floyd's algorithm), written to
// `out` (cleared first); all of them, in order, when degree <= fanout.
void PickPositions(int64_t degree, int32_t fanout, Rng& rng, std::vector<int64_t>& out);

// Scratch of SampleFrom, reused across roots.
struct SampleBuffers {
  std::vector<NodeId> frontier, next;
  std::vector<int64_t> picks;
};

// One sample of the kind defined above from `root`, drawing from `rng`: calls pick(hop, w) for
// every picked entry u -> w, hop by hop, in frontier and row order.
template <typename Pick>
void SampleFrom(const Graph& graph, NodeId root, const std::vector<int32_t>& fanouts, Rng& rng, SampleBuffers& b,
                Pick&& pick) {
  const auto row_ptr = graph.row_ptr();
  const auto col_idx = graph.col_idx();
  b.frontier.assign(1, root);
  for (size_t hop = 0; hop < fanouts.size(); ++hop) {
    b.next.clear();
    for (const NodeId u : b.frontier) {
      PickPositions(graph.degree(u), fanouts[hop], rng, b.picks);
      for (const int64_t k : b.picks) {
        const NodeId w = col_idx[static_cast<size_t>(row_ptr[static_cast<size_t>(u)] + k)];
        pick(hop, w);
        b.next.push_back(w);
      }
    }
    b.frontier.swap(b.next);
  }
}

}  // namespace melograph
