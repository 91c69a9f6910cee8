// LightGCN over blocks: propagation values by hand on a drawn graph, gradients by finite
// differences, and the full-graph block equals a dense normalised-adjacency product.
#include "model/lightgcn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grad_check.h"
#include "model/ops.h"

namespace melograph {
namespace {

//   user 0 -- item 2 -- user 1 -- item 3        (degrees: 0:1, 1:2, 2:2, 3:1)
// Two layers for seed node 0 (full neighbourhoods):
//   block 1 (inner): dst {0}, src {0, 2}: 0 <- 2
//   block 0 (outer): dst {0, 2}, src {0, 2, 1}: 0 <- 2; 2 <- 0, 1
SampledSubgraph TinySubgraph() {
  Block outer{{0, 2}, {0, 2, 1}, {0, 1, 3}, {1, 0, 2}, {0, 0, 0}, {1, 1, 1}};
  Block inner{{0}, {0, 2}, {0, 1}, {1}, {0}, {1}};
  return SampledSubgraph{{0}, {outer, inner}};
}
const std::vector<float> kDegree{1, 2, 2, 1};

TEST(LightGcn, propagation_by_hand) {
  Tape t;
  // Input rows for src {0, 2, 1}, dim 1: h0 = 1, h2 = 10, h1 = 100.
  Var x = t.Leaf(3, 1, std::vector<float>{1, 10, 100}, false);
  Var out = LightGcnForward(t, TinySubgraph(), x, kDegree);
  // Layer 1: h0' = h2 / sqrt(1*2) ; h2' = h0 / sqrt(2*1) + h1 / sqrt(2*2)
  const double h0_1 = 10 / std::sqrt(2.0), h2_1 = 1 / std::sqrt(2.0) + 100 / 2.0;
  // Layer 2: h0'' = h2' / sqrt(2)
  const double h0_2 = h2_1 / std::sqrt(2.0);
  EXPECT_NEAR(t.Scalar(out), (1 + h0_1 + h0_2) / 3, 1e-4);
}

TEST(LightGcn, sampled_neighbourhood_is_rescaled_to_full_degree) {
  // Node 2 keeps one of its two neighbours: the sum is scaled by deg / sampled = 2.
  Block b{{2}, {2, 1}, {0, 1}, {1}, {0}, {1}};
  const std::vector<float> w = LightGcnEdgeWeights(b, kDegree);
  EXPECT_NEAR(w[0], 2 / std::sqrt(4.0), 1e-6);
}

TEST(LightGcn, gradient_matches_finite_differences) {
  const SampledSubgraph sg = TinySubgraph();
  testing::ExpectGradientsMatch(
      [&](Tape& t, std::span<const Var> v) { return LightGcnForward(t, sg, v[0], kDegree); },
      {testing::RandomMatrix(3, 4, 1)});
}

TEST(LightGcn, full_block_equals_dense_normalised_adjacency) {
  // Full graph as one block repeated: out = (E + A E + A^2 E) / 3 with A = D^-1/2 Adj D^-1/2.
  Block full{{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 3, 5, 6}, {2, 2, 3, 0, 1, 1}, {}, {}};
  full.edge_relation.assign(6, 0);
  full.edge_weight.assign(6, 1.0f);
  SampledSubgraph sg{{0, 1, 2, 3}, {full, full}};
  RowMatrix e = testing::RandomMatrix(4, 2, 2);
  RowMatrix a = RowMatrix::Zero(4, 4);
  const int edges[][2] = {{0, 2}, {1, 2}, {1, 3}};
  for (auto [u, v] : edges) a(u, v) = a(v, u) = 1.0f / std::sqrt(kDegree[u] * kDegree[v]);
  const RowMatrix expected = (e + a * e + a * a * e) / 3.0f;
  Tape t;
  Var out = LightGcnForward(t, sg, t.Leaf(e, false), kDegree);
  EXPECT_TRUE(RowMatrix(t.Value(out)).isApprox(expected, 1e-5f));
}

}  // namespace
}  // namespace melograph
