// Graph statistics for `melograph stats`: counts per node type and relation, degree
// percentiles overall and per type, and connected components.
//
// Contract:
//  * Degree = stored CSR entries of a node (out-edges including the stored reverses, so every
//    incident edge counts once; a symmetric self loop counts once).
//  * Percentile p of n degrees is the nearest-rank value: the ceil(p/100 * n)-th smallest
//    (p50 of {1,2,3,4} is 2). All are 0 for an empty set.
//  * Components are weakly connected components over all relations, computed with
//    boost::disjoint_sets (union by rank, path compression): O((V + E) alpha(V)) time,
//    8 bytes per node extra. Isolated nodes (degree 0) are components of size 1.
//  * Degree percentiles use nth_element on a copy of the degrees: O(V) per percentile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace melograph {

struct DegreeSummary {
  int64_t nodes = 0;
  double mean = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
};

struct GraphStats {
  struct TypeRow {
    std::string name;
    int64_t nodes = 0;
    DegreeSummary degree;
  };
  struct RelationRow {
    std::string name, head_type, tail_type;
    bool is_reverse = false, symmetric = false;
    int64_t edges = 0;  // stored CSR entries
  };
  int64_t num_nodes = 0;
  int64_t num_edges = 0;  // stored CSR entries
  std::vector<TypeRow> types;
  std::vector<RelationRow> relations;
  DegreeSummary degree;
  int64_t components = 0;
  int64_t largest_component_nodes = 0;
  int64_t isolated_nodes = 0;
};

// Summarises a list of degrees (reordered in place).
DegreeSummary SummariseDegrees(std::vector<int64_t>& degrees);

GraphStats ComputeGraphStats(const Graph& graph);

// Human table, a blank line, then a `key: value` block (one fact per line, stable keys).
std::string FormatGraphStats(const GraphStats& stats);
// The same facts as one JSON object.
std::string FormatGraphStatsJson(const GraphStats& stats);

}  // namespace melograph
