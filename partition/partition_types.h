// Shared vocabulary of the partitioners: methods, balance constraints, options and the
// assignment they produce.
//
// Contract: an Assignment gives every node of the graph exactly one part in [0, num_parts).
// Parse* functions throw UsageError naming the bad value and the accepted ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/types.h"

namespace melograph {

enum class PartitionMethod { kMetis, kHash, kLdg };
PartitionMethod ParsePartitionMethod(std::string_view s);  // "metis|hash|ldg"
std::string_view ToString(PartitionMethod m);

// What a part's load is measured in: node count, edge work (CSR degree: every stored relation
// entry of the node) or training seeds (nodes with out-edges of the seed relation).
enum class BalanceConstraint { kNodes, kEdges, kSeeds };
BalanceConstraint ParseBalanceConstraint(std::string_view s);  // "nodes|edges|seeds"
std::string_view ToString(BalanceConstraint c);
// "nodes,edges,seeds" -> list; rejects empty lists and repeats.
std::vector<BalanceConstraint> ParseBalanceList(std::string_view s);

// What a cut projection edge costs METIS: kCount = number of relation entries between the two
// nodes; kTraffic = expected neighbour-sampler traffic over the edge (sampling_traffic.h).
enum class EdgeWeighting { kCount, kTraffic };
EdgeWeighting ParseEdgeWeighting(std::string_view s);  // "count|traffic"
std::string_view ToString(EdgeWeighting w);

// How METIS sees the graph: kNone = the whole undirected projection (METIS coarsens it);
// kLp = melograph coarsens it first by label propagation and METIS partitions the coarsest
// level only (multilevel_metis.h; far less memory); kAuto = kLp from
// kLpAutoMinEntries CSR entries up with `count` edge weights, else kNone.
enum class MetisCoarsening { kNone, kLp, kAuto };
MetisCoarsening ParseMetisCoarsening(std::string_view s);  // "none|lp|auto"
std::string_view ToString(MetisCoarsening c);
inline constexpr int64_t kLpAutoMinEntries = 4'000'000;

// Which nodes hub replication copies to every part first (hub_replication.h): those with the
// most remote picks of a sample under the partition per CSR entry copied (kPicksPerEntry), the
// most remote picks (kPicks), or the highest degree (kDegree).
enum class ReplicateBy { kPicksPerEntry, kPicks, kDegree };
ReplicateBy ParseReplicateBy(std::string_view s);  // "picks-per-entry|picks|degree"
std::string_view ToString(ReplicateBy r);

struct PartitionOptions {
  int32_t num_parts = 2;
  PartitionMethod method = PartitionMethod::kMetis;
  std::vector<BalanceConstraint> constraints = {BalanceConstraint::kNodes, BalanceConstraint::kEdges,
                                                BalanceConstraint::kSeeds};
  double imbalance = 1.05;  // allowed max part load / mean part load, per constraint
  uint64_t seed = 1;
  std::string seed_relation = "listened";
  int64_t sample_roots = 10000;       // roots of the remote-fraction estimate
  std::vector<int32_t> fanouts = {10, 10};
  int32_t ldg_passes = 10;            // 1 = one-pass LDG; more = restreaming LDG
  EdgeWeighting edge_weights = EdgeWeighting::kCount;  // METIS projection edge weights
  double traffic_scale = 8.0;         // kTraffic: integer weight = 1 + round(scale * traffic / mean)
  int32_t metis_ncuts = 1;            // METIS_OPTION_NCUTS: best of this many partitionings
  int32_t metis_niter = 10;           // METIS_OPTION_NITER: refinement iterations per level
  MetisCoarsening metis_coarsening = MetisCoarsening::kAuto;
  // Hub replication (0 and 0 = none): at most this share of the nodes, and of the graph's CSR
  // entries (0 = no limit of that kind), is copied to every part.
  double replicate_fraction = 0.0;
  double replicate_entries = 0.0;
  ReplicateBy replicate_by = ReplicateBy::kPicksPerEntry;
  bool replicates() const { return replicate_fraction > 0.0 || replicate_entries > 0.0; }
};

// part[v] for every node v of the graph.
using Assignment = std::vector<int32_t>;

}  // namespace melograph
