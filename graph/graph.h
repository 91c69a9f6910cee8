// Graph: the typed, weighted multi-relational graph every later stage reads.
//
// Layout (all flat arrays, see docs/FORMATS.md):
//  * node ids are dense in [0, num_nodes); each node type owns one contiguous range
//    [type.begin, type.begin + type.count), types in manifest order;
//  * CSR over all relations: row_ptr (num_nodes+1, EdgeIdx), col_idx (NodeId), and per-edge
//    edge_relation (RelationId) and edge_weight (float) parallel to col_idx;
//  * each row is sorted by (relation, neighbour), so the neighbours of v under relation r are one
//    contiguous range (RelationRange);
//  * every stored relation has its reverse stored too (`rev_<name>`, or the relation itself when
//    it is symmetric), so out-edges of v cover all its incident edges.
//  * keys: per type, the ids after "type:" (NodeDictionary).
//
// Contract: a Graph is immutable and safe to read from many threads. Construction (builder or
// loader) validates the arrays once; accessors do not re-check.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/array_ref.h"
#include "graph/node_dictionary.h"
#include "graph/types.h"

namespace melograph {

struct NodeType {
  std::string name;
  NodeId begin = 0;
  NodeId count = 0;
};

struct Relation {
  std::string name;           // e.g. "listened", "rev_listened", "friend"
  TypeId head_type = 0;       // type of the row node
  TypeId tail_type = 0;       // type of the neighbour
  bool is_reverse = false;    // true for rev_<name> relations added by the builder
  bool symmetric = false;     // stored in both directions under one name
  RelationId inverse = 0;     // the relation that holds the same edges the other way round
  int64_t edge_count = 0;     // stored CSR entries with this relation
};

class Graph {
 public:
  Graph() = default;
  Graph(std::vector<NodeType> node_types, std::vector<Relation> relations, ArrayRef<EdgeIdx> row_ptr,
        ArrayRef<NodeId> col_idx, ArrayRef<RelationId> edge_relation, ArrayRef<float> edge_weight,
        NodeDictionary dictionary);

  NodeId num_nodes() const { return num_nodes_; }
  EdgeIdx num_edges() const { return static_cast<EdgeIdx>(col_idx_.size()); }

  std::span<const EdgeIdx> row_ptr() const { return row_ptr_.span(); }
  std::span<const NodeId> col_idx() const { return col_idx_.span(); }
  std::span<const RelationId> edge_relation() const { return edge_relation_.span(); }
  std::span<const float> edge_weight() const { return edge_weight_.span(); }

  EdgeIdx degree(NodeId v) const { return row_ptr_[v + 1] - row_ptr_[v]; }
  std::span<const NodeId> out_neighbors(NodeId v) const {
    return col_idx_.span().subspan(row_ptr_[v], row_ptr_[v + 1] - row_ptr_[v]);
  }
  // Edge index range [first, second) of v's neighbours under relation r.
  std::pair<EdgeIdx, EdgeIdx> RelationRange(NodeId v, RelationId r) const;

  const std::vector<NodeType>& node_types() const { return node_types_; }
  const std::vector<Relation>& relations() const { return relations_; }
  TypeId TypeOf(NodeId v) const;
  std::optional<TypeId> FindType(std::string_view name) const;
  // All relation ids with this name (a name may join several head/tail type pairs).
  std::vector<RelationId> FindRelations(std::string_view name) const;

  // "type:id" of node v.
  std::string Key(NodeId v) const;
  // The id part of node v's key (after "type:").
  std::string_view KeyId(NodeId v) const;
  std::optional<NodeId> Find(std::string_view key) const;
  const NodeDictionary& dictionary() const { return dictionary_; }

  // The CSR arrays this graph alone owns in anonymous memory (built in this process: not loaded,
  // not shared with a copy); nullptr for the others. For SaveGraph(Graph&&), which discards
  // their pages as it writes them: the graph is then being consumed, and no longer read.
  struct SoleArrays {
    AnonymousArray<EdgeIdx>* row_ptr = nullptr;
    AnonymousArray<NodeId>* col_idx = nullptr;
    AnonymousArray<RelationId>* edge_relation = nullptr;
    AnonymousArray<float>* edge_weight = nullptr;
  };
  SoleArrays sole_arrays() {
    return {row_ptr_.sole_anonymous(), col_idx_.sole_anonymous(), edge_relation_.sole_anonymous(),
            edge_weight_.sole_anonymous()};
  }

 private:
  void Validate() const;
  NodeId num_nodes_ = 0;
  std::vector<NodeType> node_types_;
  std::vector<Relation> relations_;
  ArrayRef<EdgeIdx> row_ptr_;
  ArrayRef<NodeId> col_idx_;
  ArrayRef<RelationId> edge_relation_;
  ArrayRef<float> edge_weight_;
  NodeDictionary dictionary_;
};

}  // namespace melograph
