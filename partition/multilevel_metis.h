// Memory-lean multilevel METIS: label-propagation coarsening in melograph, METIS on the
// coarsest graph only, label-propagation refinement on the way back up.
//
// Why: METIS_PartGraphKway on the whole projection costs ~16 bytes per undirected edge for its
// input and ~100 more for its coarsening hierarchy and refinement buffers (docs/PARTITION.md).
// Here the finest level is never copied: clustering, contraction and refinement read the
// loaded graph's CSR (weighted_adjacency.h: `count` edge weights, as the projection), so the
// memory per fine edge is zero and METIS only ever sees a graph a few times smaller.
//
// Contract:
//  * coarsening: LpCluster (lp_clustering.h) with max cluster weight per constraint
//    max(1, floor(total_c * cluster_slack * (imbalance - 1) / K)), then Contract; repeated on the
//    coarse graph while it has more than coarsest_fraction * (CSR entries of the graph) adjacency
//    entries, its node count shrank by at least 10% and fewer than max_levels levels exist;
//  * the coarsest graph is partitioned by MetisPartitionCsr (both candidates, as
//    MetisPartition); its vertex weights are the summed weights, so balance is exact under
//    projection;
//  * each level's partition is projected to the finer level and refined there by LpRefine
//    (lp_refinement.h) with max load floor(imbalance * total_c / K): the cut never grows and a
//    balanced partition stays balanced;
//  * only `count` edge weights (--edge-weights traffic needs the projection: UsageError);
//  * deterministic for options.seed; K = 1 returns all zeros.
// Memory beyond the graph: per node 4 (cluster) + 8 * ncon (cluster weights) + 8 (ratings) + 4
// (order) during clustering, then the coarse levels and METIS on the coarsest.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "partition/lp_refinement.h"
#include "partition/metis_partitioner.h"
#include "partition/partition_types.h"
#include "partition/vertex_weights.h"

namespace melograph {

// Whether `options` (method metis) asks for this driver on `graph`: coarsening lp, or auto with
// `count` edge weights and at least kLpAutoMinEntries CSR entries.
bool UsesLpCoarsening(const Graph& graph, const PartitionOptions& options);

struct MultilevelOptions {
  double cluster_slack = 0.5;        // max cluster weight, in units of the imbalance slack / K
  double coarsest_fraction = 0.05;   // stop coarsening below this fraction of the graph's CSR entries
  int32_t max_levels = 8;
  int32_t cluster_iterations = 5;
  int32_t refine_iterations = kRefineIterations;
};

struct MultilevelStats {
  int32_t levels = 0;                // contractions done
  std::vector<int64_t> level_nodes;  // nodes per coarse level
  std::vector<int64_t> level_entries;  // adjacency entries per coarse level
  int64_t refine_gain = 0;           // weighted cut removed by refinement, all levels
  MetisStats metis;                  // the call on the coarsest level
};

Assignment MultilevelMetisPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options,
                                    const MultilevelOptions& ml = {}, MultilevelStats* stats = nullptr,
                                    int64_t max_index = kMetisIndexMax);

}  // namespace melograph
