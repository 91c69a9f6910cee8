// Graph merge for incremental updates (contract in online/graph_merge.h).
#include "online/graph_merge.h"

#include <algorithm>
#include <unordered_map>

#include "common/error.h"
#include "common/hash.h"
#include "graph/graph_builder.h"

namespace melograph {
namespace {

// Splits a well-formed "type:id" key.
std::pair<std::string_view, std::string_view> SplitTypedKey(std::string_view key) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size())
    throw UsageError("graph merge: malformed node key '" + std::string(key) + "'");
  return {key.substr(0, colon), key.substr(colon + 1)};
}

struct EdgeKey {
  NodeId head;
  RelationId relation;
  NodeId tail;
  bool operator==(const EdgeKey&) const = default;
};
struct EdgeKeyHash {
  size_t operator()(const EdgeKey& k) const {
    return static_cast<size_t>(HashCombine(static_cast<uint64_t>(k.head),
                                           static_cast<uint64_t>(k.relation),
                                           static_cast<uint64_t>(k.tail)));
  }
};

// The old relation id of (name, head type, tail type), forward direction, or -1.
int FindForwardRelation(const Graph& g, std::string_view name, TypeId head, TypeId tail) {
  for (size_t r = 0; r < g.relations().size(); ++r) {
    const Relation& rel = g.relations()[r];
    if (!rel.is_reverse && rel.name == name && rel.head_type == head && rel.tail_type == tail)
      return static_cast<int>(r);
  }
  return -1;
}

}  // namespace

std::optional<float> FindEdgeWeight(const Graph& graph, NodeId head, const std::string& relation,
                                    NodeId tail) {
  for (const RelationId r : graph.FindRelations(relation)) {
    const Relation& rel = graph.relations()[r];
    if (rel.is_reverse || rel.head_type != graph.TypeOf(head) || rel.tail_type != graph.TypeOf(tail))
      continue;
    const auto [first, last] = graph.RelationRange(head, r);
    const auto cols = graph.col_idx();
    const auto it = std::lower_bound(cols.begin() + first, cols.begin() + last, tail);
    if (it != cols.begin() + last && *it == tail)
      return graph.edge_weight()[static_cast<size_t>(it - cols.begin())];
  }
  return std::nullopt;
}

Graph MergeGraph(const Graph& old_graph, const std::vector<DeltaTriple>& delta,
                 const std::vector<std::string>& default_symmetric, GraphMergeStats* stats) {
  GraphMergeStats local;
  GraphMergeStats& s = stats ? *stats : local;
  s = GraphMergeStats{};
  // Symmetric set: the old graph's, plus defaults for relation names it does not have.
  std::vector<std::string> symmetric;
  for (const Relation& rel : old_graph.relations())
    if (rel.symmetric) symmetric.push_back(rel.name);
  for (const std::string& name : default_symmetric)
    if (old_graph.FindRelations(name).empty()) symmetric.push_back(name);
  std::sort(symmetric.begin(), symmetric.end());
  symmetric.erase(std::unique(symmetric.begin(), symmetric.end()), symmetric.end());
  s.symmetric_relations = symmetric;

  // Old edges a `replace` delta overrides, keyed by old ids.
  std::unordered_map<EdgeKey, bool, EdgeKeyHash> replaced;
  for (const DeltaTriple& t : delta) {
    if (!t.replace) continue;
    const auto head = old_graph.Find(t.head);
    const auto tail = old_graph.Find(t.tail);
    if (!head || !tail) continue;
    const int r = FindForwardRelation(old_graph, t.relation, old_graph.TypeOf(*head),
                                      old_graph.TypeOf(*tail));
    if (r < 0) continue;
    NodeId h = *head, tl = *tail;
    if (old_graph.relations()[static_cast<size_t>(r)].symmetric && tl < h) std::swap(h, tl);
    replaced.emplace(EdgeKey{h, static_cast<RelationId>(r), tl}, true);
  }

  GraphBuildOptions options;
  options.symmetric_relations = symmetric;
  options.duplicates = DuplicatePolicy::kSum;
  GraphBuilder builder(options);
  const auto& types = old_graph.node_types();
  for (const NodeType& t : types)
    for (NodeId v = t.begin; v < t.begin + t.count; ++v) builder.AddNode(t.name, old_graph.KeyId(v));
  const auto row_ptr = old_graph.row_ptr();
  const auto cols = old_graph.col_idx();
  const auto rels = old_graph.edge_relation();
  const auto weights = old_graph.edge_weight();
  for (NodeId v = 0; v < old_graph.num_nodes(); ++v) {
    const NodeType& vt = types[old_graph.TypeOf(v)];
    for (EdgeIdx e = row_ptr[v]; e < row_ptr[v + 1]; ++e) {
      const Relation& rel = old_graph.relations()[rels[e]];
      const NodeId u = cols[e];
      if (rel.is_reverse || (rel.symmetric && u < v)) continue;
      if (!replaced.empty() && replaced.count(EdgeKey{v, rels[e], u})) {
        ++s.old_edges_replaced;
        continue;
      }
      builder.AddEdge(vt.name, old_graph.KeyId(v), rel.name, types[rel.tail_type].name,
                      old_graph.KeyId(u), weights[e]);
      ++s.old_edges_emitted;
    }
  }
  for (const DeltaTriple& t : delta) {
    const auto [ht, hid] = SplitTypedKey(t.head);
    const auto [tt, tid] = SplitTypedKey(t.tail);
    builder.AddEdge(ht, hid, t.relation, tt, tid, t.weight);
    ++s.delta_triples;
  }
  Graph merged = builder.Build();
  s.new_nodes = merged.num_nodes() - old_graph.num_nodes();
  return merged;
}

std::vector<NodeId> MapOldNodes(const Graph& old_graph, const Graph& merged) {
  std::vector<NodeId> map(static_cast<size_t>(old_graph.num_nodes()));
  for (NodeId v = 0; v < old_graph.num_nodes(); ++v) {
    const std::string key = old_graph.Key(v);
    const auto id = merged.Find(key);
    if (!id) throw FormatError("graph merge: old node " + key + " is missing from the merged graph");
    map[static_cast<size_t>(v)] = *id;
  }
  return map;
}

}  // namespace melograph
