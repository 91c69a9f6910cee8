// Knowledge-aware GNN: gradients w.r.t. input embeddings and every dense weight by finite
// differences on a tiny two-relation subgraph; relations without weights are refused.
#include "model/kgnn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "grad_check.h"
#include "model/lightgcn.h"
#include "model/ops.h"

namespace melograph {
namespace {

// Relations 3 (listened) and 7 (by_artist). Seeds {0, 1}.
//   block 1 (inner): dst {0, 1}, src {0, 1, 4}: 0 <-3- 4, 0 <-7- 1, 1 has no neighbours
//   block 0 (outer): dst {0, 1, 4}, src {0, 1, 4, 5}: 0 <-3- 4; 1 <-7- 5, 1 <-3- 4; 4 <-7- 5
SampledSubgraph TwoRelationSubgraph() {
  Block outer{{0, 1, 4}, {0, 1, 4, 5}, {0, 1, 3, 4}, {2, 3, 2, 3}, {3, 7, 3, 7}, {1, 1, 1, 1}};
  Block inner{{0, 1}, {0, 1, 4}, {0, 2, 2}, {2, 1}, {3, 7}, {1, 1}};
  return SampledSubgraph{{0, 1}, {outer, inner}};
}

TEST(Kgnn, gradient_matches_finite_differences_for_inputs_and_weights) {
  const std::vector<RelationId> relations{3, 7};
  const KgnnModel model(3, 2, relations, 0.2f, 11);
  const SampledSubgraph sg = TwoRelationSubgraph();
  std::vector<RowMatrix> inputs{testing::RandomMatrix(4, 3, 1)};
  for (int i = 0; i < model.params().num_tensors(); ++i) {
    const auto& ten = model.params().tensor(i);
    RowMatrix w(ten.rows, ten.cols);
    std::copy_n(model.params().values(i), w.size(), w.data());
    inputs.push_back(w);
  }
  ASSERT_EQ(inputs.size(), 1u + 2 * 3);  // 2 layers x (2 relations + out)
  testing::ExpectGradientsMatch(
      [&](Tape& t, std::span<const Var> v) {
        return model.Forward(t, sg, v[0], v.subspan(1));
      },
      inputs, {}, 2e-3);
}

// Degrees of nodes 0..5 for the normalized aggregator (node 5 has degree 3 but 1-2 sampled
// edges: the sampling correction c_v is exercised too).
std::vector<float> SmallDegrees() { return {2, 3, 0, 0, 2, 3}; }

TEST(Kgnn, normalized_aggregator_gradient_matches_finite_differences) {
  const std::vector<RelationId> relations{3, 7};
  const KgnnModel model(3, 2, relations, 0.2f, 11, KgnnAggregator::kNormalized);
  const SampledSubgraph sg = TwoRelationSubgraph();
  const std::vector<float> degree = SmallDegrees();
  std::vector<RowMatrix> inputs{testing::RandomMatrix(4, 3, 1)};
  for (int i = 0; i < model.params().num_tensors(); ++i) {
    const auto& ten = model.params().tensor(i);
    inputs.push_back(testing::RandomMatrix(ten.rows, ten.cols, 20 + static_cast<uint64_t>(i)));
  }
  ASSERT_EQ(inputs.size(), 1u + 2 * 2);  // 2 layers x 2 relations, no W_out
  testing::ExpectGradientsMatch(
      [&](Tape& t, std::span<const Var> v) {
        return model.Forward(t, sg, v[0], v.subspan(1), degree);
      },
      inputs, {}, 2e-3);
}

// One destination, two edges, W = I (a fresh model), dim 2: the output is
// (w1 + w2) * (w1 e^{a1} m1 + w2 e^{a2} m2) / (w1 e^{a1} + w2 e^{a2}),
// w_e = 1 / sqrt(deg_u deg_v), a_e = leaky(<h_u, h_v> / sqrt(2)).
TEST(Kgnn, normalized_aggregator_reweights_lightgcn_coefficients_by_attention) {
  const std::vector<RelationId> relations{3};
  const KgnnModel model(2, 1, relations, 0.2f, 11, KgnnAggregator::kNormalized);
  const Block b{{0}, {0, 1, 2}, {0, 2}, {1, 2}, {3, 3}, {1, 1}};
  const std::vector<float> degree{2, 1, 4};
  Tape t;
  RowMatrix h(3, 2);
  h << 1, 0, 2, 1, -1, 3;
  const std::vector<Var> w = model.WeightVars(t);
  const auto out = t.Value(model.Layer(t, b, t.Leaf(h, false), 0, w, degree));
  const double w1 = 1 / std::sqrt(2.0), w2 = 1 / std::sqrt(8.0);
  const double a1 = 2 / std::sqrt(2.0), a2 = 0.2 * (-1 / std::sqrt(2.0));
  const double z = w1 * std::exp(a1) + w2 * std::exp(a2);
  for (int j = 0; j < 2; ++j) {
    const double expected = (w1 + w2) * (w1 * std::exp(a1) * h(1, j) + w2 * std::exp(a2) * h(2, j)) / z;
    EXPECT_NEAR(out(0, j), expected, 1e-5) << j;
  }
}

// With the identity transforms it starts from and zero attention logits (all destination rows
// zero), the normalized KGNN is LightGCN: same coefficients, same layer mean.
TEST(Kgnn, normalized_aggregator_with_zero_logits_is_lightgcn) {
  const std::vector<RelationId> relations{3, 7};
  const KgnnModel model(3, 1, relations, 0.2f, 11, KgnnAggregator::kNormalized);
  // dst {0, 1}: 0 <-3- 2, 0 <-7- 3; 1 <-3- 3 (node 1 has degree 3, one edge sampled).
  const Block b{{0, 1}, {0, 1, 2, 3}, {0, 2, 3}, {2, 3, 3}, {3, 7, 3}, {1, 1, 1}};
  const SampledSubgraph sg{{0, 1}, {b}};
  const std::vector<float> degree{2, 3, 5, 4};
  RowMatrix x = testing::RandomMatrix(4, 3, 5);
  x.topRows(2).setZero();
  Tape t;
  const std::vector<Var> w = model.WeightVars(t);
  const auto kgnn = t.Value(model.Forward(t, sg, t.Leaf(x, false), w, degree));
  Tape t2;
  const auto lightgcn = t2.Value(LightGcnForward(t2, sg, t2.Leaf(x, false), degree));
  EXPECT_TRUE(RowMatrix(kgnn).isApprox(RowMatrix(lightgcn), 1e-6)) << RowMatrix(kgnn) << "\n" << RowMatrix(lightgcn);
  EXPECT_GT(RowMatrix(lightgcn).norm(), 0);
}

TEST(Kgnn, normalized_aggregator_needs_degrees) {
  const std::vector<RelationId> relations{3, 7};
  const KgnnModel model(3, 2, relations, 0.2f, 11, KgnnAggregator::kNormalized);
  Tape t;
  std::vector<Var> w = model.WeightVars(t);
  Var x = t.Leaf(testing::RandomMatrix(4, 3, 2), false);
  EXPECT_THROW(model.Forward(t, TwoRelationSubgraph(), x, w), UsageError);
}

TEST(Kgnn, accumulates_dense_gradients_and_refuses_unknown_relations) {
  const std::vector<RelationId> only_listened{3};
  KgnnModel model(3, 2, only_listened, 0.2f, 11);
  Tape t;
  std::vector<Var> w = model.WeightVars(t);
  Var x = t.Leaf(testing::RandomMatrix(4, 3, 2), false);
  EXPECT_THROW(model.Forward(t, TwoRelationSubgraph(), x, w), UsageError);

  const std::vector<RelationId> both{3, 7};
  KgnnModel full(3, 2, both, 0.2f, 11);
  Tape t2;
  std::vector<Var> w2 = full.WeightVars(t2);
  Var x2 = t2.Leaf(testing::RandomMatrix(4, 3, 2), false);
  Var out = full.Forward(t2, TwoRelationSubgraph(), x2, w2);
  EXPECT_EQ(t2.node(out).rows, 2);
  t2.Backward(Sum(t2, out));
  full.params().ZeroGrads();
  full.AccumulateGradients(t2, w2);
  const int out_weights = 2;  // layer 0's W_out
  EXPECT_TRUE(RowMatrix(t2.Grad(w2[out_weights])).isApprox(
      Eigen::Map<const RowMatrix>(full.params().grads(out_weights), 6, 3)));
}

}  // namespace
}  // namespace melograph
