// Metapath-guided random walks (DeepWalk / metapath2vec / node2vec / PinSage-style restart):
// the walk definition, the per-hop draw shared by the serial reference and the distributed
// walker (sampler/dist_random_walk.h), and the serial reference over a whole Graph.
//
// A walk is identified by (start node, repetition j in [0, walks_per_node)). Hop `step`
// (0-based, step < walk_length) of walk (s, j) draws from
//     Rng(HashCombine(seed, kWalkTag, epoch, s, j, step))
// in this order:
//  1. restart > 0 only: one UniformDouble coin; coin < restart, or an acyclic schema fully
//     walked, sends the walker back to s (phase 0, no previous node). The start node reappears
//     in the path.
//  2. otherwise the candidates are the current row's entries of the schema's relation for this
//     phase (RelationRange; the whole row when the schema is unrestricted), in row order
//     (relation, then ORIGINAL neighbour id: identical in the graph and in every shard). With no
//     candidate the walk ENDS there (dead end: the path is shorter than walk_length + 1).
//  3. the next position: Uniform(n) for unweighted first-order walks; otherwise
//     PickOneWeighted with weight(i) = (weighted ? edge weight : 1) * alpha(i), where for
//     node2vec (p or q != 1, and a previous node t exists) alpha = 1/p if the candidate is t,
//     1 if it is adjacent to t (any relation: t's full row, which holds every incident edge),
//     1/q otherwise. Entries of weight <= 0 are never taken; if none is positive: dead end.
// Nothing depends on rank or thread ids, so walks are identical at any rank count and under
// any partition. Paths are in GRAPH node ids and start with s.
//
// Visit counts (restart): TopVisited counts, per start node over all its walks, the visits of
// nodes of the START NODE'S TYPE other than the start itself, and keeps the `top` most visited
// (ties: smaller node id first): the importance neighbourhood of PinSage.
//
// Contract: ValidateWalkRequest (called by both implementations) throws UsageError for
// walk_length < 1, walks_per_node < 1, p or q <= 0, restart outside [0, 1), a walk_length
// longer than an acyclic schema without restart, duplicate start nodes, or a start node whose
// type is not the schema's first type. Cost per hop: O(log deg) to find the relation range,
// O(1) for a uniform draw, O(n) for a weighted draw and O(n log deg(t)) for node2vec.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/hash.h"
#include "graph/graph.h"
#include "sampler/metapath.h"
#include "sampler/pick.h"

namespace melograph {

inline constexpr uint64_t kWalkTag = 0x77616c6b;  // "walk"

struct WalkOptions {
  int32_t walk_length = 10;    // hops per walk; a path has up to walk_length + 1 nodes
  int32_t walks_per_node = 1;  // repetitions per start node
  bool weighted = false;       // draw proportionally to edge weight
  double p = 1.0;              // node2vec return parameter
  double q = 1.0;              // node2vec in-out parameter
  double restart = 0.0;        // probability to jump back to the start node at each hop
  uint64_t seed = 1;
  uint64_t epoch = 0;

  bool second_order() const { return p != 1.0 || q != 1.0; }
};

// Paths of many walks, CSR style, in the order walks were requested: for each start node (in
// the given order) its repetitions 0..walks_per_node-1.
struct Walks {
  std::vector<NodeId> start;          // per walk: start node (graph id)
  std::vector<int32_t> repetition;    // per walk
  std::vector<int64_t> offsets{0};    // num_walks() + 1
  std::vector<NodeId> nodes;          // graph ids; walk i is nodes[offsets[i], offsets[i+1])

  int64_t num_walks() const { return static_cast<int64_t>(start.size()); }
  std::span<const NodeId> walk(int64_t i) const {
    return std::span<const NodeId>(nodes).subspan(static_cast<size_t>(offsets[i]),
                                                  static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
  int64_t hops() const { return static_cast<int64_t>(nodes.size()) - num_walks(); }
  bool operator==(const Walks&) const = default;
};

struct VisitCount {
  NodeId node = 0;
  int64_t visits = 0;
  bool operator==(const VisitCount&) const = default;
};

void ValidateWalkRequest(const Metapath& metapath, std::span<const NodeType> node_types,
                         std::span<const NodeId> starts, const WalkOptions& options);

inline Rng WalkRng(const WalkOptions& o, NodeId start, int32_t repetition, int32_t step) {
  return Rng(HashCombine(o.seed, kWalkTag, o.epoch, static_cast<uint64_t>(start),
                         static_cast<uint64_t>(repetition), static_cast<uint64_t>(step)));
}

// Step 1 of a hop: true when the walker jumps back to its start node.
inline bool DrawRestart(const WalkOptions& o, const Metapath& m, int64_t phase, Rng& rng) {
  if (!(o.restart > 0.0)) return false;
  const double coin = rng.UniformDouble();
  return coin < o.restart || !m.CanContinue(phase);
}

// Step 3 of a hop over candidates cols/weights (ids in any id space, consistently with
// `prev`; prev == kInvalidNode when there is no previous node). `is_prev_neighbor(x)` tells
// whether x is adjacent to prev. Returns the chosen position or -1 (dead end).
template <typename IsPrevNeighbor>
int64_t DrawNeighbor(const WalkOptions& o, std::span<const NodeId> cols, std::span<const float> weights,
                     NodeId prev, IsPrevNeighbor&& is_prev_neighbor, Rng& rng) {
  const int64_t n = static_cast<int64_t>(cols.size());
  if (n == 0) return -1;
  const bool second_order = o.second_order() && prev != kInvalidNode;
  if (!o.weighted && !second_order) return static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(n)));
  const double inv_p = 1.0 / o.p, inv_q = 1.0 / o.q;
  return PickOneWeighted(
      n,
      [&](int64_t i) {
        double w = o.weighted ? static_cast<double>(weights[static_cast<size_t>(i)]) : 1.0;
        if (second_order) {
          const NodeId x = cols[static_cast<size_t>(i)];
          w *= x == prev ? inv_p : (is_prev_neighbor(x) ? 1.0 : inv_q);
        }
        return w;
      },
      rng);
}

// [first, second) edge positions of row [row_begin, row_end) with relation r (rows are sorted
// by relation): a binary search.
std::pair<EdgeIdx, EdgeIdx> RelationSpan(std::span<const RelationId> edge_relation, EdgeIdx row_begin,
                                         EdgeIdx row_end, RelationId r);

// Sorted distinct neighbour ids of one row (node2vec's "adjacent to t" test), into `out`.
void SortedNeighborSet(std::span<const NodeId> row, std::vector<NodeId>& out);

// The serial reference: every walk of every start node over the whole graph.
Walks RandomWalksReference(const Graph& graph, const Metapath& metapath, std::span<const NodeId> starts,
                           const WalkOptions& options);

// Importance neighbourhoods from walks (see the header comment); one list per distinct start
// node in order of first appearance. Walks of one start node need not be adjacent.
std::vector<std::vector<VisitCount>> TopVisited(const Walks& walks, std::span<const NodeType> node_types,
                                                int32_t top);

// All graph nodes of a type, ascending (default start nodes of a schema).
std::vector<NodeId> NodesOfType(std::span<const NodeType> node_types, TypeId type);

}  // namespace melograph
