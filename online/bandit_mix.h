// Exploration bandit over the recall mix (docs/BANDITS.md, "Over the recall mix"): the channels
// of `--channel mix` are the arms; each user's logged feedback on them (impressions with a reward)
// gives per-user arm statistics, and a BanditPolicy decides which channel fills each slot of the
// user's list (BanditPolicy::ChooseSlots), instead of the fixed quotas.
//
// Feedback file (TSV, '#' comments, blank lines ignored), one impression per line:
//     user_id <TAB> channel <TAB> reward
// user_id: a user of the graph ("u12" or "user:u12"); channel: a channel of the mix ("itemcf");
// reward in [0, 1] (1 = played through or liked, 0 = skipped). Lines are summed per (user,
// channel) into ArmStats. A bad line (field count, unknown user or channel, a reward that is not a
// number in [0, 1]) is an InputError with file, line, column and reason, or a counted skip
// within max_bad_lines.
//
// Planner: a user with feedback gets ChooseSlots(their arm statistics, L, key) with key
// HashCombine(seed, kBanditMixSalt, user) (the work item, never a thread id), so the same seed
// and file give the same lists on any number of threads; a user without feedback keeps the quota
// mix (an empty plan). Thread-safe: the planner only reads the feedback table.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "online/bandit_policy.h"
#include "recall/channel_mix.h"

namespace melograph {

class ChannelFeedback {
 public:
  // arms: the channel names, in mix part order. user_lookup: graph key ("user:u12") -> user index
  // or -1.
  static ChannelFeedback Read(const std::string& path, std::vector<std::string> arms, int32_t users,
                              const std::function<int32_t(const std::string& key)>& user_lookup,
                              int64_t max_bad_lines = 0);

  int num_arms() const { return static_cast<int>(arms_.size()); }
  const std::vector<std::string>& arm_names() const { return arms_; }
  bool has(int32_t user) const { return seen_[static_cast<size_t>(user)] != 0; }
  std::span<const ArmStats> arms(int32_t user) const {
    return {stats_.data() + static_cast<size_t>(user) * arms_.size(), arms_.size()};
  }
  int64_t impressions() const { return impressions_; }
  int64_t users_with_feedback() const { return users_with_feedback_; }
  int64_t bad_lines_skipped() const { return bad_lines_skipped_; }

 private:
  std::vector<std::string> arms_;
  std::vector<ArmStats> stats_;  // users x arms
  std::vector<uint8_t> seen_;
  int64_t impressions_ = 0;
  int64_t users_with_feedback_ = 0;
  int64_t bad_lines_skipped_ = 0;
};

inline constexpr uint64_t kBanditMixSalt = 0x6d69782d62616e64ULL;  // "mix-band"

MixChannel::SlotPlanner MakeBanditPlanner(BanditPolicy policy, std::shared_ptr<const ChannelFeedback> feedback,
                                          uint64_t seed);

}  // namespace melograph
