// Undirected projection for METIS (see undirected_projection.h).
#include "partition/undirected_projection.h"

#include <algorithm>
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

UndirectedProjection BuildUndirectedProjection(const Graph& graph, int64_t max_index) {
  const NodeId n = graph.num_nodes();
  if (n > max_index) TooLarge("the node count", n, max_index);
  std::vector<NodeId> scratch;
  // Pass 1: sizes, checked before anything big is allocated.
  int64_t entries = 0;
  int64_t weight_sum = 0;
  for (NodeId v = 0; v < n; ++v) {
    entries += DistinctNeighbourCount(graph, v, scratch);
    weight_sum += static_cast<int64_t>(scratch.size());
  }
  if (entries > max_index) TooLarge("the undirected adjacency length (2 x edges)", entries, max_index);
  if (weight_sum > max_index) TooLarge("the sum of projection edge weights", weight_sum, max_index);

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
      p.adjwgt[pos] = static_cast<int32_t>(j - i);
      ++pos;
      i = j;
    }
    p.xadj[v + 1] = pos;
  }
  return p;
}

}  // namespace melograph
