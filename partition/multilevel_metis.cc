// Multilevel driver: LP coarsening, METIS on the coarsest graph, LP refinement (see
// multilevel_metis.h).
#include "partition/multilevel_metis.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/hash.h"
#include "partition/lp_clustering.h"
#include "partition/lp_refinement.h"

namespace melograph {

bool UsesLpCoarsening(const Graph& graph, const PartitionOptions& options) {
  switch (options.metis_coarsening) {
    case MetisCoarsening::kNone: return false;
    case MetisCoarsening::kLp: return true;
    case MetisCoarsening::kAuto:
      return options.edge_weights == EdgeWeighting::kCount && graph.num_edges() >= kLpAutoMinEntries;
  }
  return false;
}

Assignment MultilevelMetisPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options,
                                    const MultilevelOptions& ml, MultilevelStats* stats, int64_t max_index) {
  const NodeId n = graph.num_nodes();
  const int32_t k = options.num_parts;
  const int32_t ncon = weights.ncon;
  if (k == 1) return Assignment(static_cast<size_t>(n), 0);
  if (options.edge_weights != EdgeWeighting::kCount)
    throw UsageError("--metis-coarsening lp supports --edge-weights count only (traffic weights need the "
                     "full projection: use --metis-coarsening none)");
  if (n > max_index)
    throw LimitError("graph too large for METIS: the node count is " + std::to_string(n) +
                     ", above the 32-bit idx_t limit " + std::to_string(max_index) + "; use --method ldg");
  const FineAdjacency fine{&graph};
  LpClusteringOptions lp;
  lp.iterations = ml.cluster_iterations;
  lp.max_weight.resize(static_cast<size_t>(ncon));
  for (int32_t c = 0; c < ncon; ++c) {
    const double total = static_cast<double>(weights.total[c]);
    lp.max_weight[c] = std::max<int64_t>(1, static_cast<int64_t>(total * ml.cluster_slack * (options.imbalance - 1.0) / k));
  }
  const std::vector<int64_t> max_load = MaxLoads(weights.total, options.imbalance, k);
  const double target_entries = ml.coarsest_fraction * static_cast<double>(graph.num_edges());

  // Coarsen: maps[i] gives each node of level i (0 = the graph) its node in level i + 1. On large
  // graphs level 1 is a ClusteredAdjacency (never built: its coarse adjacency would hold most of
  // the graph's entries); the other levels are CoarseGraphs, levels[j] being level j + 1 + virt.
  const int virt = graph.num_edges() >= ml.unbuilt_level1_min_entries ? 1 : 0;
  std::vector<std::vector<int32_t>> maps;
  maps.reserve(static_cast<size_t>(std::max(ml.max_levels, 2)));  // level1 points into maps[0]
  std::optional<ClusteredAdjacency> level1;
  std::vector<int64_t> level1_vwgt;
  std::vector<CoarseGraph> levels;
  NodeId prev_nodes = n;
  const auto record = [&](int64_t nodes, int64_t entries) {
    if (!stats) return;
    stats->level_nodes.push_back(nodes);
    stats->level_entries.push_back(entries);
  };
  while (static_cast<int32_t>(maps.size()) < std::max(ml.max_levels, 2)) {
    int32_t clusters = 0;
    lp.seed = HashCombine(options.seed, 0x4c56ULL, maps.size());
    if (maps.empty()) {
      maps.push_back(LpCluster(fine, weights.weight, ncon, lp, &clusters));
      if (virt) {
        level1.emplace(graph, maps.back(), clusters);
        level1_vwgt = ClusterWeights(weights.weight, ncon, maps.back(), clusters);
        record(clusters, -1);
        lp.seed = HashCombine(options.seed, 0x4c56ULL, maps.size());
        maps.push_back(LpCluster(*level1, level1_vwgt, ncon, lp, &clusters));
        levels.push_back(Contract(*level1, level1_vwgt, ncon, maps.back(), clusters, max_index));
      } else {
        levels.push_back(Contract(fine, weights.weight, ncon, maps.back(), clusters, max_index));
      }
    } else {
      const CoarseGraph& g = levels.back();
      maps.push_back(LpCluster(g, g.vwgt, ncon, lp, &clusters));
      CoarseGraph next = Contract(g, g.vwgt, ncon, maps.back(), clusters, max_index);
      levels.push_back(std::move(next));
    }
    const CoarseGraph& top = levels.back();
    record(top.num_nodes(), static_cast<int64_t>(top.adjncy.size()));
    const bool shrank = static_cast<double>(top.num_nodes()) <= 0.9 * static_cast<double>(prev_nodes);
    prev_nodes = top.num_nodes();
    if (static_cast<double>(top.adjncy.size()) <= target_entries || !shrank || top.num_nodes() <= 2 * k) break;
  }
  if (stats) stats->levels = static_cast<int32_t>(maps.size());

  // Initial partition of the coarsest level.
  const CoarseGraph& top = levels.back();
  PartitionOptions coarsest = options;
  coarsest.metis_ncuts = std::max(options.metis_ncuts, ml.coarsest_ncuts);
  std::vector<int32_t> part = MetisPartitionCsr(top.num_nodes(), top.xadj.data(), top.adjncy.data(),
                                                top.adjwgt.data(), top.vwgt, ncon, weights.total, coarsest,
                                                stats ? &stats->metis : nullptr, max_index);
  // Uncoarsen: project level i + 1's partition to level i and refine it there.
  int64_t gain = 0;
  for (size_t i = maps.size(); i-- > 0;) {
    const std::vector<int32_t>& map = maps[i];
    std::vector<int32_t> finer(map.size());
    for (size_t v = 0; v < map.size(); ++v) finer[v] = part[map[v]];
    part.swap(finer);
    std::vector<int32_t>().swap(finer);
    if (static_cast<int64_t>(i) - virt >= 0) levels.pop_back();  // level i + 1 is no longer needed
    const uint64_t seed = HashCombine(options.seed, 0x4c57ULL, i);
    if (i == 0) {
      level1.reset();
      gain += LpRefine(fine, weights.weight, ncon, k, max_load, ml.refine_iterations, seed, part,
                       RelaxCycles(graph.num_edges()));
    } else if (i == 1 && virt) {
      gain += LpRefine(*level1, level1_vwgt, ncon, k, max_load, ml.unbuilt_level1_iterations, seed, part,
                       RelaxCycles(graph.num_edges()));
    } else {
      const CoarseGraph& g = levels[i - 1 - virt];
      gain += LpRefine(g, g.vwgt, ncon, k, max_load, ml.refine_iterations, seed, part,
                       RelaxCycles(static_cast<int64_t>(g.adjncy.size())));
    }
    std::vector<int32_t>().swap(maps[i]);
  }
  if (stats) stats->refine_gain = gain;
  return part;
}

}  // namespace melograph
