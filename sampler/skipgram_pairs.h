// Skip-gram (center, context) pairs from random walks (DeepWalk, node2vec, metapath2vec).
//
// For each walk, in walk order, the walk's FILTERED sequence keeps a position when
//  * the node's type is in keep_types (all types when empty), and
//  * subsampling is off (subsample == 0), or the word2vec keep test passes: with the node's
//    frequency f = count / total over `node_counts` (occurrences in all walks; computed from
//    `walks` when node_counts is empty), keep with probability min(1, sqrt(t/f) + t/f) for
//    t = subsample, drawing UniformDouble from Rng(HashCombine(seed, kSkipGramTag, epoch,
//    walk start, repetition, position in the walk)).
// Then for every center index i of the filtered sequence (ascending) and every context index j
// in [i - window, i + window], j != i (ascending), the pair (node i, node j) is emitted unless the
// two are the same node (a walk that returns to a node gives no self pair).
// So the order is deterministic and the pairs of a walk depend only on the walk, the options and
// the global counts: identical at any rank count when node_counts are global (allreduced).
//
// Contract: UsageError for window < 1, subsample < 0, or node_counts of the wrong length.
// Cost: O(sum of filtered walk lengths x 2 window).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/graph.h"
#include "sampler/random_walk.h"

namespace melograph {

inline constexpr uint64_t kSkipGramTag = 0x736b6970;  // "skip"

struct SkipGramOptions {
  int32_t window = 5;
  std::vector<TypeId> keep_types;  // empty: every type
  double subsample = 0.0;          // word2vec threshold t (1e-3 .. 1e-5 typical); 0: off
  uint64_t seed = 1;
  uint64_t epoch = 0;
};

struct SkipGramPair {
  NodeId center = 0;
  NodeId context = 0;
  bool operator==(const SkipGramPair&) const = default;
};

// Occurrences of every graph node in the walks (num_nodes entries).
std::vector<int64_t> CountNodeOccurrences(const Walks& walks, NodeId num_nodes);

std::vector<SkipGramPair> SkipGramPairs(const Walks& walks, std::span<const NodeType> node_types,
                                        const SkipGramOptions& options, std::span<const int64_t> node_counts = {});

}  // namespace melograph
