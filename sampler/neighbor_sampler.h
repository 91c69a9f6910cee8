// Multi-hop neighbour sampling (GraphSAGE / DGL-style blocks), distributed by owner-compute,
// with a serial reference that gives identical output.
//
// Sample(seeds, epoch, step) -> SampledSubgraph (sampler/block.h), node ids = GRAPH ids:
//   frontier_0 = seeds de-duplicated (first occurrence order);
//   hop h = 0..L-1 (hop 0 is nearest the seeds): for every frontier node v, pick up to
//   fanouts[h] positions of v's row among the relations in relations[h] (sampler/row_pick.h:
//   uniform, or weight-proportional when `weighted`; without replacement; all when the row is
//   short), with Rng RowRng(seed, epoch, step, h, v). Block blocks[L-1-h] has dst = frontier_h,
//   src = dst then each new neighbour once (first occurrence, scanning dst in order and each
//   row's picks in row order); frontier_{h+1} = that block's src.
// The sample of a row depends only on (seed, epoch, step, hop, node, row contents), never on the
// rank, the thread, the partition or the rest of the batch, so DistNeighborSampler on any
// partition and rank count equals SerialNeighborSampler for the same seeds (tested).
//
// DistNeighborSampler: each rank samples its own mini-batch; a hop's rows are picked by their
// owners in ONE OwnerCompute round (sampler/owner_compute.h) for the whole frontier. Rows this
// rank holds (owned, or hub replicas: DistGraph::RowRank) are picked in place, never sent. Sample is
// a collective: every rank calls it the same number of times (an empty seed list is fine).
// Cost per hop: O(frontier + sampled edges) time; de-duplication uses a generation-stamped
// array over the graph's nodes (8 bytes per node, allocated once), no hash sets; no per-row
// allocation (buffers are reused across calls, also `out` when passed back in).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sampler/block.h"
#include "sampler/dist_graph.h"
#include "sampler/owner_compute.h"
#include "sampler/relation_table.h"

namespace melograph {

struct NeighborSamplerOptions {
  std::vector<int32_t> fanouts;        // hop 0 (nearest the seeds) first; -1 = every neighbour
  std::vector<RelationSet> relations;  // one per hop; empty = every relation at every hop
  bool weighted = false;               // edge-weight-proportional instead of uniform
  uint64_t seed = 1;
};

// "10,10" -> {10, 10}; UsageError for an empty list or an entry that is not -1 or in [1, 10^6].
std::vector<int32_t> ParseFanouts(std::string_view list);

// The requester's work item of a hop, sent once per destination with its row requests.
struct HopContext {
  int64_t epoch;
  int64_t step;
  int32_t hop;
  int32_t unused;
};

// One picked edge of a row, as the owner returns it (neighbour already a GRAPH id).
struct SampledEdge {
  NodeId neighbor;
  float weight;
  RelationId relation;
};

// Generation-stamped node -> index map used to de-duplicate frontiers and build blocks.
class BlockBuilder {
 public:
  explicit BlockBuilder(NodeId num_nodes) : slot_(static_cast<size_t>(num_nodes)) {}
  // seeds de-duplicated in first-occurrence order, appended to `out` (cleared first).
  void Dedup(std::span<const NodeId> nodes, std::vector<NodeId>& out);
  // Builds `block` from its destinations and their picked edges (offsets: dst.size() + 1).
  void Build(std::span<const NodeId> dst, std::span<const int64_t> offsets, std::span<const SampledEdge> edges,
             Block& block);

 private:
  struct Slot {
    uint32_t stamp = 0;
    int32_t index = 0;
  };
  void NextGeneration();
  std::vector<Slot> slot_;
  uint32_t generation_ = 0;
};

class SerialNeighborSampler {
 public:
  SerialNeighborSampler(const SerialGraph& graph, NeighborSamplerOptions options);
  void Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step, SampledSubgraph& out);
  SampledSubgraph Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step) {
    SampledSubgraph out;
    Sample(seeds, epoch, step, out);
    return out;
  }

 private:
  const SerialGraph& graph_;
  NeighborSamplerOptions options_;
  BlockBuilder builder_;
  std::vector<int64_t> offsets_;
  std::vector<SampledEdge> edges_;
};

class DistNeighborSampler {
 public:
  DistNeighborSampler(const DistGraph& graph, NeighborSamplerOptions options);
  // Collective.
  void Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step, SampledSubgraph& out);
  SampledSubgraph Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step) {
    SampledSubgraph out;
    Sample(seeds, epoch, step, out);
    return out;
  }
  // Rows requested, remote rows, sampled edges received (remote_items) and bytes moved.
  const OwnerComputeStats& exchange_stats() const { return exchange_.stats(); }
  void ResetStats() { exchange_.ResetStats(); }

 private:
  const DistGraph& graph_;
  NeighborSamplerOptions options_;
  BlockBuilder builder_;
  OwnerCompute<NodeId, SampledEdge, HopContext> exchange_;
  std::vector<NodeId> requests_;
  std::vector<int32_t> owners_;
};

}  // namespace melograph
