// Bandit policies: see bandit_policy.h.
#include "online/bandit_policy.h"

#include <cmath>

#include "common/error.h"

namespace melograph {
namespace {

// First arm never played, or -1.
int FirstUnpulled(std::span<const ArmStats> arms) {
  for (size_t a = 0; a < arms.size(); ++a)
    if (arms[a].pulls <= 0) return static_cast<int>(a);
  return -1;
}

// Argmax of score(a); ties to the lowest index.
template <typename Score>
int Argmax(size_t n, Score score) {
  int best = 0;
  double best_value = score(size_t{0});
  for (size_t a = 1; a < n; ++a) {
    const double v = score(a);
    if (v > best_value) best = static_cast<int>(a), best_value = v;
  }
  return best;
}

}  // namespace

double SampleGamma(double shape, Rng& rng) {
  if (shape < 1.0) {
    // Gamma(shape) = Gamma(shape + 1) * U^(1 / shape).
    double u = rng.UniformDouble();
    while (u <= 0.0) u = rng.UniformDouble();
    return SampleGamma(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.Normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.UniformDouble();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double SampleBeta(double a, double b, Rng& rng) {
  const double x = SampleGamma(a, rng), y = SampleGamma(b, rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

BanditPolicyConfig ParseBanditPolicy(std::string_view name, double epsilon) {
  BanditPolicyConfig c;
  c.epsilon = epsilon;
  if (name == "greedy")
    c.kind = BanditPolicyKind::kGreedy;
  else if (name == "eps-greedy")
    c.kind = BanditPolicyKind::kEpsilonGreedy;
  else if (name == "ucb1")
    c.kind = BanditPolicyKind::kUcb1;
  else if (name == "ucb1-tuned")
    c.kind = BanditPolicyKind::kUcb1Tuned;
  else if (name == "thompson")
    c.kind = BanditPolicyKind::kThompson;
  else if (name == "thompson-gaussian")
    c.kind = BanditPolicyKind::kThompson, c.thompson = ThompsonModel::kGaussian;
  else
    throw UsageError("unknown bandit policy '" + std::string(name) +
                     "' (expected greedy, eps-greedy, ucb1, ucb1-tuned, thompson or thompson-gaussian)");
  return c;
}

std::string BanditPolicyName(const BanditPolicyConfig& c) {
  switch (c.kind) {
    case BanditPolicyKind::kGreedy:
      return "greedy";
    case BanditPolicyKind::kEpsilonGreedy:
      return "eps-greedy";
    case BanditPolicyKind::kUcb1:
      return "ucb1";
    case BanditPolicyKind::kUcb1Tuned:
      return "ucb1-tuned";
    case BanditPolicyKind::kThompson:
      return c.thompson == ThompsonModel::kGaussian ? "thompson-gaussian" : "thompson";
  }
  return "?";
}

BanditPolicy::BanditPolicy(BanditPolicyConfig config) : config_(config) {
  if (!(config_.epsilon >= 0.0 && config_.epsilon <= 1.0))
    throw UsageError("bandit: --epsilon must lie in [0, 1]");
  if (!(config_.ucb_scale >= 0.0)) throw UsageError("bandit: the UCB1 scale must be >= 0");
  if (!(config_.gaussian_sigma > 0.0)) throw UsageError("bandit: the Gaussian sigma must be > 0");
}

int BanditPolicy::Choose(std::span<const ArmStats> arms, uint64_t draw_key) const {
  const size_t n = arms.size();
  if (config_.kind != BanditPolicyKind::kThompson) {
    if (const int first = FirstUnpulled(arms); first >= 0) return first;
  }
  switch (config_.kind) {
    case BanditPolicyKind::kEpsilonGreedy: {
      Rng rng(HashCombine(draw_key, kExploreSalt));
      if (rng.UniformDouble() < config_.epsilon) return static_cast<int>(rng.Uniform(n));
      [[fallthrough]];
    }
    case BanditPolicyKind::kGreedy:
      return Argmax(n, [&](size_t a) { return arms[a].mean(); });
    case BanditPolicyKind::kUcb1: {
      double total = 0;
      for (const ArmStats& s : arms) total += s.pulls;
      const double log_total = std::log(total);
      return Argmax(n, [&](size_t a) {
        return arms[a].mean() + config_.ucb_scale * std::sqrt(2.0 * log_total / arms[a].pulls);
      });
    }
    case BanditPolicyKind::kUcb1Tuned: {
      double total = 0;
      for (const ArmStats& s : arms) total += s.pulls;
      const double log_total = std::log(total);
      return Argmax(n, [&](size_t a) {
        const ArmStats& s = arms[a];
        const double mean = s.mean();
        const double variance = std::max(0.0, s.mean_square() - mean * mean);
        const double v = variance + std::sqrt(2.0 * log_total / s.pulls);
        return mean + config_.ucb_scale * std::sqrt(log_total / s.pulls * std::min(0.25, v));
      });
    }
    case BanditPolicyKind::kThompson:
      return Argmax(n, [&](size_t a) {
        Rng rng(HashCombine(draw_key, a));
        const ArmStats& s = arms[a];
        if (config_.thompson == ThompsonModel::kGaussian) {
          const double m = (0.5 + s.reward_sum) / (s.pulls + 1.0);
          return m + config_.gaussian_sigma / std::sqrt(s.pulls + 1.0) * rng.Normal();
        }
        return SampleBeta(1.0 + s.reward_sum, 1.0 + std::max(0.0, s.pulls - s.reward_sum), rng);
      });
  }
  return 0;
}

std::vector<int> BanditPolicy::ChooseSlots(std::span<const ArmStats> arms, int slots,
                                           uint64_t draw_key) const {
  std::vector<ArmStats> pending(arms.begin(), arms.end());
  std::vector<int> out;
  out.reserve(static_cast<size_t>(std::max(0, slots)));
  for (int k = 0; k < slots; ++k) {
    const int a = Choose(pending, HashCombine(draw_key, static_cast<uint64_t>(k)));
    ArmStats& s = pending[static_cast<size_t>(a)];
    const double mean = s.mean();
    const double mean_square = s.mean_square();
    s.pulls += 1;
    s.reward_sum += mean;
    s.reward_sq_sum += mean_square;
    out.push_back(a);
  }
  return out;
}

}  // namespace melograph
