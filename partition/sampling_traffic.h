// Expected traffic of a uniform multi-hop neighbour sampler over each relation edge: the edge
// costs METIS should see so that cutting an edge costs what it costs the samplers.
//
// Model (the sampler of remote_sampling.h, in expectation): roots are drawn uniformly from
// `roots` (r_0(v) = 1/|roots|); at hop h a node u reached with probability mass r_h(u) picks
// each of its CSR entries with probability q_h(u) = min(1, fanouts[h] / degree(u)), so entry
// u -> w is traversed A_h(u) = r_h(u) * q_h(u) times per root and r_{h+1}(w) += A_h(u).
// Cutting u -> w at hop h makes that pick remote and, since w's own picks then tend to stay
// in w's part, also the D_{h+1}(w) picks below it:
//     D_H(w) = 0,   D_h(w) = q_h(w) * sum_{x in N(w)} (1 + D_{h+1}(x)),
//     cost(u -> w) = sum_h A_h(u) * (1 + D_{h+1}(w)),
// i.e. the expected number of sampled edges per root that become remote when u and w are
// split and everything else stays put. cost(u -> w) + cost(w -> u) is the traffic weight of
// the undirected edge {u, w}.
//
// Cost: O(H * m) time, 2 * H doubles per node (proportional to nodes, not edges).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace melograph {

class SamplingTraffic {
 public:
  SamplingTraffic(const Graph& graph, const std::vector<NodeId>& roots, const std::vector<int32_t>& fanouts);

  // Expected remote picks per root caused by cutting the single CSR entry u -> w.
  double EntryCost(NodeId u, NodeId w) const {
    double c = 0.0;
    for (size_t h = 0; h < traversed_.size(); ++h) c += traversed_[h][u] * (1.0 + below_[h + 1][w]);
    return c;
  }
  // Expected sampled edges per root (sum of EntryCost without the "below" term).
  double picks_per_root() const { return picks_per_root_; }

 private:
  std::vector<std::vector<double>> traversed_;  // A_h(u), per hop
  std::vector<std::vector<double>> below_;      // D_h(w), h = 0..H (D_H = 0)
  double picks_per_root_ = 0.0;
};

}  // namespace melograph
