// AttachChannelBandit (tools/channel_flags.h): `--bandit POLICY --feedback FILE` on the mix channel.
#include <memory>

#include "common/error.h"
#include "online/bandit_mix.h"
#include "tools/channel_flags.h"

namespace melograph::cli {

std::string AttachChannelBandit(Channel& channel, const ChannelFlags& f, const Graph& graph,
                                const Interactions& train) {
  if (f.bandit.empty() && f.feedback.empty()) return "";
  if (f.bandit.empty() || f.feedback.empty()) throw UsageError("--bandit and --feedback go together");
  auto* mix = dynamic_cast<MixChannel*>(&channel);
  if (!mix) throw UsageError("--bandit needs --channel mix (its channels are the arms)");
  BanditPolicy policy(ParseBanditPolicy(f.bandit, f.epsilon));
  std::vector<std::string> arms;
  for (int p = 0; p < mix->num_parts(); ++p) arms.push_back(mix->part_name(p));
  const auto user_type = graph.FindType(f.user_type);
  const auto lookup = [&](const std::string& key) -> int32_t {
    const auto node = graph.Find(key);
    if (!node || !user_type || graph.TypeOf(*node) != *user_type) return -1;
    return static_cast<int32_t>(*node - train.user_begin());
  };
  auto feedback = std::make_shared<const ChannelFeedback>(
      ChannelFeedback::Read(f.feedback, std::move(arms), train.num_users(), lookup));
  std::string summary = "bandit: " + policy.name() + ", feedback: " + std::to_string(feedback->impressions()) +
                        " impressions from " + std::to_string(feedback->users_with_feedback()) + " users";
  mix->set_slot_planner(MakeBanditPlanner(std::move(policy), std::move(feedback), f.bandit_seed));
  return summary;
}

}  // namespace melograph::cli
