// Parsing of partition methods and balance constraints (see partition_types.h).
#include "partition/partition_types.h"

#include <algorithm>

#include "common/error.h"
#include "common/text.h"

namespace melograph {

PartitionMethod ParsePartitionMethod(std::string_view s) {
  if (s == "metis") return PartitionMethod::kMetis;
  if (s == "hash") return PartitionMethod::kHash;
  if (s == "ldg") return PartitionMethod::kLdg;
  throw UsageError("unknown partition method '" + std::string(s) + "' (expected metis, hash or ldg)");
}

std::string_view ToString(PartitionMethod m) {
  switch (m) {
    case PartitionMethod::kMetis: return "metis";
    case PartitionMethod::kHash: return "hash";
    case PartitionMethod::kLdg: return "ldg";
  }
  return "?";
}

EdgeWeighting ParseEdgeWeighting(std::string_view s) {
  if (s == "count") return EdgeWeighting::kCount;
  if (s == "traffic") return EdgeWeighting::kTraffic;
  throw UsageError("unknown edge weighting '" + std::string(s) + "' (expected count or traffic)");
}

std::string_view ToString(EdgeWeighting w) {
  return w == EdgeWeighting::kCount ? "count" : "traffic";
}

MetisCoarsening ParseMetisCoarsening(std::string_view s) {
  if (s == "none") return MetisCoarsening::kNone;
  if (s == "lp") return MetisCoarsening::kLp;
  if (s == "auto") return MetisCoarsening::kAuto;
  throw UsageError("unknown METIS coarsening '" + std::string(s) + "' (expected none, lp or auto)");
}

std::string_view ToString(MetisCoarsening c) {
  switch (c) {
    case MetisCoarsening::kNone: return "none";
    case MetisCoarsening::kLp: return "lp";
    case MetisCoarsening::kAuto: return "auto";
  }
  return "none";
}

ReplicateBy ParseReplicateBy(std::string_view s) {
  if (s == "picks") return ReplicateBy::kPicks;
  if (s == "degree") return ReplicateBy::kDegree;
  if (s == "picks-per-entry") return ReplicateBy::kPicksPerEntry;
  throw UsageError("unknown replica order '" + std::string(s) + "' (expected picks-per-entry, picks or degree)");
}

std::string_view ToString(ReplicateBy r) {
  switch (r) {
    case ReplicateBy::kPicks: return "picks";
    case ReplicateBy::kDegree: return "degree";
    case ReplicateBy::kPicksPerEntry: return "picks-per-entry";
  }
  return "picks-per-entry";
}

BalanceConstraint ParseBalanceConstraint(std::string_view s) {
  if (s == "nodes") return BalanceConstraint::kNodes;
  if (s == "edges") return BalanceConstraint::kEdges;
  if (s == "seeds") return BalanceConstraint::kSeeds;
  throw UsageError("unknown balance constraint '" + std::string(s) +
                   "' (expected nodes, edges or seeds)");
}

std::string_view ToString(BalanceConstraint c) {
  switch (c) {
    case BalanceConstraint::kNodes: return "nodes";
    case BalanceConstraint::kEdges: return "edges";
    case BalanceConstraint::kSeeds: return "seeds";
  }
  return "?";
}

std::vector<BalanceConstraint> ParseBalanceList(std::string_view s) {
  std::vector<BalanceConstraint> out;
  for (const std::string& item : SplitList(s, ',')) {
    const BalanceConstraint c = ParseBalanceConstraint(Trim(item));
    if (std::find(out.begin(), out.end(), c) != out.end())
      throw UsageError("balance constraint '" + item + "' given twice");
    out.push_back(c);
  }
  if (out.empty()) throw UsageError("--balance needs at least one of nodes, edges, seeds");
  return out;
}

}  // namespace melograph
