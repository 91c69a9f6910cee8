// METIS k-way partitioning of the undirected projection (Karypis & Kumar 1998,
// METIS_PartGraphKway), with multi-constraint vertex weights.
//
// Contract:
//  * objective: edge cut (weights from the projection), contiguity not required,
//    seed = options.seed (METIS is deterministic for a seed), one balance constraint per entry of
//    options.constraints with tolerance options.imbalance for each (ubvec, and ufactor =
//    round((imbalance - 1) * 1000));
//  * vertex weights are passed as integers; a constraint whose total exceeds the 32-bit limit
//    is scaled down (rounding up, so no node loses all its weight) to fit;
//  * every size handed to METIS is checked against `max_index` first: LimitError naming the
//    limit and suggesting --method ldg, never a silent overflow;
//  * two candidates: METIS_PartGraphKway (ubvec = imbalance) and METIS_PartGraphRecursive
//    (ubvec = imbalance^(1/ceil(log2 K)) per bisection level); the lower weighted cut among
//    those whose every constraint is within imbalance + 1e-4 is kept, else the least excess;
//  * edge weights: options.edge_weights (count: relation multiplicities; traffic: expected
//    sampler traffic, sampling_traffic.h); METIS_OPTION_NCUTS / NITER from the options;
//  * then LpRefine (lp_refinement.h) on the graph itself: moves of positive gain that keep every
//    constraint within floor(imbalance * total / K), so the cut only falls;
//  * K = 1 returns all zeros without calling METIS; K > node count is a UsageError (checked by
//    the caller, RunPartition).
// Memory beyond the graph: the projection (16 bytes per undirected edge + 4 per node), vertex
// weights (4 * ncon per node), then METIS's own coarsening hierarchy.
#pragma once

#include <cstdint>
#include <span>

#include "graph/graph.h"
#include "partition/partition_types.h"
#include "partition/undirected_projection.h"
#include "partition/vertex_weights.h"

namespace melograph {

struct MetisStats {
  int64_t objective = 0;  // edge cut reported by METIS (weighted)
  int64_t projection_bytes = 0;       // projection + vertex weights handed to METIS
  int64_t rss_before_call_bytes = 0;  // process RSS just before the first METIS call
  bool recursive = false;             // the kept candidate came from recursive bisection
  int64_t refine_gain = 0;            // weighted cut removed by the LP refinement after METIS
  int32_t ncuts = 0;                  // METIS_OPTION_NCUTS of the call (tries per candidate)
};

Assignment MetisPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options,
                          MetisStats* stats = nullptr, int64_t max_index = kMetisIndexMax);

// The same two candidates on a graph already in METIS's 32-bit CSR (symmetric, no self loops):
// `weights` node-major with `ncon` per node, `total` per constraint. Used on the coarsest level
// of the multilevel driver (multilevel_metis.h).
Assignment MetisPartitionCsr(int32_t n, const int32_t* xadj, const int32_t* adjncy, const int32_t* adjwgt,
                             std::span<const int64_t> weights, int32_t ncon, std::span<const int64_t> total,
                             const PartitionOptions& options, MetisStats* stats = nullptr,
                             int64_t max_index = kMetisIndexMax);

}  // namespace melograph
