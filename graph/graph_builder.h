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
//  * Memory: 7 bytes and 1 bit per added edge while accumulating, plus 4 per weight outside the
//    first 255 distinct ones and 4 per run of one head (~8.1 B per edge on build-kg's
//    train.tsv, 15.2 B when heads never repeat and weights never do); 10 bytes per stored
//    CSR entry (two per directed edge) plus 8 bytes per node when building; keys cost their
//    bytes + ~40 B per node. The accumulated edges are kept in chunks that Build frees one by
//    one as it fills the CSR (both in their own mappings, common/anonymous_array.h), so the two
//    overlap only partly; the CSR is on huge pages (from `huge_page_csr_entries` on, by default
//    always) and resident from the start of the fill (faster; ~3 B per edge more at 10^6).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/anonymous_array.h"
#include "common/short_text.h"
#include "graph/graph.h"
#include "graph/string_interner.h"

namespace melograph {

enum class DuplicatePolicy { kSum, kMax, kFirst, kLast };
DuplicatePolicy ParseDuplicatePolicy(std::string_view s);  // "sum|max|first|last"
std::string_view ToString(DuplicatePolicy p);

struct GraphBuildOptions {
  std::vector<std::string> symmetric_relations;
  DuplicatePolicy duplicates = DuplicatePolicy::kSum;
  // CSR arrays of this many stored entries or more are built on huge pages (Build explains the
  // trade: faster fill, higher peak). 0, the default: always (arrays under 1 MiB get 4 KiB
  // pages anyway, common/huge_pages.h).
  int64_t huge_page_csr_entries = 0;
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
  // Same as AddEdge with the head type, relation and tail type of the previous AddEdge (or
  // AddEdgeLikeLast): for a reader that knows they repeat (TripleRecord::same_kind), which spares
  // comparing the names again. UsageError when no edge was added since construction or Build.
  void AddEdgeLikeLast(std::string_view head_id, std::string_view tail_id, float weight = 1.0f);
  // Same, from full keys "type:id" (must be well formed).
  void AddEdgeKeys(std::string_view head_key, std::string_view relation, std::string_view tail_key,
                   float weight = 1.0f);

  int64_t edges_added() const { return static_cast<int64_t>(AccumulatedEdges() + pending_.size()); }
  // Builds the graph; the builder is left empty. Before the CSR, where its peak is, it returns
  // the process's free heap memory to the system (ReleaseFreeHeap, common/resource.h).
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
    int32_t successor = -1;  // the relation AddEdge last met right after this one (a hint)
  };
  int32_t TypeIndex(std::string_view type);
  int32_t RelationIndex(std::string_view name, int32_t head_type, int32_t tail_type);
  // Interns the ids of the pending edges (hashes and prefetches the whole batch first, so the
  // interner's cache misses overlap) and appends them to the accumulated edges, in order.
  void FlushPending();
  // Queues an edge of relation r (AddEdge's second half).
  void Queue(int32_t r, std::string_view head_id, std::string_view tail_id, float weight);

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
  // Accumulated edges, type-local ids, in chunks of 1K doubling up to kMaxChunkEdges edges.
  // Heads are run-length coded (triple files list one head's edges together: 86% of the lines
  // of build-kg's train.tsv repeat the previous head): a run is a local head id, and one bit per
  // edge marks where a run starts, so an edge costs 6 bytes + 1 bit + its weight (below) + 4
  // bytes per run. Runs compare local ids only; each edge's relation gives the head's type.
  // Weights are coded: the first 255 distinct values (by bits) get a byte each, any other is
  // code 255 and goes to the chunk's exceptions, in edge order (on build-kg's train.tsv 89-90%
  // of edges have a coded weight: 1.4 B per edge instead of 4, so ~8.1 B per edge in all). One
  // anonymous mapping per chunk holds its arrays (at 10^9 edges that is ~1,900 mappings, far
  // below Linux's default of 65,530).
  struct EdgeChunk {
    explicit EdgeChunk(size_t capacity);
    EdgeChunk(EdgeChunk&&) noexcept = default;
    EdgeChunk& operator=(EdgeChunk&&) noexcept = default;
    bool StartsRun(size_t i) const { return (run_start[i / 64] >> (i % 64)) & 1; }
    size_t capacity() const { return capacity_; }
    AnonymousArray<uint64_t> memory;
    uint64_t* run_start = nullptr;  // bit i: edge i starts a run
    int32_t* dst = nullptr;
    int32_t* run_src = nullptr;     // head of the r-th run
    float* exception = nullptr;     // weights coded 255, in edge order
    uint16_t* rel = nullptr;
    uint8_t* weight_code = nullptr;
    size_t size = 0;
    size_t runs = 0;
    size_t exceptions = 0;

   private:
    size_t capacity_ = 0;
  };
  static constexpr size_t kMaxChunkEdges = size_t{1} << 19;  // 7 MiB: huge pages (common/huge_pages.h)
  void Append(int32_t src, int32_t dst, int32_t relation, float weight);
  // The weight's code (see EdgeChunk): a small open-addressing table from bits to code.
  uint8_t WeightCode(uint32_t bits, float weight);  // bits: the weight's
  static constexpr uint8_t kUncodedWeight = 255;
  std::vector<float> weight_values_;  // code -> weight
  struct WeightSlot {
    uint32_t bits = 0;
    int16_t code = -1;  // -1: empty
  };
  std::array<WeightSlot, 512> weight_slots_{};  // at most 255 codes: load <= 1/2, 4 KB
  // The previous edge's weight (bits) and code; kNoWeightCode until an edge is added.
  static constexpr uint16_t kNoWeightCode = 256;
  uint32_t last_weight_bits_ = 0;
  uint16_t last_weight_code_ = kNoWeightCode;
  // Build's first step on the chunks: a last chunk at most half full is copied into one of its
  // size (on 4 KiB pages), so its unused capacity holds no resident huge pages at the peak.
  void TrimLastChunk();
  size_t AccumulatedEdges() const {
    size_t n = 0;
    for (const EdgeChunk& c : chunks_) n += c.size;
    return n;
  }
  std::vector<EdgeChunk> chunks_;
  std::vector<PendingEdge> pending_;
  TextBuffer pending_ids_;
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
