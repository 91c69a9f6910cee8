// Sampled computation graphs: what the neighbour sampler produces and GNN layers consume.
//
// A Block is one message-passing layer (DGL's "block"): messages flow from `src` nodes to `dst`
// nodes along sampled edges. `src` starts with `dst` in the same order (src[i] == dst[i] for
// i < dst.size()), then lists the other source nodes, each once. Edges are grouped by destination
// in CSR form: the edges into dst[i] are [edge_offsets[i], edge_offsets[i+1]), each with the index
// of its source in `src`, its relation id and its stored weight. Within a destination, edges keep
// the order of the node's adjacency row (relation, then original neighbour id).
//
// A SampledSubgraph for seeds S and fanouts [f1, ..., fL] holds L blocks, outermost first
// (GNN input order): blocks[L-1].dst == S (de-duplicated, first occurrence order) and
// blocks[l].dst == blocks[l+1].src. Node ids are GRAPH node ids (the graph directory's dense ids,
// never partition-renumbered ids), so a subgraph is comparable across partitions and rank counts.
//
// FirstDifference(expected, got) names the first field where two subgraphs differ ("" if equal),
// for verifiers and tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/types.h"

namespace melograph {

struct Block {
  std::vector<NodeId> dst;
  std::vector<NodeId> src;             // dst first, then new source nodes
  std::vector<int64_t> edge_offsets;   // dst.size() + 1
  std::vector<int32_t> edge_src;       // index into src
  std::vector<RelationId> edge_relation;
  std::vector<float> edge_weight;

  int64_t num_edges() const { return static_cast<int64_t>(edge_src.size()); }
  bool operator==(const Block&) const = default;
};

struct SampledSubgraph {
  std::vector<NodeId> seeds;  // as given (may repeat); blocks.back().dst is their de-duplication
  std::vector<Block> blocks;  // outermost hop first
  bool operator==(const SampledSubgraph&) const = default;
};

std::string FirstDifference(const SampledSubgraph& expected, const SampledSubgraph& got);

}  // namespace melograph
