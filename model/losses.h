// Training losses on the tape (model/ops.h): BPR, sampled softmax with in-batch and sampled
// negatives (optional logQ correction, accidental-hit removal, hard negatives) and L2.
//
// Contract: every loss returns a 1x1 node (a mean over the batch), so Tape::Backward can start
// from it and gradients do not scale with the batch size. Inputs are checked once (UsageError).
//
// Sampled softmax, for queries q_i (B x d), their positives p_i (B x d), shared sampled
// negatives n_j (S x d) and per-query hard negatives h_i^k (B x d each):
//   logit_ij = <q_i, c_j> / temperature - (logq ? log Q(c_j) : 0)
// over candidates c = [p_1..p_B | n_1..n_S | h_i^1..h_i^H] (the in-batch positives of the other
// queries are negatives too), loss = mean_i (logsumexp_j logit_ij - logit_ii). With
// remove_accidental_hits, candidate j != i whose item id equals query i's positive id is dropped
// (logit -1e9): an in-batch "negative" that is in fact the positive.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/tape.h"

namespace melograph {

// -mean(log sigmoid(pos - neg)); pos and neg have the same shape (e.g. B x 1 scores).
Var BprLoss(Tape& t, Var pos_scores, Var neg_scores);

// BPR from embeddings: scores are row-wise dots <u_i, p_i> and <u_i, n_i>.
Var BprLossFromEmbeddings(Tape& t, Var users, Var positives, Var negatives);

struct SampledSoftmaxOptions {
  float temperature = 1.0f;
  bool logq_correction = false;
  bool remove_accidental_hits = true;
};

struct SampledSoftmaxInputs {
  Var queries;                    // B x d
  Var positives;                  // B x d; row i is query i's target
  Var negatives;                  // S x d shared negatives (invalid Var: none)
  std::vector<Var> hard_negatives;  // each B x d: one extra candidate per query
  std::span<const int64_t> positive_ids;  // B item ids (accidental hits; may be empty)
  std::span<const int64_t> negative_ids;  // S item ids (accidental hits; may be empty)
  std::span<const float> positive_logq;   // B: log sampling probability of each positive
  std::span<const float> negative_logq;   // S: log sampling probability of each negative
};

Var SampledSoftmaxLoss(Tape& t, const SampledSoftmaxInputs& in,
                       const SampledSoftmaxOptions& options);

// lambda * sum_v 0.5 * ||v||^2 / normalizer (LightGCN's reg term with normalizer = batch size).
Var L2Loss(Tape& t, std::span<const Var> vars, float lambda, float normalizer);

}  // namespace melograph
