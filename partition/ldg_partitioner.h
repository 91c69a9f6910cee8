// Linear Deterministic Greedy streaming partitioning (Stanton & Kliot, KDD 2012), with
// multi-constraint capacities and optional restreaming (Nishimura & Ugander, KDD 2013).
//
// Stream order: a uniformly random permutation of the nodes drawn from the seed.
// Each node v goes to the part i maximising
//     |N(v) ∩ P_i| * (1 - max_c load_c(i) / capacity_c),   capacity_c = imbalance * total_c / K,
// where N(v) counts relation edges (multiplicities, self loops ignored). Parts where v would
// push any constraint over its capacity are skipped unless every part would; ties go to the
// least loaded part, then the lowest index; a node that fits nowhere goes where it overflows least.
// the previous assignment of its not yet re-placed neighbours.
//
// Deterministic for (graph, options). Memory: 8 bytes per node (part, stream order) plus
// K x ncon loads -- proportional to nodes, never to edges; the adjacency is only read
// (mmap-friendly). Time O(passes * (m + n * K * ncon)).
#pragma once

#include "graph/graph.h"
#include "partition/partition_types.h"
#include "partition/vertex_weights.h"

namespace melograph {

Assignment LdgPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options);

}  // namespace melograph
