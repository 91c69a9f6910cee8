// Undirected projection for METIS (see undirected_projection.h).
#include "partition/undirected_projection.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace melograph {
namespace {

// Sorted copy of v's neighbours without v itself (duplicates kept, adjacent).
void SortedNeighbours(const Graph& graph, NodeId v, std::vector<NodeId>& scratch) {
  scratch.clear();
  for (const NodeId u : graph.out_neighbors(v))
    if (u != v) scratch.push_back(u);
  std::sort(scratch.begin(), scratch.end());
}

[[noreturn]] void TooLarge(const std::string& what, int64_t value, int64_t limit) {
  throw LimitError("graph too large for METIS: " + what + " is " + std::to_string(value) +
                   ", above the 32-bit idx_t limit " + std::to_string(limit) +
                   " of this METIS build; use --method ldg (streaming, memory per node)");
}

}  // namespace

int64_t DistinctNeighbourCount(const Graph& graph, NodeId v, std::vector<NodeId>& scratch) {
  SortedNeighbours(graph, v, scratch);
  return std::unique(scratch.begin(), scratch.end()) - scratch.begin();
}

UndirectedProjection BuildUndirectedProjection(const Graph& graph, int64_t max_index,
                                               const SamplingTraffic* traffic, double scale) {
  const NodeId n = graph.num_nodes();
  if (n > max_index) TooLarge("the node count", n, max_index);
  std::vector<NodeId> scratch;
  // Pass 1: sizes, checked before anything big is allocated.
  int64_t entries = 0;
  int64_t weight_sum = 0;
  double traffic_sum = 0.0;
  for (NodeId v = 0; v < n; ++v) {
    SortedNeighbours(graph, v, scratch);
    weight_sum += static_cast<int64_t>(scratch.size());
    if (traffic)
      for (const NodeId u : scratch) traffic_sum += traffic->EntryCost(v, u) + traffic->EntryCost(u, v);
    entries += std::unique(scratch.begin(), scratch.end()) - scratch.begin();
  }
  if (entries > max_index) TooLarge("the undirected adjacency length (2 x edges)", entries, max_index);
  double unit = 0.0;  // traffic per unit of integer weight
  if (traffic) {
    // weights are at most 1 + scale * t / mean + 0.5 each: keep their sum within the limit.
    scale = std::min(scale, std::max(0.0, static_cast<double>(max_index) / std::max<int64_t>(1, entries) - 2.0));
    const double mean = entries > 0 ? traffic_sum / static_cast<double>(entries) : 0.0;
    unit = scale > 0.0 && mean > 0.0 ? mean / scale : 0.0;
  } else if (weight_sum > max_index) {
    TooLarge("the sum of projection edge weights", weight_sum, max_index);
  }

  UndirectedProjection p;
  p.xadj.resize(static_cast<size_t>(n) + 1);
  p.adjncy.resize(static_cast<size_t>(entries));
  p.adjwgt.resize(static_cast<size_t>(entries));
  int32_t pos = 0;
  p.xadj[0] = 0;
  for (NodeId v = 0; v < n; ++v) {
    SortedNeighbours(graph, v, scratch);
    for (size_t i = 0; i < scratch.size();) {
      size_t j = i;
      while (j < scratch.size() && scratch[j] == scratch[i]) ++j;
      p.adjncy[pos] = scratch[i];
      const int64_t multiplicity = static_cast<int64_t>(j - i);
      if (traffic) {
        const NodeId u = scratch[i];
        const double t = static_cast<double>(multiplicity) * (traffic->EntryCost(v, u) + traffic->EntryCost(u, v));
        p.adjwgt[pos] = 1 + (unit > 0.0 ? static_cast<int32_t>(std::llround(t / unit)) : 0);
      } else {
        p.adjwgt[pos] = static_cast<int32_t>(multiplicity);
      }
      ++pos;
      i = j;
    }
    p.xadj[v + 1] = pos;
  }
  return p;
}

}  // namespace melograph
