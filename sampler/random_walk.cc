#include "sampler/random_walk.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <unordered_map>

#include "common/error.h"

namespace melograph {

void ValidateWalkRequest(const Metapath& m, std::span<const NodeType> node_types, std::span<const NodeId> starts,
                         const WalkOptions& o) {
  if (o.walk_length < 1) throw UsageError("walk length must be >= 1, got " + std::to_string(o.walk_length));
  if (o.walks_per_node < 1)
    throw UsageError("walks per node must be >= 1, got " + std::to_string(o.walks_per_node));
  if (!(o.p > 0.0) || !(o.q > 0.0))
    throw UsageError("node2vec p and q must be > 0, got p=" + std::to_string(o.p) + " q=" + std::to_string(o.q));
  if (!(o.restart >= 0.0 && o.restart < 1.0))
    throw UsageError("restart probability must be in [0, 1), got " + std::to_string(o.restart));
  if (!m.unrestricted() && !m.cyclic && o.restart == 0.0 && o.walk_length > m.hops())
    throw UsageError("walk length " + std::to_string(o.walk_length) + " exceeds the " + std::to_string(m.hops()) +
                     " hops of the acyclic metapath '" + m.text +
                     "' (make it cyclic: end with its first type, or use --restart)");
  std::vector<NodeId> sorted(starts.begin(), starts.end());
  std::sort(sorted.begin(), sorted.end());
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) throw UsageError("start node " + std::to_string(*dup) + " is listed twice");
  if (!m.unrestricted()) {
    for (NodeId s : starts) {
      const TypeId t = TypeOfNode(node_types, s);
      if (t != m.types.front())
        throw UsageError("start node " + std::to_string(s) + " has type '" + node_types[t].name +
                         "', metapath '" + m.text + "' starts at '" + node_types[m.types.front()].name + "'");
    }
  }
}

std::pair<EdgeIdx, EdgeIdx> RelationSpan(std::span<const RelationId> edge_relation, EdgeIdx row_begin,
                                         EdgeIdx row_end, RelationId r) {
  const RelationId* base = edge_relation.data();
  const RelationId* lo = std::lower_bound(base + row_begin, base + row_end, r);
  const RelationId* hi = std::upper_bound(lo, base + row_end, r);
  return {lo - base, hi - base};
}

void SortedNeighborSet(std::span<const NodeId> row, std::vector<NodeId>& out) {
  out.assign(row.begin(), row.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

Walks RandomWalksReference(const Graph& g, const Metapath& m, std::span<const NodeId> starts, const WalkOptions& o) {
  ValidateWalkRequest(m, g.node_types(), starts, o);
  for (NodeId s : starts)
    if (s < 0 || s >= g.num_nodes()) throw UsageError("start node " + std::to_string(s) + " is not in the graph");
  Walks out;
  std::vector<NodeId> prev_set;
  NodeId prev_set_of = kInvalidNode;
  const auto rows = g.row_ptr();
  for (NodeId s : starts) {
    for (int32_t j = 0; j < o.walks_per_node; ++j) {
      out.start.push_back(s);
      out.repetition.push_back(j);
      out.nodes.push_back(s);
      NodeId cur = s, prev = kInvalidNode;
      int64_t phase = 0;
      for (int32_t step = 0; step < o.walk_length; ++step) {
        Rng rng = WalkRng(o, s, j, step);
        if (DrawRestart(o, m, phase, rng)) {
          cur = s;
          prev = kInvalidNode;
          phase = 0;
          out.nodes.push_back(s);
          continue;
        }
        EdgeIdx lo = rows[cur], hi = rows[cur + 1];
        if (const auto r = m.RelationAt(phase)) std::tie(lo, hi) = g.RelationRange(cur, *r);
        const auto cols = g.col_idx().subspan(lo, hi - lo);
        const auto weights = g.edge_weight().subspan(lo, hi - lo);
        const int64_t pos = DrawNeighbor(
            o, cols, weights, prev,
            [&](NodeId x) {
              if (prev_set_of != prev) {
                SortedNeighborSet(g.out_neighbors(prev), prev_set);
                prev_set_of = prev;
              }
              return std::binary_search(prev_set.begin(), prev_set.end(), x);
            },
            rng);
        if (pos < 0) break;  // dead end
        prev = cur;
        cur = cols[static_cast<size_t>(pos)];
        ++phase;
        out.nodes.push_back(cur);
      }
      out.offsets.push_back(static_cast<int64_t>(out.nodes.size()));
    }
  }
  return out;
}

std::vector<std::vector<VisitCount>> TopVisited(const Walks& walks, std::span<const NodeType> node_types,
                                                int32_t top) {
  if (top < 1) throw UsageError("top must be >= 1, got " + std::to_string(top));
  std::unordered_map<NodeId, size_t> index_of_start;
  std::vector<std::unordered_map<NodeId, int64_t>> counts;
  for (int64_t i = 0; i < walks.num_walks(); ++i) {
    const NodeId s = walks.start[static_cast<size_t>(i)];
    const auto [it, fresh] = index_of_start.try_emplace(s, counts.size());
    if (fresh) counts.emplace_back();
    auto& c = counts[it->second];
    const TypeId type = TypeOfNode(node_types, s);
    for (NodeId v : walks.walk(i))
      if (v != s && TypeOfNode(node_types, v) == type) ++c[v];
  }
  std::vector<std::vector<VisitCount>> out(counts.size());
  for (size_t k = 0; k < counts.size(); ++k) {
    auto& list = out[k];
    for (const auto& [v, n] : counts[k]) list.push_back({v, n});
    const auto by_visits = [](const VisitCount& a, const VisitCount& b) {
      return a.visits != b.visits ? a.visits > b.visits : a.node < b.node;
    };
    if (static_cast<int32_t>(list.size()) > top) {
      std::partial_sort(list.begin(), list.begin() + top, list.end(), by_visits);
      list.resize(static_cast<size_t>(top));
    } else {
      std::sort(list.begin(), list.end(), by_visits);
    }
  }
  return out;
}

std::vector<NodeId> NodesOfType(std::span<const NodeType> node_types, TypeId type) {
  std::vector<NodeId> out;
  const NodeType& t = node_types[type];
  for (NodeId v = t.begin; v < t.begin + t.count; ++v) out.push_back(v);
  return out;
}

}  // namespace melograph
