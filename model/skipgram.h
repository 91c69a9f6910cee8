// Skip-gram with negative sampling (SGNS; word2vec, DeepWalk, metapath2vec) on (center,
// context) pairs from walks.
//
// For pair i with center c, context o and negatives n_1..n_k (rows of the context table):
//   loss_i = -log sigmoid(<e_c, f_o>) - sum_j log sigmoid(-<e_c, f_nj>)
// and the batch loss is the mean over pairs. `e` rows come from the center table, `f` rows
// from the context table (two tables, as in word2vec).
//
// SkipGramStep is the hand-written fast path: one pass over the pairs, gradients accumulated
// into one buffer row per distinct table row. Contributions to one row are added in pair order
// (within a pair: positive first, then negatives in order), which is the position order of
// model/sparse_grad.h, so the result does not depend on anything but the batch. It is checked
// against SkipGramLossOnTape (the same loss built from tape ops) in tests.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/optimizer.h"
#include "model/sparse_grad.h"
#include "model/tape.h"

namespace melograph {

struct SkipGramBatch {
  std::span<const int64_t> centers;    // B rows of the center table
  std::span<const int64_t> contexts;   // B rows of the context table
  std::span<const int64_t> negatives;  // B * negatives_per_pair rows of the context table
  int negatives_per_pair = 0;
};

struct SkipGramGradients {
  SparseRowGrad center;   // rows of the center table
  SparseRowGrad context;  // rows of the context table
  double loss = 0;        // mean over pairs
  // Scratch kept between calls: table row -> index in center/context rows (-1 elsewhere); the
  // bitmap of touched rows; per gradient row, "not written yet in this step"; one pair's center
  // gradient.
  std::vector<int32_t> center_slot, context_slot;
  std::vector<uint64_t> bits;
  std::vector<uint8_t> center_fresh, context_fresh;
  std::vector<float> pair_grad;
};

// Fast path. Reuses `out`'s buffers. O(B * (k + 1) * dim + B log B) (B + rows / 64 instead of
// B log B when the tables are small against the batch).
void SkipGramStep(const EmbeddingTable& center, const EmbeddingTable& context,
                  const SkipGramBatch& batch, SkipGramGradients* out);

// Reference: the same loss on a tape; gradients land in table slots `center_slot` and
// `context_slot` (Tape::SparseGradient).
Var SkipGramLossOnTape(Tape& t, const EmbeddingTable& center, const EmbeddingTable& context,
                       const SkipGramBatch& batch, int center_slot = 0, int context_slot = 1);

}  // namespace melograph
