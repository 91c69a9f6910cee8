#include "graph/graph.h"

#include <algorithm>

#include "common/error.h"

namespace melograph {

Graph::Graph(std::vector<NodeType> node_types, std::vector<Relation> relations,
             ArrayRef<EdgeIdx> row_ptr, ArrayRef<NodeId> col_idx, ArrayRef<RelationId> edge_relation,
             ArrayRef<float> edge_weight, NodeDictionary dictionary)
    : node_types_(std::move(node_types)),
      relations_(std::move(relations)),
      row_ptr_(std::move(row_ptr)),
      col_idx_(std::move(col_idx)),
      edge_relation_(std::move(edge_relation)),
      edge_weight_(std::move(edge_weight)),
      dictionary_(std::move(dictionary)) {
  num_nodes_ = row_ptr_.empty() ? 0 : static_cast<NodeId>(row_ptr_.size() - 1);
  Validate();
}

void Graph::Validate() const {
  if (row_ptr_.empty()) throw FormatError("graph: row_ptr is empty (needs num_nodes + 1 entries)");
  if (row_ptr_[0] != 0) throw FormatError("graph: row_ptr[0] is not 0");
  if (row_ptr_[row_ptr_.size() - 1] != static_cast<EdgeIdx>(col_idx_.size()))
    throw FormatError("graph: row_ptr[n] = " + std::to_string(row_ptr_[row_ptr_.size() - 1]) +
                      " but there are " + std::to_string(col_idx_.size()) + " edges");
  if (edge_relation_.size() != col_idx_.size() || edge_weight_.size() != col_idx_.size())
    throw FormatError("graph: per-edge arrays differ in length");
  NodeId expect = 0;
  for (const NodeType& t : node_types_) {
    if (t.begin != expect) throw FormatError("graph: node type '" + t.name + "' does not start where the previous ends");
    expect += t.count;
  }
  if (expect != num_nodes_) throw FormatError("graph: node types cover " + std::to_string(expect) + " nodes, CSR has " + std::to_string(num_nodes_));
  if (dictionary_.num_types() != node_types_.size()) throw FormatError("graph: dictionary has a different number of node types");
  for (size_t t = 0; t < node_types_.size(); ++t)
    if (dictionary_.type(static_cast<TypeId>(t)).count() != node_types_[t].count)
      throw FormatError("graph: dictionary of type '" + node_types_[t].name + "' has the wrong size");
  for (const Relation& r : relations_)
    if (r.head_type >= node_types_.size() || r.tail_type >= node_types_.size() || r.inverse >= relations_.size())
      throw FormatError("graph: relation '" + r.name + "' refers to an unknown type or inverse");
#if MELOGRAPH_ASSERT_LEVEL >= 1
  for (NodeId v = 0; v < num_nodes_; ++v)
    if (row_ptr_[v + 1] < row_ptr_[v]) throw FormatError("graph: row_ptr decreases at node " + std::to_string(v));
  const size_t num_rel = relations_.size();
  for (size_t e = 0; e < col_idx_.size(); ++e) {
    if (col_idx_[e] < 0 || col_idx_[e] >= num_nodes_) throw FormatError("graph: col_idx out of range at edge " + std::to_string(e));
    if (edge_relation_[e] >= num_rel) throw FormatError("graph: relation id out of range at edge " + std::to_string(e));
  }
#endif
}

std::pair<EdgeIdx, EdgeIdx> Graph::RelationRange(NodeId v, RelationId r) const {
  const RelationId* base = edge_relation_.data();
  const RelationId* lo = std::lower_bound(base + row_ptr_[v], base + row_ptr_[v + 1], r);
  const RelationId* hi = std::upper_bound(lo, base + row_ptr_[v + 1], r);
  return {lo - base, hi - base};
}

TypeId Graph::TypeOf(NodeId v) const {
  // Few types: a linear scan beats a binary search.
  for (size_t t = node_types_.size(); t-- > 0;)
    if (v >= node_types_[t].begin) return static_cast<TypeId>(t);
  return 0;
}

std::optional<TypeId> Graph::FindType(std::string_view name) const {
  for (size_t t = 0; t < node_types_.size(); ++t)
    if (node_types_[t].name == name) return static_cast<TypeId>(t);
  return std::nullopt;
}

std::vector<RelationId> Graph::FindRelations(std::string_view name) const {
  std::vector<RelationId> out;
  for (size_t r = 0; r < relations_.size(); ++r)
    if (relations_[r].name == name) out.push_back(static_cast<RelationId>(r));
  return out;
}

std::string_view Graph::KeyId(NodeId v) const {
  const TypeId t = TypeOf(v);
  return dictionary_.type(t).Id(v - node_types_[t].begin);
}

std::string Graph::Key(NodeId v) const {
  const TypeId t = TypeOf(v);
  std::string s = node_types_[t].name;
  s += ':';
  s += dictionary_.type(t).Id(v - node_types_[t].begin);
  return s;
}

std::optional<NodeId> Graph::Find(std::string_view key) const {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto t = FindType(key.substr(0, colon));
  if (!t) return std::nullopt;
  const auto local = dictionary_.type(*t).Find(key.substr(colon + 1));
  if (!local) return std::nullopt;
  return node_types_[*t].begin + *local;
}

}  // namespace melograph
