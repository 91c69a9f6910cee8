// Metapath schemas for random walks: "user -listened-> song -by_artist-> artist
// -rev_by_artist-> song -rev_listened-> user".
//
// Grammar: TYPE ( '-' RELATION '->' TYPE )+, whitespace optional around arrows. RELATION is a
// relation name of the graph, or NAME^-1 for the inverse of NAME (the relation holding NAME's
// edges the other way round: rev_NAME, or NAME itself when NAME is symmetric).
//
// Contract:
//  * ParseMetapath resolves every hop to one relation id whose (head type, tail type) equals
//    the schema's (type before, type after) and throws UsageError naming the hop, the column and
//    the problem: syntax, unknown node type, unknown relation (listing the known names), or a
//    relation that does not join the two types (listing the pairs it does join).
//  * A schema is cyclic when its first and last types are equal; a cyclic schema repeats, so hop
//    s of a walk follows relations[s mod hops()]. An acyclic schema allows at most hops() hops.
//  * The empty text "" is the unrestricted schema (any relation at every hop, no type check):
//    homogeneous DeepWalk / node2vec walks.
// Parsing is done once at the boundary; walkers read relations[] without re-checking.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "graph/types.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

struct Metapath {
  std::string text;                   // as parsed
  std::vector<TypeId> types;          // hops() + 1 entries (empty when unrestricted)
  std::vector<RelationId> relations;  // hops() entries (empty when unrestricted)
  bool cyclic = false;

  bool unrestricted() const { return relations.empty(); }
  int32_t hops() const { return static_cast<int32_t>(relations.size()); }
  // Relation of a walk's hop at schema phase `phase` (hops since the walk (re)started);
  // nullopt when the hop may follow any relation. Requires phase < hops() for acyclic schemas.
  std::optional<RelationId> RelationAt(int64_t phase) const {
    if (relations.empty()) return std::nullopt;
    return relations[static_cast<size_t>(phase % static_cast<int64_t>(relations.size()))];
  }
  // Whether a walk at `phase` hops since its start can take another hop under the schema.
  bool CanContinue(int64_t phase) const { return unrestricted() || cyclic || phase < hops(); }
};

Metapath ParseMetapath(std::string_view text, std::span<const NodeType> node_types,
                       std::span<const Relation> relations);
Metapath ParseMetapath(std::string_view text, const Graph& graph);

// The graph's node-type and relation tables as recorded in a partition manifest (node type
// ranges are in GRAPH node ids).
std::vector<NodeType> NodeTypesOf(const proto::PartitionManifest& manifest);
std::vector<Relation> RelationsOf(const proto::PartitionManifest& manifest);

// Type of graph node v given the type table (types cover contiguous ascending ranges).
TypeId TypeOfNode(std::span<const NodeType> node_types, NodeId v);

}  // namespace melograph
