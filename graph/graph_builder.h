// GraphBuilder: typed edges in, a CSR Graph out.
//
// Contract:
//  * Node ids: node types are ordered by name; within a type, ids are ordered by the id bytes,
//    so a graph does not depend on the order of its input lines.
//  * Relations are identified by (name, head type, tail type). For each one the builder stores
//    its reverse `rev_<name>` (tail -> head), except for relations named in `symmetric`, which
//    are undirected: (a,b) and (b,a) are the same edge, stored once per direction under the
//    relation's own name. Relation order: forward relations by (name, head, tail), each followed
//    by its reverse.
//  * Duplicate (head, relation, tail) edges merge by `duplicates` (sum weights by default).
//  * Memory: 14 bytes per added edge while accumulating, 10 bytes per stored CSR entry (two per
//    directed edge) plus 8 bytes per node when building; keys cost their bytes + ~40 B per node.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "graph/string_interner.h"

namespace melograph {

enum class DuplicatePolicy { kSum, kMax, kFirst, kLast };
DuplicatePolicy ParseDuplicatePolicy(std::string_view s);  // "sum|max|first|last"
std::string_view ToString(DuplicatePolicy p);

struct GraphBuildOptions {
  std::vector<std::string> symmetric_relations;
  DuplicatePolicy duplicates = DuplicatePolicy::kSum;
};

struct GraphBuildStats {
  int64_t edges_added = 0;
  int64_t duplicate_edges_merged = 0;  // CSR entries removed by merging
};

class GraphBuilder {
 public:
  explicit GraphBuilder(GraphBuildOptions options = {});

  void AddNode(std::string_view type, std::string_view id);
  void AddEdge(std::string_view head_type, std::string_view head_id, std::string_view relation,
               std::string_view tail_type, std::string_view tail_id, float weight = 1.0f);
  // Same, from full keys "type:id" (must be well formed).
  void AddEdgeKeys(std::string_view head_key, std::string_view relation, std::string_view tail_key,
                   float weight = 1.0f);

  int64_t edges_added() const { return static_cast<int64_t>(src_.size() + pending_.size()); }
  // Builds the graph; the builder is left empty.
  Graph Build(GraphBuildStats* stats = nullptr);

 private:
  struct TypeSlot {
    std::string name;
    StringInterner ids;
  };
  struct RelationKey {
    std::string name;
    int32_t head_type;
    int32_t tail_type;
  };
  int32_t TypeIndex(std::string_view type);
  int32_t RelationIndex(std::string_view name, int32_t head_type, int32_t tail_type);
  // Interns the ids of the pending edges (hashes and prefetches the whole batch first, so the
  // interner's cache misses overlap) and appends them to the accumulated edges, in order.
  void FlushPending();

  // AddEdge queues edges here: ids copied into pending_ids_, interned kPendingBatch at a time.
  struct PendingEdge {
    uint32_t head_offset, head_size, tail_offset, tail_size;
    int32_t relation;
    float weight;
  };
  static constexpr size_t kPendingBatch = 64;

  GraphBuildOptions options_;
  std::vector<TypeSlot> types_;
  StringInterner type_names_;
  std::vector<RelationKey> relations_;
  int32_t last_relation_ = -1;
  // Accumulated edges, type-local ids.
  std::vector<int32_t> src_;
  std::vector<int32_t> dst_;
  std::vector<uint16_t> rel_;
  std::vector<float> weight_;
  std::vector<PendingEdge> pending_;
  std::string pending_ids_;
  // The last interned head (type and id): triple files usually list one head's edges together
  // (a user's listens, a song's catalog relations), so a head equal to the previous edge's is
  // not hashed or probed again.
  int32_t last_head_type_ = -1;
  int32_t last_head_ = -1;
  std::string last_head_id_;
};

// Convenience for tests: builds a graph from "type:id" keys.
struct KeyEdge {
  std::string head;
  std::string relation;
  std::string tail;
  float weight = 1.0f;
};
Graph MakeGraph(const std::vector<KeyEdge>& edges, GraphBuildOptions options = {});

}  // namespace melograph
