// Memory-lean multilevel METIS: label-propagation coarsening in melograph, METIS on the
// coarsest graph only, label-propagation refinement on the way back up.
//
// Why: METIS_PartGraphKway on the whole projection costs ~16 bytes per undirected edge for its
// input and ~100 more for its coarsening hierarchy and refinement buffers (docs/PARTITION.md).
// Here the finest level is never copied: clustering, contraction and refinement read the
// loaded graph's CSR (weighted_adjacency.h: `count` edge weights, as the projection). On graphs
// of kLpAutoMinEntries CSR entries or more, level 1 is not built either (ClusteredAdjacency:
// the clusters seen through the graph's CSR), because on power-law graphs the first
// contraction keeps most of the entries (medium world: 5x fewer nodes, 1.6x fewer entries);
// METIS sees level 2 or coarser, ~10x smaller.
//
// Contract:
//  * coarsening: LpCluster (lp_clustering.h) with max cluster weight per constraint
//    max(1, floor(total_c * cluster_slack * (imbalance - 1) / K)), then Contract (on large
//    graphs: cluster level 1 again through ClusteredAdjacency and contract that into level 2);
//    repeated on the coarse graph while it has more than coarsest_fraction * (CSR entries of the
//    graph) adjacency entries, its node count shrank by at least 10% and fewer than max_levels
//    levels exist;
//  * the coarsest graph is partitioned by MetisPartitionCsr (both candidates, as
//    MetisPartition) with METIS_OPTION_NCUTS max(options.metis_ncuts, ml.coarsest_ncuts): the
//    coarsest graph is small, so several tries cost little; its vertex weights are the summed
//    weights, so balance is exact under projection;
//  * each level's partition is projected to the finer level and refined there by LpRefine
//    (lp_refinement.h) with max load floor(imbalance * total_c / K): the cut never grows and a
//    balanced partition stays balanced;
//  * only `count` edge weights (--edge-weights traffic needs the projection: UsageError);
//  * deterministic for options.seed; K = 1 returns all zeros.
// Memory beyond the graph: per node 4 (cluster) + 8 * ncon (cluster weights) + 8 (ratings) + 4
// (order) during clustering, 4 (members) for the unbuilt level 1, then the coarse levels and
// METIS on the coarsest; measured 3.7-5.0 bytes per undirected edge on the medium world.
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
  int64_t unbuilt_level1_min_entries = kLpAutoMinEntries;  // from this many CSR entries, level 1 is not built
  // Refinement rounds on the unbuilt level 1 (each is a pass over the graph's CSR): on the medium
  // world rounds 7-20 (exchanges, mostly) changed the cut by < 0.1% and took half the time.
  int32_t unbuilt_level1_iterations = 6;
  // METIS tries on the coarsest level (at least --metis-ncuts): on the medium world 4 tries cut
  // K = 8 from 0.394-0.409x hash to 0.376-0.383x (seeds 1-3) in the same time (16-20 s).
  int32_t coarsest_ncuts = 4;
};

struct MultilevelStats {
  int32_t levels = 0;                // coarse levels (clusterings) done
  std::vector<int64_t> level_nodes;  // nodes per coarse level
  std::vector<int64_t> level_entries;  // adjacency entries per coarse level (-1: not built)
  int64_t refine_gain = 0;           // weighted cut removed by refinement, all levels
  MetisStats metis;                  // the call on the coarsest level
};

Assignment MultilevelMetisPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options,
                                    const MultilevelOptions& ml = {}, MultilevelStats* stats = nullptr,
                                    int64_t max_index = kMetisIndexMax);

}  // namespace melograph
