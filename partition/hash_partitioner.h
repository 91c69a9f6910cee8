// Hash partitioning: the PGL / Euler / graph-learn baseline, part(v) = v mod K over the graph's
// global node ids. Balanced in node count (and per node type, since types own contiguous id
// ranges) but blind to edges: a random pair of neighbours lands apart with probability
// (K - 1) / K. O(n) time, no memory beyond the result.
#pragma once

#include "graph/graph.h"
#include "partition/partition_types.h"

namespace melograph {

Assignment HashPartition(const Graph& graph, int32_t num_parts);

}  // namespace melograph
