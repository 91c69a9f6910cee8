// Bandit policies: exact choices on hand-made arm statistics (UCB1's first pulls and index,
// UCB1-Tuned's variance term, greedy's tie-breaking, epsilon's coin), Thompson's determinism by
// key, the Beta/Gamma samplers, and list filling (ChooseSlots).
#include "online/bandit_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {
namespace {

ArmStats Arm(double pulls, double rewards) { return {pulls, rewards}; }

BanditPolicy Policy(std::string_view name, double epsilon = 0.1) {
  return BanditPolicy(ParseBanditPolicy(name, epsilon));
}

TEST(BanditPolicy, ucb1_pulls_every_arm_once_first_in_index_order) {
  const BanditPolicy ucb = Policy("ucb1");
  std::vector<ArmStats> arms(3);
  EXPECT_EQ(ucb.Choose(arms, 7), 0);
  arms[0] = Arm(1, 1);
  EXPECT_EQ(ucb.Choose(arms, 7), 1);
  arms[1] = Arm(1, 0);
  EXPECT_EQ(ucb.Choose(arms, 7), 2);
  arms[2] = Arm(1, 0);
  EXPECT_EQ(ucb.Choose(arms, 7), 0);  // index: 1 + sqrt(2 ln 3) against 0 + sqrt(2 ln 3)
}

TEST(BanditPolicy, ucb1_index_is_mean_plus_sqrt_2_ln_n_over_pulls) {
  // N = 12, 2 ln N = 4.970: arm 0: 0.9 + sqrt(4.970 / 10) = 1.605; arm 1: 0.5 + sqrt(4.970 / 2)
  // = 2.076.
  const std::vector<ArmStats> arms{Arm(10, 9), Arm(2, 1)};
  EXPECT_EQ(Policy("ucb1").Choose(arms, 1), 1);  // the less-tried arm wins despite its lower mean
  // Scaled radius 0.2: 0.9 + 0.141 = 1.041 against 0.5 + 0.315 = 0.815.
  BanditPolicyConfig c = ParseBanditPolicy("ucb1", 0);
  c.ucb_scale = 0.2;
  EXPECT_EQ(BanditPolicy(c).Choose(arms, 1), 0);
  // Just either side of the crossing: arm 1 with n1 pulls at mean 0.5, arm 0 at 0.9 with 10 pulls.
  // n1 = 9: N = 19, r = 2 ln 19 = 5.889: 0.9 + 0.767 = 1.667 > 0.5 + 0.809 = 1.309 -> arm 0.
  EXPECT_EQ(Policy("ucb1").Choose(std::vector<ArmStats>{Arm(10, 9), Arm(9, 4.5)}, 1), 0);
  // n1 = 3: N = 13, r = 5.130: 0.9 + 0.716 = 1.616 < 0.5 + 1.308 = 1.808 -> arm 1.
  EXPECT_EQ(Policy("ucb1").Choose(std::vector<ArmStats>{Arm(10, 9), Arm(3, 1.5)}, 1), 1);
}

TEST(BanditPolicy, greedy_plays_unpulled_arms_then_the_best_mean_ties_to_the_lowest_index) {
  const BanditPolicy greedy = Policy("greedy");
  EXPECT_EQ(greedy.Choose(std::vector<ArmStats>{Arm(1, 1), Arm(0, 0), Arm(0, 0)}, 3), 1);
  EXPECT_EQ(greedy.Choose(std::vector<ArmStats>{Arm(2, 1), Arm(4, 2), Arm(1, 0)}, 3),
            0);  // 0.5 = 0.5
  EXPECT_EQ(greedy.Choose(std::vector<ArmStats>{Arm(1, 0), Arm(4, 2), Arm(2, 1)}, 3),
            1);  // 0.5 = 0.5
  EXPECT_EQ(greedy.Choose(std::vector<ArmStats>{Arm(5, 1), Arm(4, 2), Arm(3, 2)}, 3), 2);
  // No randomness: every key gives the same arm.
  for (uint64_t key = 0; key < 100; ++key)
    EXPECT_EQ(greedy.Choose(std::vector<ArmStats>{Arm(3, 1), Arm(3, 2)}, key), 1);
}

TEST(BanditPolicy, epsilon_greedy_explores_with_probability_epsilon_and_is_deterministic_by_key) {
  const std::vector<ArmStats> arms{Arm(10, 2), Arm(10, 8), Arm(10, 5)};
  const BanditPolicy never = Policy("eps-greedy", 0.0), always = Policy("eps-greedy", 1.0),
                     some = Policy("eps-greedy", 0.3);
  std::vector<int> uniform(3, 0);
  int off_greedy = 0;
  const int draws = 30000;
  for (uint64_t key = 0; key < draws; ++key) {
    EXPECT_EQ(never.Choose(arms, key), 1);
    ++uniform[static_cast<size_t>(always.Choose(arms, key))];
    const int a = some.Choose(arms, key);
    EXPECT_EQ(a, some.Choose(arms, key));
    off_greedy += a != 1;
  }
  for (int c : uniform) EXPECT_NEAR(c / double(draws), 1.0 / 3, 0.015);
  EXPECT_NEAR(off_greedy / double(draws), 0.3 * 2 / 3,
              0.015);  // a uniform draw hits arm 1 a third of the time
  // Unpulled arms still come first.
  EXPECT_EQ(always.Choose(std::vector<ArmStats>{Arm(1, 1), Arm(0, 0)}, 5), 1);
}

TEST(BanditPolicy, thompson_is_a_pure_function_of_key_and_follows_the_posterior) {
  const BanditPolicy ts = Policy("thompson");
  const std::vector<ArmStats> even{Arm(4, 2), Arm(4, 2)};
  int first = 0;
  const int draws = 4000;
  for (uint64_t key = 0; key < draws; ++key) {
    const int a = ts.Choose(even, HashCombine(9, key));
    EXPECT_EQ(a, ts.Choose(even, HashCombine(9, key)));
    first += a == 0;
  }
  EXPECT_NEAR(first / double(draws), 0.5, 0.03);
  // Beta(101, 1) against Beta(1, 101): arm 0 every time; unpulled arms are not forced first.
  int second = 0;
  for (uint64_t key = 0; key < 200; ++key) {
    EXPECT_EQ(ts.Choose(std::vector<ArmStats>{Arm(100, 100), Arm(100, 0)}, key), 0);
    second += ts.Choose(std::vector<ArmStats>{Arm(100, 0), Arm(100, 100), Arm(0, 0)}, key) == 1;
  }
  EXPECT_GE(second, 190);  // the unpulled arm (Beta(1, 1)) beats Beta(101, 1) about 1% of the time
  // P(Beta(3, 2) > Beta(2, 3)) = 53/70 (exact: the integral of 12 x^2 (1 - x) (6x^2 - 8x^3 +
  // 3x^4)).
  int better = 0;
  for (uint64_t key = 0; key < 20000; ++key)
    better += ts.Choose(std::vector<ArmStats>{Arm(3, 2), Arm(3, 1)}, key) == 0;
  EXPECT_NEAR(better / 20000.0, 53.0 / 70, 0.015);
  // Gaussian model: same determinism, and a clear winner wins.
  const BanditPolicy g = Policy("thompson-gaussian");
  for (uint64_t key = 0; key < 200; ++key) {
    EXPECT_EQ(g.Choose(std::vector<ArmStats>{Arm(400, 40), Arm(400, 360)}, key), 1);
    EXPECT_EQ(g.Choose(even, key), g.Choose(even, key));
  }
}

TEST(BanditPolicy, beta_and_gamma_samplers_have_the_right_moments) {
  Rng rng(42);
  const int n = 40000;
  double beta = 0, beta_sq = 0, gamma_small = 0, gamma_big = 0;
  for (int i = 0; i < n; ++i) {
    const double b = SampleBeta(2, 5, rng);
    ASSERT_GE(b, 0.0);
    ASSERT_LE(b, 1.0);
    beta += b, beta_sq += b * b;
    gamma_small += SampleGamma(0.5, rng);
    gamma_big += SampleGamma(7, rng);
  }
  beta /= n, beta_sq /= n;
  EXPECT_NEAR(beta, 2.0 / 7, 0.004);
  EXPECT_NEAR(beta_sq - beta * beta, 2.0 * 5 / (49.0 * 8), 0.002);  // ab / ((a+b)^2 (a+b+1))
  EXPECT_NEAR(gamma_small / n, 0.5, 0.015);
  EXPECT_NEAR(gamma_big / n, 7.0, 0.06);
}

// 0/1 rewards: the squared rewards sum to the rewards.
ArmStats BernoulliArm(double pulls, double rewards) { return {pulls, rewards, rewards}; }

TEST(BanditPolicy, ucb1_tuned_index_uses_the_reward_variance) {
  // N = 12, ln N = 2.4849. Arm 0 (10 pulls, mean 0.9, variance 0.09): V = 0.09 + sqrt(2 ln N / 10)
  // = 0.795, capped at 1/4: 0.9 + sqrt(0.24849 * 0.25) = 1.1492. Arm 1 (2 pulls, mean 0.5): V
  // capped at 1/4: 0.5 + sqrt(1.2425 * 0.25) = 1.0573. Tuned keeps arm 0 where UCB1 (above)
  // tries arm 1.
  const std::vector<ArmStats> arms{BernoulliArm(10, 9), BernoulliArm(2, 1)};
  EXPECT_EQ(Policy("ucb1").Choose(arms, 1), 1);
  EXPECT_EQ(Policy("ucb1-tuned").Choose(arms, 1), 0);
  // Same pulls and mean, different variance: N = 800, sqrt(2 ln N / 400) = 0.1828. Arm 0 with
  // squared sum 110 (variance 0.025): V = 0.208, radius sqrt(6.6846 / 400 * 0.208) = 0.0589;
  // arm 1 Bernoulli (variance 0.25): V capped at 1/4, radius 0.0646 -> arm 1 (a tie would go to 0).
  const std::vector<ArmStats> same_mean{ArmStats{400, 200, 110}, BernoulliArm(400, 200)};
  EXPECT_EQ(Policy("ucb1-tuned").Choose(same_mean, 1), 1);
  EXPECT_EQ(Policy("ucb1").Choose(same_mean, 1), 0);  // UCB1 ignores the variance: a tie
  // First pulls as UCB1: every arm once, in index order.
  EXPECT_EQ(Policy("ucb1-tuned").ChooseSlots(std::vector<ArmStats>(3), 3, 1), (std::vector<int>{0, 1, 2}));
}

TEST(BanditPolicy, choose_slots_fills_a_list_with_pending_pulls) {
  // Greedy keeps its arm: a pending pull at the arm's mean leaves the mean unchanged.
  const std::vector<ArmStats> arms{Arm(10, 9), Arm(10, 8), Arm(10, 2)};
  EXPECT_EQ(Policy("greedy").ChooseSlots(arms, 4, 1), (std::vector<int>{0, 0, 0, 0}));
  // UCB1 on fresh arms: the first slots cover every arm once, in order.
  EXPECT_EQ(Policy("ucb1").ChooseSlots(std::vector<ArmStats>(3), 3, 1),
            (std::vector<int>{0, 1, 2}));
  // UCB1 with close arms: pending pulls shrink arm 0's radius until arm 1 takes a slot.
  const std::vector<int> spread =
      Policy("ucb1").ChooseSlots(std::vector<ArmStats>{Arm(2, 1.2), Arm(2, 1)}, 4, 1);
  EXPECT_EQ(spread.size(), 4u);
  EXPECT_NE(std::count(spread.begin(), spread.end(), 1), 0);
  // Thompson: deterministic by key, slot k drawn with key HashCombine(key, k).
  const BanditPolicy ts = Policy("thompson");
  EXPECT_EQ(ts.ChooseSlots(arms, 6, 77), ts.ChooseSlots(arms, 6, 77));
  EXPECT_EQ(ts.ChooseSlots(arms, 1, 77).front(), ts.Choose(arms, HashCombine(77, 0)));
  EXPECT_TRUE(ts.ChooseSlots(arms, 0, 77).empty());
}

TEST(BanditPolicy, names_parse_and_bad_settings_are_usage_errors) {
  for (const char* name : {"greedy", "eps-greedy", "ucb1", "ucb1-tuned", "thompson", "thompson-gaussian"})
    EXPECT_EQ(BanditPolicyName(ParseBanditPolicy(name, 0.1)), name);
  EXPECT_THROW(ParseBanditPolicy("softmax", 0.1), UsageError);
  EXPECT_THROW(Policy("eps-greedy", 1.5), UsageError);
  EXPECT_THROW(Policy("eps-greedy", -0.1), UsageError);
  BanditPolicyConfig c;
  c.ucb_scale = -1;
  EXPECT_THROW(BanditPolicy{c}, UsageError);
  ArmStats s;
  BanditPolicy::Update(s, 1);
  BanditPolicy::Update(s, 0);
  EXPECT_EQ(s.pulls, 2);
  EXPECT_EQ(s.mean(), 0.5);
  BanditPolicy::Update(s, 0.5);
  EXPECT_EQ(s.reward_sq_sum, 1.25);
}

}  // namespace
}  // namespace melograph
