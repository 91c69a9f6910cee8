// RelationTable: the relation names and types a sampler filters by, read either from a graph
// (serial reference) or from a partition manifest (distributed run); both carry the same table
// in the same order, so relation ids agree. RelationSet: the relations one hop may follow.
//
// Contract:
//  * Resolve("by_artist|in_album") -> the sorted ids of every relation with one of those names
//    (a name may join several head/tail type pairs). "*" or "" means every relation. An unknown
//    name is a UsageError that lists the known names.
//  * ParseHopRelations("listened;by_artist|in_album", hops) -> one set per hop; an empty spec
//    means every relation at every hop; otherwise the number of ';'-separated entries must equal
//    the hop count (UsageError otherwise).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "graph/types.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

// The relations a hop may follow: every relation, or a sorted list of ids.
struct RelationSet {
  bool all = true;
  std::vector<RelationId> ids;  // sorted, unique; used only when !all
  bool Contains(RelationId r) const;
  bool operator==(const RelationSet&) const = default;
};

struct RelationInfo {
  std::string name;
  TypeId head_type = 0;
  TypeId tail_type = 0;
  bool operator==(const RelationInfo&) const = default;
};

// Node type ranges in GRAPH id space (types are contiguous in a graph).
struct TypeRange {
  std::string name;
  NodeId begin = 0;
  NodeId count = 0;
  bool operator==(const TypeRange&) const = default;
};

class RelationTable {
 public:
  RelationTable() = default;
  static RelationTable FromGraph(const Graph& graph);
  static RelationTable FromManifest(const proto::PartitionManifest& manifest);

  size_t size() const { return relations_.size(); }
  const RelationInfo& operator[](RelationId r) const { return relations_[r]; }
  const std::vector<RelationInfo>& relations() const { return relations_; }
  // Every id with this name (empty when unknown).
  std::vector<RelationId> Find(std::string_view name) const;
  RelationSet Resolve(std::string_view names) const;
  std::vector<RelationSet> ParseHopRelations(std::string_view spec, size_t hops) const;
  bool operator==(const RelationTable&) const = default;

 private:
  std::vector<RelationInfo> relations_;
};

std::vector<TypeRange> TypeRangesOf(const Graph& graph);
std::vector<TypeRange> TypeRangesOf(const proto::PartitionManifest& manifest);
// Index into `types` of the range holding graph id v (binary search); -1 if none.
int32_t TypeIndexOf(const std::vector<TypeRange>& types, NodeId v);

}  // namespace melograph
