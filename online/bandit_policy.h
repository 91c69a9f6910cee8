// Multi-armed bandit policies for exploration over the recall mix (arms = genres, taste clusters
// or recall channels): greedy, epsilon-greedy, UCB1 and Thompson sampling.
//
// Contract:
//  * A policy is stateless: it reads the statistics of every arm (ArmStats, owned by the caller,
//    per user, per segment or global) and returns one arm. Update() folds one reward into an
//    arm. Rewards lie in [0, 1] (a positive listen is 1, a skip 0; fractions are allowed).
//  * Randomness: Choose(arms, draw_key) with draw_key = HashCombine(seed, round, user) (the work
//    item). Thompson's sample for arm a comes from Rng(HashCombine(draw_key, a)); epsilon-greedy's
//    coin and its uniform arm from Rng(HashCombine(draw_key, kExploreSalt)). Never thread ids:
//    the same key and the same statistics give the same arm.
//  * Greedy, epsilon-greedy and UCB1 first play every arm with pulls == 0, lowest index first.
//    Then greedy plays argmax mean; epsilon-greedy with probability epsilon a uniform arm, else
//    greedy's arm; UCB1 argmax mean_a + sqrt(2 ln N / n_a) (N = total pulls, Auer et al. 2002,
//    scaled by ucb_scale, 1 by default); UCB1-Tuned (same paper, section 4) argmax mean_a +
//    sqrt(ln N / n_a * min(1/4, V_a)), V_a = the arm's reward variance + sqrt(2 ln N / n_a): the
//    radius shrinks with the observed variance, which matters when rewards sit near 0 or 1
//    (positive-listen rates of 0.9+). Ties go to the lowest arm index.
//  * Thompson (Beta-Bernoulli, the default): arm a draws theta_a ~ Beta(1 + s_a, 1 + n_a - s_a)
//    (s_a = reward sum); Gaussian: theta_a ~ N((prior_mean + s_a) / (n_a + 1), sigma^2 / (n_a + 1))
//    (one pseudo-observation at prior_mean 0.5); plays argmax theta (ties: lowest index).
//  * ChooseSlots fills a list of K slots from arms: slot k is chosen with key HashCombine(key,
//    k) from the statistics plus the slots already placed, counted as pending pulls with the
//    arm's current mean (so UCB1 and greedy spread slots, Thompson redraws); each slot's reward
//    is then fed back with Update. Cost O(arms) per choice (Thompson: one Beta draw per arm).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash.h"

namespace melograph {

enum class BanditPolicyKind { kGreedy, kEpsilonGreedy, kUcb1, kUcb1Tuned, kThompson };
enum class ThompsonModel { kBetaBernoulli, kGaussian };

struct ArmStats {
  double pulls = 0;       // number of times played (may be fractional for pseudo-counts)
  double reward_sum = 0;  // sum of rewards in [0, 1]
  double reward_sq_sum = 0;  // sum of squared rewards (UCB1-Tuned's variance)
  double mean() const { return pulls > 0 ? reward_sum / pulls : 0.0; }
  double mean_square() const { return pulls > 0 ? reward_sq_sum / pulls : 0.0; }
};

struct BanditPolicyConfig {
  BanditPolicyKind kind = BanditPolicyKind::kThompson;
  double epsilon = 0.1;    // epsilon-greedy: exploration probability in [0, 1]
  double ucb_scale = 1.0;  // UCB1: multiplies the confidence radius sqrt(2 ln N / n)
  ThompsonModel thompson = ThompsonModel::kBetaBernoulli;
  double gaussian_sigma = 0.5;  // Gaussian Thompson: reward noise standard deviation
};

// "greedy", "eps-greedy", "ucb1", "ucb1-tuned", "thompson" (and "thompson-gaussian"); UsageError
// otherwise.
BanditPolicyConfig ParseBanditPolicy(std::string_view name, double epsilon);
std::string BanditPolicyName(const BanditPolicyConfig& config);

class BanditPolicy {
 public:
  // Throws UsageError for epsilon outside [0, 1], a negative ucb_scale or a non-positive sigma.
  explicit BanditPolicy(BanditPolicyConfig config);
  const BanditPolicyConfig& config() const { return config_; }
  std::string name() const { return BanditPolicyName(config_); }

  // The arm to play; arms must not be empty.
  int Choose(std::span<const ArmStats> arms, uint64_t draw_key) const;
  // K slots (see the contract); arms must not be empty, slots >= 0.
  std::vector<int> ChooseSlots(std::span<const ArmStats> arms, int slots, uint64_t draw_key) const;
  static void Update(ArmStats& arm, double reward) {
    arm.pulls += 1;
    arm.reward_sum += reward;
    arm.reward_sq_sum += reward * reward;
  }

  static constexpr uint64_t kExploreSalt = 0x6578706c6f7265ULL;  // "explore"

 private:
  BanditPolicyConfig config_;
};

// Beta(a, b) and Gamma(shape, 1) draws (Marsaglia-Tsang), exposed for tests. a, b, shape > 0.
double SampleGamma(double shape, Rng& rng);
double SampleBeta(double a, double b, Rng& rng);

}  // namespace melograph
