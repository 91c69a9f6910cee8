// Losses: values computed by hand on 2x2 inputs, and gradients by finite differences.
#include "model/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "grad_check.h"
#include "model/ops.h"

namespace melograph {
namespace {

using testing::ExpectGradientsMatch;
using testing::M;
using testing::RandomMatrix;


TEST(Losses, bpr_by_hand) {
  Tape t;
  // -(log sigmoid(1 - 0) + log sigmoid(2 - 2)) / 2
  Var loss = BprLoss(t, t.Leaf(M(2, 1, {1, 2}), false), t.Leaf(M(2, 1, {0, 2}), false));
  EXPECT_NEAR(t.Scalar(loss), 0.5032044f, 1e-6);
}

// q = I, p = diag(1, 2): logits [[1, 0], [0, 2]] before negatives.
struct Fixture {
  Tape t;
  Var q, p, n, h;
  Fixture() {
    q = t.Leaf(M(2, 2, {1, 0, 0, 1}), false);
    p = t.Leaf(M(2, 2, {1, 0, 0, 2}), false);
    n = t.Leaf(M(1, 2, {1, 1}), false);
    h = t.Leaf(M(2, 2, {0, 1, 1, 0}), false);
  }
};

TEST(Losses, sampled_softmax_by_hand) {
  SampledSoftmaxOptions plain;
  {
    Fixture f;
    SampledSoftmaxInputs in{f.q, f.p, Var{}, {}, {}, {}, {}, {}};
    // (lse(1, 0) - 1 + lse(0, 2) - 2) / 2
    EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, plain)), 0.2200948f, 1e-6);
  }
  {
    Fixture f;
    SampledSoftmaxInputs in{f.q, f.p, f.n, {}, {}, {}, {}, {}};
    // (lse(1, 0, 1) - 1 + lse(0, 2, 1) - 2) / 2
    EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, plain)), 0.6348004f, 1e-6);
  }
  {
    Fixture f;
    SampledSoftmaxInputs in{f.q, f.p, Var{}, {f.h}, {}, {}, {}, {}};
    // Hard negatives add <q_i, h_i> = 0 per row: (lse(1, 0, 0) - 1 + lse(0, 2, 0) - 2) / 2
    EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, plain)), 0.3954947f, 1e-6);
  }
  {
    Fixture f;
    const std::vector<float> lp{std::log(0.5f), std::log(0.25f)}, ln{std::log(0.25f)};
    SampledSoftmaxInputs in{f.q, f.p, f.n, {}, {}, {}, lp, ln};
    SampledSoftmaxOptions logq;
    logq.logq_correction = true;
    // Every logit minus the log probability of its candidate.
    EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, logq)), 0.8397485f, 1e-5);
  }
  {
    Fixture f;
    // Both queries have item 5 as positive and the negative is item 5 too: only the target
    // remains in each row, so each row's loss is 0.
    const std::vector<int64_t> pos{5, 5}, neg{5};
    SampledSoftmaxInputs in{f.q, f.p, f.n, {}, pos, neg, {}, {}};
    EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, plain)), 0.0f, 1e-6);
    SampledSoftmaxOptions keep;
    keep.remove_accidental_hits = false;
    Fixture g;
    SampledSoftmaxInputs in2{g.q, g.p, g.n, {}, pos, neg, {}, {}};
    EXPECT_NEAR(g.t.Scalar(SampledSoftmaxLoss(g.t, in2, keep)), 0.6348004f, 1e-6);
  }
}

TEST(Losses, temperature_scales_logits) {
  Fixture f;
  SampledSoftmaxOptions o;
  o.temperature = 0.5f;
  SampledSoftmaxInputs in{f.q, f.p, Var{}, {}, {}, {}, {}, {}};
  const float expected = 0.5f * ((std::log(std::exp(2.0f) + 1.0f) - 2.0f) +
                                 (std::log(1.0f + std::exp(4.0f)) - 4.0f));
  EXPECT_NEAR(f.t.Scalar(SampledSoftmaxLoss(f.t, in, o)), expected, 1e-6);
  o.temperature = 0;
  EXPECT_THROW(SampledSoftmaxLoss(f.t, in, o), UsageError);
}

TEST(Losses, l2_by_hand) {
  Tape t;
  const std::vector<Var> vars{t.Leaf(M(1, 2, {1, 2}), false), t.Leaf(M(1, 1, {3}), false)};
  // 0.1 * 0.5 * (1 + 4 + 9) / 2
  EXPECT_NEAR(t.Scalar(L2Loss(t, vars, 0.1f, 2.0f)), 0.35f, 1e-6);
}

TEST(LossesGradient, bpr_and_l2) {
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) { return BprLossFromEmbeddings(t, v[0], v[1], v[2]); },
      {RandomMatrix(3, 4, 1), RandomMatrix(3, 4, 2), RandomMatrix(3, 4, 3)});
  ExpectGradientsMatch(
      [](Tape& t, std::span<const Var> v) {
        return L2Loss(t, std::vector<Var>{v[0], v[1]}, 0.3f, 3.0f);
      },
      {RandomMatrix(3, 4, 4), RandomMatrix(2, 4, 5)});
}

TEST(LossesGradient, sampled_softmax_all_options) {
  const std::vector<int64_t> pos{1, 2, 1}, neg{2, 7};
  const std::vector<float> lp{-1.0f, -2.0f, -1.0f}, ln{-2.0f, -3.0f};
  ExpectGradientsMatch(
      [&](Tape& t, std::span<const Var> v) {
        SampledSoftmaxOptions o;
        o.temperature = 0.5f;
        o.logq_correction = true;
        SampledSoftmaxInputs in{v[0], v[1], v[2], {v[3]}, pos, neg, lp, ln};
        return SampledSoftmaxLoss(t, in, o);
      },
      {RandomMatrix(3, 4, 6), RandomMatrix(3, 4, 7), RandomMatrix(2, 4, 8),
       RandomMatrix(3, 4, 9)});
}

}  // namespace
}  // namespace melograph
