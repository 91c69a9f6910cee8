// Knowledge-aware GNN: gradients w.r.t. input embeddings and every dense weight by finite
// differences on a tiny two-relation subgraph; relations without weights are refused.
#include "model/kgnn.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"
#include "grad_check.h"
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
