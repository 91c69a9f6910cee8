#include "online/bandit_mix.h"

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"
#include "kg_builder/triple_io.h"

namespace melograph {

ChannelFeedback ChannelFeedback::Read(const std::string& path, std::vector<std::string> arms, int32_t users,
                                      const std::function<int32_t(const std::string& key)>& user_lookup,
                                      int64_t max_bad_lines) {
  ChannelFeedback f;
  f.arms_ = std::move(arms);
  f.stats_.assign(static_cast<size_t>(users) * f.arms_.size(), ArmStats{});
  f.seen_.assign(static_cast<size_t>(users), 0);
  BadLineBudget budget(max_bad_lines);
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::string key;
  while (reader.Next(line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const int64_t n = reader.line_number();
    const auto column = [&](size_t i) { return static_cast<int64_t>(fields[i].data() - line.data()) + 1; };
    const auto bad = [&](int64_t col, const std::string& reason) { budget.Record(InputError(path, n, col, reason)); };
    if (SplitFields(line, '\t', fields) != 3) {
      bad(1, "expected 3 tab-separated fields (user_id, channel, reward), got " + std::to_string(fields.size()));
      continue;
    }
    key.assign(fields[0].starts_with("user:") ? "" : "user:");
    key.append(fields[0]);
    const int32_t user = user_lookup(key);
    if (user < 0 || user >= users) {
      bad(1, "unknown user '" + std::string(fields[0]) + "'");
      continue;
    }
    int arm = -1;
    for (size_t a = 0; a < f.arms_.size(); ++a)
      if (fields[1] == f.arms_[a]) arm = static_cast<int>(a);
    if (arm < 0) {
      std::string known;
      for (const auto& name : f.arms_) known += (known.empty() ? "" : ", ") + name;
      bad(column(1), "unknown channel '" + std::string(fields[1]) + "' (the mix has " + known + ")");
      continue;
    }
    const auto reward = ParseDouble(fields[2]);
    if (!reward || !(*reward >= 0.0 && *reward <= 1.0)) {
      bad(column(2), "reward '" + std::string(fields[2]) + "' is not a number in [0, 1]");
      continue;
    }
    BanditPolicy::Update(f.stats_[static_cast<size_t>(user) * f.arms_.size() + static_cast<size_t>(arm)], *reward);
    uint8_t& seen = f.seen_[static_cast<size_t>(user)];
    f.users_with_feedback_ += seen == 0;
    seen = 1;
    ++f.impressions_;
  }
  f.bad_lines_skipped_ = budget.count();
  return f;
}

MixChannel::SlotPlanner MakeBanditPlanner(BanditPolicy policy, std::shared_ptr<const ChannelFeedback> feedback,
                                          uint64_t seed) {
  return [policy = std::move(policy), feedback = std::move(feedback), seed](int32_t user, int length) {
    if (!feedback->has(user)) return std::vector<int>();
    return policy.ChooseSlots(feedback->arms(user), length,
                              HashCombine(seed, kBanditMixSalt, static_cast<uint64_t>(user)));
  };
}

}  // namespace melograph
