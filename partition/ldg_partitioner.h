// Linear Deterministic Greedy streaming partitioning (Stanton & Kliot, KDD 2012), with
// multi-constraint capacities and restreaming (Nishimura & Ugander, KDD 2013).
//
// Capacities: capacity_c = imbalance * total_c / K for every constraint c; a part "fits" v
// when adding v keeps every constraint within its capacity.
// Stream order: the heavy nodes first (a node is heavy when some weight exceeds 1/8 of the
// slack (imbalance - 1) * total_c / K), by decreasing weight relative to capacity (first-fit
// decreasing: hubs are placed while there is room for them); then the light nodes in a
// uniformly random order drawn from the seed.
// Pass 1 (LDG): v goes to the part i maximising
//     |N(v) ∩ P_i| * (1 - max_c load_c(i) / capacity_c)
// among the parts that fit v (ties: least filled, then lowest index); N(v) counts relation
// entries (multiplicities), self loops ignored.
// Passes 2.. (restreaming): v is taken out of its part and put back into the part that fits
// it and holds most of its neighbours under the previous assignment (ties: stay, then least
// filled). The parts are ranked first by how much v would increase the total overflow
// sum_c max(0, load_c - capacity_c) / capacity_c (0 for every part that fits v): so, once no
// part is over capacity, a move never increases the cut, and a node of an over-capacity part
// leaves it for a part that fits it, which repairs pass 1's overflows over the passes.
//
// Deterministic for (graph, options). Memory: 8 bytes per node (part, stream order) plus
// K x ncon loads -- proportional to nodes, never to edges; the adjacency is only read
// (mmap-friendly). Time O(passes * (m + n * K * ncon)) + O(h log h) for h heavy nodes.
#pragma once

#include "graph/graph.h"
#include "partition/partition_types.h"
#include "partition/vertex_weights.h"

namespace melograph {

Assignment LdgPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options);

}  // namespace melograph
