// Skip-gram: the fast path equals the tape reference (loss and aggregated gradients), the tape
// gradient matches finite differences, and a few SGD steps separate positives from negatives.
#include "model/skipgram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "grad_check.h"
#include "model/ops.h"

namespace melograph {
namespace {

// 4 center rows, 5 context rows, dim 3; row 1 is a center twice, context row 2 appears as a
// positive and as a negative.
const std::vector<int64_t> kCenters{1, 0, 1, 3};
const std::vector<int64_t> kContexts{2, 4, 0, 2};
const std::vector<int64_t> kNegatives{3, 2, 1, 1, 4, 0, 2, 3};

TEST(SkipGram, fast_path_equals_tape) {
  EmbeddingTable center = MakeEmbeddingTable(4, 3, 0.8f, 1);
  EmbeddingTable context = MakeEmbeddingTable(5, 3, 0.8f, 2);
  SkipGramBatch batch{kCenters, kContexts, kNegatives, 2};
  SkipGramGradients fast;
  SkipGramStep(center, context, batch, &fast);
  Tape t;
  Var loss = SkipGramLossOnTape(t, center, context, batch);
  t.Backward(loss);
  EXPECT_NEAR(fast.loss, t.Scalar(loss), 1e-5);
  for (int slot = 0; slot < 2; ++slot) {
    const SparseRowGrad& a = slot == 0 ? fast.center : fast.context;
    const SparseRowGrad& b = t.SparseGradient(slot);
    ASSERT_EQ(a.rows, b.rows) << "slot " << slot;
    for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(a.values[i], b.values[i], 1e-6);
  }
  EXPECT_EQ(fast.center.rows, (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(fast.context.rows, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(SkipGram, reused_buffers_sort_path_and_extreme_scores) {
  // A step's gradient rows are written on first touch, not zeroed first: a second batch through
  // the same buffers gives exactly what fresh buffers give.
  EmbeddingTable center = MakeEmbeddingTable(4, 3, 0.8f, 1);
  EmbeddingTable context = MakeEmbeddingTable(5, 3, 0.8f, 2);
  SkipGramGradients reused, fresh;
  SkipGramStep(center, context, {kCenters, kContexts, kNegatives, 2}, &reused);
  const std::vector<int64_t> c{3, 3}, o{1, 0}, n{4, 1};
  SkipGramStep(center, context, {c, o, n, 1}, &reused);
  SkipGramStep(center, context, {c, o, n, 1}, &fresh);
  EXPECT_EQ(reused.center.rows, fresh.center.rows);
  EXPECT_EQ(reused.center.values, fresh.center.values);
  EXPECT_EQ(reused.context.rows, fresh.context.rows);
  EXPECT_EQ(reused.context.values, fresh.context.values);
  EXPECT_EQ(reused.loss, fresh.loss);
  // Tables much larger than the batch take the sort path: same rows and values as the tape.
  EmbeddingTable big_center = MakeEmbeddingTable(5000, 3, 0.8f, 3);
  EmbeddingTable big_context = MakeEmbeddingTable(6000, 3, 0.8f, 4);
  const std::vector<int64_t> bc{4999, 7, 4999}, bo{5999, 3, 12}, bn{12, 5999, 0, 3, 8, 7};
  SkipGramBatch big{bc, bo, bn, 2};
  SkipGramStep(big_center, big_context, big, &fresh);
  Tape t;
  Var loss = SkipGramLossOnTape(t, big_center, big_context, big);
  t.Backward(loss);
  EXPECT_NEAR(fresh.loss, t.Scalar(loss), 1e-5);
  EXPECT_EQ(fresh.context.rows, (std::vector<int64_t>{0, 3, 7, 8, 12, 5999}));
  for (int slot = 0; slot < 2; ++slot) {
    const SparseRowGrad& a = slot == 0 ? fresh.center : fresh.context;
    const SparseRowGrad& b = t.SparseGradient(slot);
    ASSERT_EQ(a.rows, b.rows) << "slot " << slot;
    for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(a.values[i], b.values[i], 1e-6);
  }
  // Scores of +-200 (exp underflows): the loss stays exact, -log sigmoid(-200) = 200 + log1p(e^-200).
  EmbeddingTable one{1, 1, {10.0f}, {}, {}};
  EmbeddingTable two{2, 1, {-20.0f, 20.0f}, {}, {}};
  const std::vector<int64_t> c1{0}, o1{0}, n1{1};
  SkipGramStep(one, two, {c1, o1, n1, 1}, &fresh);
  EXPECT_NEAR(fresh.loss, 400.0, 1e-9);
  EXPECT_NEAR(fresh.center.values[0], -1.0 * -20.0 + 1.0 * 20.0, 1e-5);
}

TEST(SkipGram, loss_by_hand) {
  // dim 1: e = 1, f_o = 2, f_n = -1: loss = -log sigmoid(2) - log sigmoid(1).
  EmbeddingTable center{1, 1, {1.0f}, {}, {}};
  EmbeddingTable context{2, 1, {2.0f, -1.0f}, {}, {}};
  const std::vector<int64_t> c{0}, o{0}, n{1};
  SkipGramGradients g;
  SkipGramStep(center, context, {c, o, n, 1}, &g);
  EXPECT_NEAR(g.loss, std::log1p(std::exp(-2.0)) + std::log1p(std::exp(-1.0)), 1e-6);
  // d/de = (sigmoid(2) - 1) * 2 + sigmoid(-1) * (-1)
  const double s2 = 1 / (1 + std::exp(-2.0)), sm1 = 1 / (1 + std::exp(1.0));
  EXPECT_NEAR(g.center.values[0], (s2 - 1) * 2 - sm1, 1e-6);
}

TEST(SkipGram, tape_gradient_matches_finite_differences) {
  // The tables enter as leaves: gather rows of the leaves reproduce the tape loss densely.
  testing::ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) {
        Var e = Gather(t, v[0], std::vector<int32_t>{1, 0, 1, 3});
        Var f = Gather(t, v[1], std::vector<int32_t>{2, 4, 0, 2});
        Var n = Gather(t, v[1], std::vector<int32_t>{3, 2, 1, 1, 4, 0, 2, 3});
        Var er = Gather(t, e, std::vector<int32_t>{0, 0, 1, 1, 2, 2, 3, 3});
        Var pos = Sum(t, LogSigmoid(t, RowDot(t, e, f)));
        Var neg = Sum(t, LogSigmoid(t, Scale(t, RowDot(t, er, n), -1.0f)));
        return Scale(t, Add(t, pos, neg), -0.25f);
      },
      {testing::RandomMatrix(4, 3, 3), testing::RandomMatrix(5, 3, 4)});
}

TEST(SkipGram, sgd_steps_separate_positive_from_negative) {
  EmbeddingTable center = MakeEmbeddingTable(4, 8, 0.1f, 5);
  EmbeddingTable context = MakeEmbeddingTable(5, 8, 0.1f, 6);
  SparseOptimizer sgd({OptimizerKind::kSgd, 1.0f});
  // Consistent pairs: center i with context i, negatives never a pair's own context.
  const std::vector<int64_t> centers{0, 1, 2, 3}, contexts{0, 1, 2, 3};
  const std::vector<int64_t> negatives{4, 1, 4, 2, 4, 3, 4, 0};
  SkipGramBatch batch{centers, contexts, negatives, 2};
  SkipGramGradients g;
  SkipGramStep(center, context, batch, &g);
  const double first = g.loss;
  for (int step = 1; step <= 100; ++step) {
    SkipGramStep(center, context, batch, &g);
    sgd.Apply(&center, g.center, step);
    sgd.Apply(&context, g.context, step);
  }
  SkipGramStep(center, context, batch, &g);
  EXPECT_LT(g.loss, 0.5 * first);
  EXPECT_THROW(SkipGramStep(center, context, {kCenters, kContexts, kNegatives, 3}, &g), UsageError);
}

}  // namespace
}  // namespace melograph
