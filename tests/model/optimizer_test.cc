// Optimisers: exact steps computed by hand, laziness, and independence from arrival order.
#include "model/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "model/sparse_grad.h"

namespace melograph {
namespace {

EmbeddingTable Table(int64_t rows, int64_t dim, float value) {
  EmbeddingTable t;
  t.rows = rows;
  t.dim = dim;
  t.values.assign(static_cast<size_t>(rows * dim), value);
  return t;
}

SparseRowGrad Grad(std::vector<int64_t> rows, std::vector<float> values, int64_t dim) {
  SparseRowGrad g;
  AggregateRows(rows, values, dim, &g);
  return g;
}

TEST(SparseOptimizer, sgd_step) {
  EmbeddingTable t = Table(2, 1, 1.0f);
  SparseOptimizer opt({OptimizerKind::kSgd, 0.1f});
  opt.InitState(&t);
  opt.Apply(&t, Grad({1}, {0.5f}, 1), 1);
  EXPECT_FLOAT_EQ(t.values[0], 1.0f);
  EXPECT_FLOAT_EQ(t.values[1], 0.95f);
}

TEST(SparseOptimizer, adagrad_two_steps_by_hand) {
  EmbeddingTable t = Table(2, 1, 1.0f);
  OptimizerOptions o{OptimizerKind::kAdagrad, 0.1f};
  o.epsilon = 0;
  SparseOptimizer opt(o);
  opt.InitState(&t);
  opt.Apply(&t, Grad({0}, {2.0f}, 1), 1);  // a = 4: x = 1 - 0.1 * 2 / 2
  EXPECT_FLOAT_EQ(t.values[0], 0.9f);
  EXPECT_FLOAT_EQ(t.state1[0], 4.0f);
  opt.Apply(&t, Grad({0}, {2.0f}, 1), 2);  // a = 8: x -= 0.1 * 2 / sqrt(8)
  EXPECT_NEAR(t.values[0], 0.8292893f, 1e-6);
  EXPECT_FLOAT_EQ(t.values[1], 1.0f);
  EXPECT_FLOAT_EQ(t.state1[1], 0.0f);
}

TEST(SparseOptimizer, lazy_adam_two_steps_by_hand) {
  EmbeddingTable t = Table(3, 1, 1.0f);
  SparseOptimizer opt({OptimizerKind::kAdam, 0.1f});
  opt.InitState(&t);
  // Step 1: m = 0.05, v = 0.00025, bias-corrected m/sqrt(v) = 1: x = 1 - 0.1.
  opt.Apply(&t, Grad({0}, {0.5f}, 1), 1);
  EXPECT_NEAR(t.values[0], 0.9f, 1e-6);
  // Step 2, g = -1: m = -0.055, v = 0.00124975, c1 = 0.19, c2 = 0.001999:
  // x = 0.9 - 0.1 * (-0.055 / 0.19) / sqrt(0.00124975 / 0.001999) = 0.93661035.
  // Row 2 first appears at step 2: its bias correction uses the global step.
  opt.Apply(&t, Grad({0, 2}, {-1.0f, 0.5f}, 1), 2);
  EXPECT_NEAR(t.values[0], 0.9366104f, 1e-6);
  EXPECT_NEAR(t.state1[0], -0.055f, 1e-7);
  // Row 2 at step 2: m = 0.05, v = 0.00025; x = 1 - 0.1 * (0.05/0.19) / sqrt(0.00025/0.001999)
  EXPECT_NEAR(t.values[2], 1.0f - 0.1f * (0.05f / 0.19f) / std::sqrt(0.00025f / 0.001999f), 1e-6);
  // Lazy: row 1 never had a gradient, neither its value nor its state moved.
  EXPECT_FLOAT_EQ(t.values[1], 1.0f);
  EXPECT_FLOAT_EQ(t.state1[1], 0.0f);
  EXPECT_FLOAT_EQ(t.state2[1], 0.0f);
}

TEST(SparseOptimizer, rejects_bad_use) {
  EmbeddingTable t = Table(2, 2, 1.0f);
  SparseOptimizer adam({OptimizerKind::kAdam, 0.1f});
  EXPECT_THROW(adam.Apply(&t, Grad({0}, {1, 1}, 2), 1), UsageError);  // no InitState
  adam.InitState(&t);
  EXPECT_THROW(adam.Apply(&t, Grad({5}, {1, 1}, 2), 1), UsageError);
  EXPECT_THROW(adam.Apply(&t, Grad({0}, {1}, 1), 1), UsageError);
  EXPECT_THROW(ParseOptimizerKind("rmsprop"), UsageError);
}

TEST(SparseGrad, aggregation_is_independent_of_the_order_of_different_rows) {
  // Contributions to row 4 arrive as a, b (in this order) in both lists; the rows 1 and 9
  // contributions are interleaved differently.
  const float a = 1e8f, b = 1.0f, c = -1e8f;
  SparseRowGrad g1, g2;
  AggregateRows(std::vector<int64_t>{4, 1, 4, 9, 4}, std::vector<float>{a, 2, b, 3, c}, 1, &g1);
  AggregateRows(std::vector<int64_t>{9, 4, 4, 1, 4}, std::vector<float>{3, a, b, 2, c}, 1, &g2);
  EXPECT_EQ(g1.rows, (std::vector<int64_t>{1, 4, 9}));
  EXPECT_EQ(g1.rows, g2.rows);
  EXPECT_EQ(g1.values, g2.values);
  // Row 4 summed in input order: (1e8 + 1) + -1e8 = 0 in float (1 is lost), not 1.
  EXPECT_EQ(g1.values[1], (a + b) + c);
  // Merging per-source sums in source order.
  const std::vector<SparseRowGrad> parts{Grad({4, 2}, {1, 2}, 1), Grad({2}, {5}, 1)};
  SparseRowGrad merged = MergeRowGrads(parts);
  EXPECT_EQ(merged.rows, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(merged.values, (std::vector<float>{7, 1}));
}

TEST(DenseOptimizer, adam_matches_sparse_adam_and_sgd_by_hand) {
  std::vector<float> x{1.0f, 1.0f};
  DenseOptimizer adam({OptimizerKind::kAdam, 0.1f}, 2);
  adam.Step(x, std::vector<float>{0.5f, 0.0f});
  adam.Step(x, std::vector<float>{-1.0f, 0.0f});
  EXPECT_NEAR(x[0], 0.9366104f, 1e-6);
  EXPECT_FLOAT_EQ(x[1], 1.0f);
  EXPECT_EQ(adam.step(), 2);
  std::vector<float> y{2.0f};
  DenseOptimizer sgd({OptimizerKind::kSgd, 0.5f}, 1);
  sgd.Step(y, std::vector<float>{1.0f});
  EXPECT_FLOAT_EQ(y[0], 1.5f);
}

TEST(EmbeddingTable, initial_rows_depend_on_global_id_not_position) {
  const std::vector<int64_t> ids_a{7, 3}, ids_b{3, 9, 7};
  EmbeddingTable a = MakeEmbeddingTable(2, 4, 0.1f, 42, ids_a);
  EmbeddingTable b = MakeEmbeddingTable(3, 4, 0.1f, 42, ids_b);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(a.row(0)[k], b.row(2)[k]);
    EXPECT_EQ(a.row(1)[k], b.row(0)[k]);
    EXPECT_LE(std::abs(a.row(0)[k]), 0.1f);
  }
  DenseParameters p;
  const int w = p.Add("w", 2, 3, 1);
  EXPECT_EQ(p.tensor(w).offset, 0);
  EXPECT_EQ(p.size(), 6);
  EXPECT_EQ(p.Add("v", 1, 1, 1), 1);
  EXPECT_EQ(p.tensor(1).offset, 6);
}

}  // namespace
}  // namespace melograph
