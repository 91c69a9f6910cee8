// part(v) = v mod K (see hash_partitioner.h).
#include "partition/hash_partitioner.h"

namespace melograph {

Assignment HashPartition(const Graph& graph, int32_t num_parts) {
  Assignment part(static_cast<size_t>(graph.num_nodes()));
  for (NodeId v = 0; v < graph.num_nodes(); ++v) part[v] = v % num_parts;
  return part;
}

}  // namespace melograph
