// Every tape op: forward values on small hand-checked inputs, and gradients against central
// finite differences (grad_check.h).
#include "model/ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "grad_check.h"

namespace melograph {
namespace {

using testing::ExpectGradientsMatch;
using testing::M;
using testing::RandomMatrix;


// Inputs kept away from the kinks of relu / leaky relu.
RowMatrix AwayFromZero(int64_t r, int64_t c, uint64_t seed) {
  RowMatrix m = RandomMatrix(r, c, seed);
  for (int64_t i = 0; i < m.size(); ++i)
    if (std::abs(m.data()[i]) < 0.1f) m.data()[i] += m.data()[i] < 0 ? -0.2f : 0.2f;
  return m;
}

TEST(Ops, forward_values_by_hand) {
  Tape t;
  Var a = t.Leaf(M(2, 2, {1, 2, 3, 4}), false);
  Var b = t.Leaf(M(2, 2, {5, 6, 7, 8}), false);
  EXPECT_EQ(RowMatrix(t.Value(MatMul(t, a, b))), M(2, 2, {19, 22, 43, 50}));
  EXPECT_EQ(RowMatrix(t.Value(MatMul(t, a, b, true))), M(2, 2, {17, 23, 39, 53}));
  EXPECT_EQ(RowMatrix(t.Value(RowDot(t, a, b))), M(2, 1, {17, 53}));
  const std::vector<int64_t> off{0, 1, 1, 2};
  EXPECT_EQ(RowMatrix(t.Value(SegmentSum(t, a, off))), M(3, 2, {1, 2, 0, 0, 3, 4}));
  const std::vector<int64_t> one{0, 2};
  EXPECT_EQ(RowMatrix(t.Value(SegmentMean(t, a, one))), M(1, 2, {2, 3}));
  Var s = SegmentSoftmax(t, t.Leaf(M(3, 1, {0, std::log(3.0f), 5}), false),
                         std::vector<int64_t>{0, 2, 3});
  EXPECT_NEAR(t.Value(s)(0, 0), 0.25f, 1e-6);
  EXPECT_NEAR(t.Value(s)(1, 0), 0.75f, 1e-6);
  EXPECT_NEAR(t.Value(s)(2, 0), 1.0f, 1e-6);
  EXPECT_NEAR(t.Scalar(L2Penalty(t, a)), 15.0f, 1e-6);
  Var unit = RowNormalize(t, t.Leaf(M(1, 2, {3, 4}), false));
  EXPECT_NEAR(t.Value(unit)(0, 0), 0.6f, 1e-6);
  EXPECT_NEAR(t.Value(unit)(0, 1), 0.8f, 1e-6);
  EXPECT_NEAR(t.Scalar(Mean(t, b)), 6.5f, 1e-6);
  EXPECT_NEAR(t.Value(LogSigmoid(t, t.Leaf(M(1, 2, {0, -100}), false)))(0, 0), std::log(0.5f), 1e-6);
  EXPECT_NEAR(t.Value(LogSigmoid(t, t.Leaf(M(1, 2, {0, -100}), false)))(0, 1), -100.0f, 1e-4);
  EXPECT_NEAR(t.Value(RowLogSumExp(t, a))(1, 0), 4 + std::log1p(std::exp(-1.0f)), 1e-6);
  const std::vector<int32_t> cols{1, 0};
  EXPECT_EQ(RowMatrix(t.Value(PickColumns(t, b, cols))), M(2, 1, {6, 7}));
  const std::vector<Var> parts{a, b};
  EXPECT_EQ(RowMatrix(t.Value(ConcatCols(t, parts))), M(2, 4, {1, 2, 5, 6, 3, 4, 7, 8}));
  EXPECT_EQ(RowMatrix(t.Value(ConcatRows(t, parts))), M(4, 2, {1, 2, 3, 4, 5, 6, 7, 8}));
  Var bias = t.Leaf(M(1, 2, {10, 20}), false);
  EXPECT_EQ(RowMatrix(t.Value(Add(t, a, bias))), M(2, 2, {11, 22, 13, 24}));
  // Weighted sum: dst0 <- 2*x1 + 1*x0, dst1 <- nothing.
  const std::vector<int32_t> src{1, 0};
  Var w = t.Leaf(M(2, 1, {2, 1}), false);
  EXPECT_EQ(RowMatrix(t.Value(SegmentWeightedSum(t, a, src, w, std::vector<int64_t>{0, 2, 2}))),
            M(2, 2, {7, 10, 0, 0}));
}

TEST(Ops, bad_shapes_are_rejected) {
  Tape t;
  Var a = t.Leaf(M(2, 2, {1, 2, 3, 4}), false);
  Var c = t.Leaf(M(3, 1, {1, 2, 3}), false);
  EXPECT_THROW(MatMul(t, a, c), UsageError);
  EXPECT_THROW(Add(t, a, c), UsageError);
  EXPECT_THROW(Gather(t, a, std::vector<int32_t>{0, 2}), UsageError);
  EXPECT_THROW(SegmentSum(t, a, std::vector<int64_t>{0, 3}), UsageError);
  EXPECT_THROW(SegmentSum(t, a, std::vector<int64_t>{0, 2, 1, 2}), UsageError);
}

// The harness itself must catch a wrong gradient: Scale by a factor read from x treats the
// factor as a constant, so the tape misses d factor / dx and finite differences disagree.
TEST(OpsGradient, harness_detects_a_missing_gradient_term) {
  const auto mismatches = testing::GradientMismatches(
      [](Tape& t, std::span<const Var> v) { return Scale(t, v[0], t.Value(v[0])(0, 0)); },
      {RandomMatrix(1, 2, 99, 2.0f)});
  ASSERT_FALSE(mismatches.empty());
  EXPECT_EQ(mismatches[0].rfind("input 0 element 0:", 0), 0u) << mismatches[0];
}

TEST(OpsGradient, elementwise) {
  const std::vector<RowMatrix> two{AwayFromZero(3, 4, 1), AwayFromZero(3, 4, 2)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Add(t, v[0], v[1]); }, two);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Sub(t, v[0], v[1]); }, two);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Mul(t, v[0], v[1]); }, two);
  const std::vector<RowMatrix> one{AwayFromZero(3, 4, 3)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Scale(t, v[0], -1.5f); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Relu(t, v[0]); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return LeakyRelu(t, v[0], 0.2f); },
                       one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Tanh(t, v[0]); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Sigmoid(t, v[0]); }, one);
  const std::vector<RowMatrix> wide{RandomMatrix(3, 4, 4, 4.0f)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return LogSigmoid(t, v[0]); }, wide);
}

TEST(OpsGradient, broadcast_and_rows) {
  const std::vector<RowMatrix> bias{RandomMatrix(3, 4, 5), RandomMatrix(1, 4, 6)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Add(t, v[0], v[1]); }, bias);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Sub(t, v[0], v[1]); }, bias);
  const std::vector<RowMatrix> rows{RandomMatrix(3, 4, 7), RandomMatrix(3, 1, 8)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return ScaleRows(t, v[0], v[1]); },
                       rows);
  const std::vector<RowMatrix> two{RandomMatrix(3, 4, 9), RandomMatrix(3, 4, 10)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return RowDot(t, v[0], v[1]); }, two);
  const std::vector<RowMatrix> one{RandomMatrix(3, 5, 11, 2.0f)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return RowLogSumExp(t, v[0]); }, one);
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) {
        return PickColumns(t, v[0], std::vector<int32_t>{4, 0, 2});
      },
      one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return L2Penalty(t, v[0]); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return RowNormalize(t, v[0]); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Sum(t, v[0]); }, one);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return Mean(t, v[0]); }, one);
}

TEST(OpsGradient, matmul) {
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return MatMul(t, v[0], v[1]); },
                       {RandomMatrix(3, 4, 12), RandomMatrix(4, 2, 13)});
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return MatMul(t, v[0], v[1], true); },
                       {RandomMatrix(3, 4, 14), RandomMatrix(5, 4, 15)});
  // Same node on both sides (a a^T): both gradient paths add up.
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return MatMul(t, v[0], v[0], true); },
                       {RandomMatrix(3, 4, 16)});
}

TEST(OpsGradient, indexing_and_concat) {
  const std::vector<RowMatrix> x{RandomMatrix(4, 3, 17)};
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) {
        return Gather(t, v[0], std::vector<int32_t>{2, 0, 2, 3, 2});
      },
      x);
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return SliceRows(t, v[0], 1, 2); }, x);
  const std::vector<RowMatrix> two{RandomMatrix(2, 3, 18), RandomMatrix(2, 2, 19)};
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) { return ConcatCols(t, std::vector<Var>{v[0], v[1], v[0]}); },
      two);
  const std::vector<RowMatrix> stack{RandomMatrix(2, 3, 20), RandomMatrix(1, 3, 21)};
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) { return ConcatRows(t, std::vector<Var>{v[1], v[0]}); },
      stack);
}

// Segments over 6 rows: [0,2) [2,2) [2,5) [5,6).
const std::vector<int64_t> kOffsets{0, 2, 2, 5, 6};

TEST(OpsGradient, segments) {
  const std::vector<RowMatrix> x{RandomMatrix(6, 3, 22)};
  ExpectGradientsMatch([](Tape& t, std::span<const Var> v) { return SegmentSum(t, v[0], kOffsets); },
                       x);
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) { return SegmentMean(t, v[0], kOffsets); }, x);
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) { return SegmentSoftmax(t, v[0], kOffsets); },
      {RandomMatrix(6, 1, 23, 2.0f)});
  // Sources: 4 rows; the edges of kOffsets point at them, one source used twice in a segment.
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) {
        return SegmentWeightedSum(t, v[0], std::vector<int32_t>{0, 3, 1, 1, 2, 0}, v[1], kOffsets);
      },
      {RandomMatrix(4, 3, 24), RandomMatrix(6, 1, 25)});
}

TEST(Tape, table_gradients_are_aggregated_per_row_in_op_order) {
  // Table of 5 rows, dim 2; two gathers of slot 0 touch rows 3 and 1 several times.
  RowMatrix table = RandomMatrix(5, 2, 26);
  Tape t;
  Var g1 = GatherTable(t, 0, table.data(), 5, 2, std::vector<int64_t>{3, 1, 3});
  Var g2 = GatherTable(t, 0, table.data(), 5, 2, std::vector<int64_t>{1});
  Var w1 = t.Leaf(M(3, 2, {1, 2, 3, 4, 5, 6}), false);
  Var w2 = t.Leaf(M(1, 2, {7, 8}), false);
  Var loss = Add(t, Sum(t, Mul(t, g1, w1)), Sum(t, Mul(t, g2, w2)));
  t.Backward(loss);
  const SparseRowGrad& g = t.SparseGradient(0);
  ASSERT_EQ(g.rows, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(g.values, (std::vector<float>{3 + 7, 4 + 8, 1 + 5, 2 + 6}));
  EXPECT_EQ(t.SparseGradient(1).size(), 0);
  // Reset keeps working: the same program again gives the same gradient.
  t.Reset();
  Var h = GatherTable(t, 0, table.data(), 5, 2, std::vector<int64_t>{4});
  t.Backward(Sum(t, h));
  EXPECT_EQ(t.SparseGradient(0).rows, (std::vector<int64_t>{4}));
  EXPECT_EQ(t.SparseGradient(0).values, (std::vector<float>{1, 1}));
}

TEST(Tape, external_leaf_and_no_grad_inputs) {
  RowMatrix x = RandomMatrix(2, 2, 27);
  Tape t;
  Var a = t.ExternalLeaf(2, 2, x.data(), true);
  Var c = t.Leaf(x, false);
  t.Backward(Sum(t, Mul(t, a, c)));
  EXPECT_TRUE(RowMatrix(t.Grad(a)).isApprox(x));
  EXPECT_THROW(t.Grad(c), UsageError);
}

}  // namespace
}  // namespace melograph
