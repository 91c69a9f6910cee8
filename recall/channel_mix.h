// Mix channel: a daily list merged from several channels by quota, with deduplication.
//
// Spec "itemcf:10,usercf:5,kg-hop:3,mostpop:2": list length L = Σ quotas. Each sub-channel
// ranks its finite-score items (user's training items dropped). The merge is a smooth
// weighted round robin: the next slot goes to the channel with the smallest taken/quota (ties
// to the earlier channel), which contributes its best item not yet in the list. A channel
// whose candidates run out leaves its slots to the others. Position p gets score L - p; items
// outside the list get kNoScore. Explain names the sub-channel that placed the item.
// Optional slot planner (an exploration bandit over the channels, online/bandit_mix.h): plan(user,
// L) names the part each slot should come from; slot i takes plan[i] while that part still has
// candidates, otherwise the round-robin rule above; an empty plan is the plain quota mix. The
// planner must be deterministic and thread-safe (ScoreUser runs on many threads).
// Complexity per user: the sub-channels' scoring + O(L · channels) + the planner.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recall/scorer.h"

namespace melograph {

class MixChannel : public Channel {
 public:
  struct Part {
    std::unique_ptr<Channel> channel;
    int quota = 0;
  };
  MixChannel(ChannelContext context, std::vector<Part> parts);
  std::string name() const override { return "mix"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
  int list_length() const { return length_; }
  int num_parts() const { return static_cast<int>(parts_.size()); }
  std::string part_name(int part) const { return parts_[static_cast<size_t>(part)].channel->name(); }

  using SlotPlanner = std::function<std::vector<int>(int32_t user, int length)>;
  void set_slot_planner(SlotPlanner planner) { planner_ = std::move(planner); }

  struct Slot {
    int32_t item;
    int part;
  };
  std::vector<Slot> Merge(int32_t user) const;

 private:
  std::vector<Part> parts_;
  int length_ = 0;
  SlotPlanner planner_;
};

}  // namespace melograph
