#include "model/losses.h"

#include <vector>

#include "common/error.h"
#include "model/ops.h"

namespace melograph {

Var BprLoss(Tape& t, Var pos_scores, Var neg_scores) {
  return Scale(t, Mean(t, LogSigmoid(t, Sub(t, pos_scores, neg_scores))), -1.0f);
}

Var BprLossFromEmbeddings(Tape& t, Var users, Var positives, Var negatives) {
  return BprLoss(t, RowDot(t, users, positives), RowDot(t, users, negatives));
}

Var SampledSoftmaxLoss(Tape& t, const SampledSoftmaxInputs& in,
                       const SampledSoftmaxOptions& options) {
  const int64_t batch = t.node(in.queries).rows;
  const int64_t sampled = in.negatives.valid() ? t.node(in.negatives).rows : 0;
  auto require = [](bool cond, const char* what) {
    if (!cond) throw UsageError(std::string("SampledSoftmaxLoss: ") + what);
  };
  require(batch > 0, "empty batch");
  require(t.node(in.positives).rows == batch, "one positive per query");
  require(options.temperature > 0, "temperature must be > 0");
  require(in.positive_ids.empty() || static_cast<int64_t>(in.positive_ids.size()) == batch,
          "positive_ids must have one id per query");
  require(in.negative_ids.empty() || static_cast<int64_t>(in.negative_ids.size()) == sampled,
          "negative_ids must have one id per negative");
  require(!options.logq_correction ||
              (static_cast<int64_t>(in.positive_logq.size()) == batch &&
               static_cast<int64_t>(in.negative_logq.size()) == sampled),
          "logQ correction needs the log probability of every candidate");
  std::vector<Var> blocks{MatMul(t, in.queries, in.positives, true)};
  if (sampled > 0) blocks.push_back(MatMul(t, in.queries, in.negatives, true));
  for (Var h : in.hard_negatives) blocks.push_back(RowDot(t, in.queries, h));
  Var logits = blocks.size() == 1 ? blocks[0] : ConcatCols(t, blocks);
  if (options.temperature != 1.0f) logits = Scale(t, logits, 1.0f / options.temperature);
  const int64_t width = t.node(logits).cols;
  const bool mask = options.remove_accidental_hits && !in.positive_ids.empty();
  if (options.logq_correction || mask) {
    Var shift_var = t.Zeros(batch, width);
    MatrixMap shift(t.MutableValue(shift_var), batch, width);
    for (int64_t i = 0; i < batch; ++i) {
      for (int64_t j = 0; j < batch + sampled; ++j) {
        if (options.logq_correction)
          shift(i, j) -= j < batch ? in.positive_logq[j] : in.negative_logq[j - batch];
        if (!mask || j == i) continue;
        const bool hit = j < batch ? in.positive_ids[j] == in.positive_ids[i]
                                   : !in.negative_ids.empty() &&
                                         in.negative_ids[j - batch] == in.positive_ids[i];
        if (hit) shift(i, j) = -1e9f;
      }
    }
    logits = Add(t, logits, shift_var);
  }
  std::vector<int32_t> diagonal(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) diagonal[i] = static_cast<int32_t>(i);
  return Mean(t, Sub(t, RowLogSumExp(t, logits), PickColumns(t, logits, diagonal)));
}

Var L2Loss(Tape& t, std::span<const Var> vars, float lambda, float normalizer) {
  if (vars.empty()) throw UsageError("L2Loss: no variables");
  if (normalizer <= 0) throw UsageError("L2Loss: normalizer must be > 0");
  Var total = L2Penalty(t, vars[0]);
  for (size_t i = 1; i < vars.size(); ++i) total = Add(t, total, L2Penalty(t, vars[i]));
  return Scale(t, total, lambda / normalizer);
}

}  // namespace melograph
