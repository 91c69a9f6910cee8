// Serial multi-hop uniform neighbour sampling to estimate remote traffic (see
// remote_sampling.h).
#include "partition/remote_sampling.h"

#include <algorithm>

#include "common/hash.h"

namespace melograph {

void PickPositions(int64_t degree, int32_t fanout, Rng& rng, std::vector<int64_t>& out) {
  out.clear();
  if (degree <= fanout) {
    for (int64_t i = 0; i < degree; ++i) out.push_back(i);
    return;
  }
  for (int64_t j = degree - fanout; j < degree; ++j) {
    const int64_t t = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(j) + 1));
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    else out.push_back(j);
  }
}

std::vector<NodeId> SampleRoots(const Graph& graph, const std::vector<uint8_t>& seeds) {
  std::vector<NodeId> roots;
  for (NodeId v = 0; v < graph.num_nodes(); ++v)
    if (seeds[v]) roots.push_back(v);
  if (roots.empty())
    for (NodeId v = 0; v < graph.num_nodes(); ++v)
      if (graph.degree(v) > 0) roots.push_back(v);
  return roots;
}

RemoteSampleEstimate EstimateRemoteSampleFraction(const Graph& graph, const Assignment& part,
                                                  const std::vector<NodeId>& roots,
                                                  const std::vector<int32_t>& fanouts, int64_t num_roots,
                                                  uint64_t seed, const std::vector<uint8_t>* replicated) {
  RemoteSampleEstimate est;
  est.sampled_by_hop.assign(fanouts.size(), 0);
  est.remote_by_hop.assign(fanouts.size(), 0);
  if (roots.empty() || num_roots <= 0) return est;
  SampleBuffers buffers;
  for (int64_t i = 0; i < num_roots; ++i) {
    Rng rng(HashCombine(seed, 0x5a3b1eULL, static_cast<uint64_t>(i)));
    const NodeId root = roots[rng.Uniform(roots.size())];
    const int32_t home = part[root];
    SampleFrom(graph, root, fanouts, rng, buffers, [&](size_t hop, NodeId w) {
      ++est.sampled_edges;
      ++est.sampled_by_hop[hop];
      if (part[w] != home && !(replicated && (*replicated)[w])) {
        ++est.remote_edges;
        ++est.remote_by_hop[hop];
      }
    });
    ++est.roots;
  }
  return est;
}

}  // namespace melograph
