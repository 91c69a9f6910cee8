// Exploration bandit simulator driven by the generated world's planted tastes
// (`melograph bandit simulate`, docs/BANDITS.md).
//
// The world (LoadBanditWorld): DIR/truth/clusters.tsv (cluster, genre, language, ...) and
// DIR/truth/users.tsv (user_id, cluster:weight;..., works, target_events). The expected reward of
// an arm for a user follows the generator's behaviour model (docs/GENERATOR.md): a song of
// cluster k has affinity a = 0.55 + 0.45 w_k / w_max if k is one of the user's clusters, else
// 0.15; a listen is positive (not skipped) with probability 1 - (0.04 + 0.5 (1 - a')), a' = a
// plus uniform noise in [-0.1, 0.1] clamped to [0, 1] (PositiveListenProbability takes that
// expectation exactly). Arms:
//   cluster: one arm per taste cluster, reward as above;
//   genre:   one arm per genre; within a genre the song comes from the user's clusters of that
//            genre by weight (the expected reward is that weighted mean), else from outside (0.15).
// A user's segment is the language of their primary (heaviest) cluster.
//
// The simulation (SimulateBandits): round t = 1..T draws a user u_t with probability
// proportional to target_events (activity), from Rng(HashCombine(seed, kUserSalt, t)); the
// policy chooses arm a_t from the bandit state of its scope with draw_key HashCombine(seed, t,
// u_t); the reward is 1 iff Rng(HashCombine(seed, kRewardSalt, t, u_t, a_t)).UniformDouble() <
// w(u_t, a_t); the state is updated. Every policy sees the same users and, for the same arm, the
// same reward (common random numbers). Regret R_T = sum_t w(u_t, best arm of u_t) - w(u_t, a_t),
// on expected rewards, against the per-user oracle. Scopes:
//   user (default): one state per user: personal exploration, sublinear regret per user;
//   segment / global: one state per language / for everyone: fast to learn, but regret grows
//            linearly wherever personal taste departs from the segment's best arm;
//   user-segment: per-user state plus prior_pulls pseudo-pulls at the segment's running mean
//            per arm (partial pooling); updates go to both.
// Lists (slots = K > 1): each round the policy fills K slots with BanditPolicy::ChooseSlots from
// the state as it stands, then every slot gets its own reward (key HashCombine(seed, kRewardSalt,
// t, u, arm, slot)) and update; the round's regret is the sum over its slots. That models a
// recall mix whose quotas come from the bandit, with feedback per slot.
// Deterministic: the same world, config and seed give the same numbers (times aside).
// Cost: O(T x arms) per policy (Thompson: one Beta draw per arm per round) + O(users x arms)
// memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "online/bandit_policy.h"

namespace melograph {

enum class BanditArms { kGenre, kCluster };
enum class BanditScope { kUser, kSegment, kGlobal, kUserSegment };

BanditArms ParseBanditArms(std::string_view s);    // "genre" | "cluster"; UsageError otherwise
BanditScope ParseBanditScope(std::string_view s);  // "user" | "segment" | "global" | "user-segment"
std::string_view BanditScopeName(BanditScope scope);

// Probability of a positive (not skipped) listen at planted affinity a, noise included.
double PositiveListenProbability(double affinity);

struct BanditWorld {
  std::vector<std::string> arm_names;
  std::vector<std::string> segment_names;  // languages
  std::vector<std::string> user_ids;
  std::vector<int32_t> segment;  // per user
  std::vector<double> activity;  // per user, > 0 (draw weight)
  std::vector<double> expected;  // users x arms, row-major: P(reward = 1)

  int64_t num_users() const { return static_cast<int64_t>(user_ids.size()); }
  int num_arms() const { return static_cast<int>(arm_names.size()); }
  double Expected(int64_t user, int arm) const {
    return expected[static_cast<size_t>(user) * arm_names.size() + static_cast<size_t>(arm)];
  }
  // Throws FormatError when the sizes disagree or a value is outside [0, 1].
  void Validate() const;
};

// Throws IoError for a missing file and InputError(file, line, column, reason) for a malformed
// line (wrong field count, unknown cluster, bad weight or count, duplicate user).
BanditWorld LoadBanditWorld(const std::string& world_dir, BanditArms arms);

struct BanditSimPolicy {
  std::string name;
  std::optional<BanditPolicyConfig> policy;  // nullopt: the oracle (always the user's best arm)
};

struct BanditSimConfig {
  int64_t rounds = 100000;
  uint64_t seed = 1;
  BanditScope scope = BanditScope::kUser;
  double prior_pulls = 5;  // user-segment scope only
  int checkpoints = 50;    // regret recorded at ceil(T k / checkpoints), k = 1..checkpoints
  int slots = 1;           // list length K: each round fills K slots (ChooseSlots), K rewards
  std::vector<BanditSimPolicy> policies;
};

struct BanditPolicyRun {
  std::string name;
  std::vector<double> regret;  // at each checkpoint
  double final_regret = 0;
  double reward_sum = 0;        // drawn rewards (over every slot)
  int64_t best_arm_rounds = 0;  // slots (rounds when slots == 1) that played the user's best arm
  double seconds = 0;
};

struct BanditSimResult {
  std::vector<int64_t> checkpoints;
  std::vector<BanditPolicyRun> runs;  // in the order of config.policies
  double oracle_expected_reward = 0;  // mean of w(u_t, best) over the rounds
};

// Throws UsageError for rounds < 1, checkpoints < 1, slots < 1, no policy, prior_pulls < 0.
BanditSimResult SimulateBandits(const BanditWorld& world, const BanditSimConfig& config);

// "rounds,<policy>,..." then one line per checkpoint.
std::string RegretCsv(const BanditSimResult& result);
// Self-contained SVG: R_T against T, one line per policy.
std::string RegretSvg(const BanditSimResult& result, const std::string& title);

inline constexpr uint64_t kBanditUserSalt = 0x75736572ULL;        // "user"
inline constexpr uint64_t kBanditRewardSalt = 0x726577617264ULL;  // "reward"

}  // namespace melograph
