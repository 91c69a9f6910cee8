// The per-row sampling step shared by the serial reference and the distributed samplers.
//
// A RowSpans is one node's adjacency row: parallel neighbour / relation / weight arrays in the
// graph's order (relation, then ORIGINAL neighbour id). A graph row and the same node's row in
// any partition shard hold the same edges at the same positions (only the neighbour id space
// differs: graph ids vs partition global ids), so a pick made by position is partition-invariant.
//
// PickRowPositions(row, allowed, fanout, weighted, rng, emit):
//   candidates = the positions whose relation is in `allowed` (contiguous ranges, found by binary
//   search since rows are sorted by relation); emits up to `fanout` distinct candidate positions
//   in ascending order: all of them when there are at most `fanout` (fanout < 0 means all),
//   otherwise uniformly without replacement (PickUniform) or, when `weighted`, proportionally to
//   edge weight without replacement (PickWeighted; weight <= 0 is never picked, even when the
//   row is short).
// RowRng(seed, epoch, step, hop, graph_node_id): the row's generator. Never a rank or thread id.
//
// Contract: pure function of (row contents, allowed, fanout, weighted, rng state). No allocation
// after warm-up (thread_local scratch); distinct rows may be picked concurrently on distinct
// threads with distinct Rngs; `emit` runs on the calling thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "graph/types.h"
#include "sampler/pick.h"
#include "sampler/relation_table.h"

namespace melograph {

struct RowSpans {
  std::span<const NodeId> neighbor;  // graph ids (Graph) or partition global ids (shard)
  std::span<const RelationId> relation;
  std::span<const float> weight;
  int64_t size() const { return static_cast<int64_t>(neighbor.size()); }
};

// Salt separating neighbour-sampling streams from walks and negatives.
inline constexpr uint64_t kNeighborStreamTag = 0x6e65696768626f72ULL;  // "neighbor"

inline Rng RowRng(uint64_t seed, int64_t epoch, int64_t step, int32_t hop, NodeId graph_node_id) {
  return Rng(HashCombine(seed, kNeighborStreamTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                         static_cast<uint64_t>(hop), static_cast<uint64_t>(graph_node_id)));
}

// Candidate positions of a row under a relation filter: up to a few contiguous ranges.
class RowCandidates {
 public:
  RowCandidates(const RowSpans& row, const RelationSet& allowed) {
    if (allowed.all) {
      Add(0, row.size());
      return;
    }
    const RelationId* first = row.relation.data();
    const RelationId* last = first + row.relation.size();
    for (RelationId r : allowed.ids) {
      const RelationId* lo = std::lower_bound(first, last, r);
      if (lo == last) break;  // ids are sorted: nothing larger follows
      const RelationId* hi = std::upper_bound(lo, last, r);
      Add(lo - row.relation.data(), hi - row.relation.data());
      first = hi;
    }
  }
  int64_t count() const { return total_; }
  // Position in the row of candidate i (0 <= i < count()).
  int64_t Position(int64_t i) const {
    for (int r = 0; r < n_; ++r) {
      const int64_t len = ends_[r] - begins_[r];
      if (i < len) return begins_[r] + i;
      i -= len;
    }
    for (const auto& [b, e] : extra_) {
      if (i < e - b) return b + i;
      i -= e - b;
    }
    return -1;  // unreachable for i < count()
  }

 private:
  static constexpr int kInline = 8;
  void Add(int64_t b, int64_t e) {
    if (e <= b) return;
    total_ += e - b;
    if (extra_.empty() && n_ > 0 && ends_[n_ - 1] == b) {
      ends_[n_ - 1] = e;  // adjacent relations merge into one range
    } else if (extra_.empty() && n_ < kInline) {
      begins_[n_] = b;
      ends_[n_] = e;
      ++n_;
    } else {
      extra_.emplace_back(b, e);  // rare: more than kInline disjoint relation ranges
    }
  }
  int n_ = 0;
  int64_t total_ = 0;
  int64_t begins_[kInline] = {};
  int64_t ends_[kInline] = {};
  std::vector<std::pair<int64_t, int64_t>> extra_;
};

template <typename Emit>
void PickRowPositions(const RowSpans& row, const RelationSet& allowed, int32_t fanout, bool weighted, Rng& rng,
                      Emit&& emit) {
  const RowCandidates cand(row, allowed);
  const int64_t n = cand.count();
  if (n == 0) return;
  const int64_t k = fanout < 0 ? n : fanout;
  if (weighted) {
    const float* w = row.weight.data();
    PickWeighted(
        n, k, [&](int64_t i) { return w[cand.Position(i)]; }, rng, [&](int64_t i) { emit(cand.Position(i)); });
  } else {
    PickUniform(n, k, rng, [&](int64_t i) { emit(cand.Position(i)); });
  }
}

}  // namespace melograph
