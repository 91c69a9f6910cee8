// Mix channel: see channel_mix.h.
#include "recall/channel_mix.h"

#include <algorithm>
#include <unordered_set>

#include "common/error.h"
#include "recall/top_k.h"

namespace melograph {

MixChannel::MixChannel(ChannelContext context, std::vector<Part> parts)
    : Channel(context), parts_(std::move(parts)) {
  if (parts_.empty()) throw UsageError("--mix needs at least one channel:quota");
  for (const Part& p : parts_) {
    if (p.quota <= 0)
      throw UsageError("--mix: quota of " + p.channel->name() + " must be positive");
    length_ += p.quota;
  }
}

std::vector<MixChannel::Slot> MixChannel::Merge(int32_t user) const {
  const size_t n = static_cast<size_t>(num_items());
  std::vector<std::vector<ScoredItem>> lists(parts_.size());
  std::vector<float> row(n);
  for (size_t p = 0; p < parts_.size(); ++p) {
    if (!parts_[p].channel->applicable()) continue;
    parts_[p].channel->ScoreUser(user, row);
    SelectTopK(row, train().items_of(user), length_, lists[p]);
    while (!lists[p].empty() && lists[p].back().score == kNoScore) lists[p].pop_back();
  }
  std::vector<Slot> out;
  std::unordered_set<int32_t> taken_items;
  std::vector<size_t> cursor(parts_.size(), 0);
  std::vector<int> taken(parts_.size(), 0);
  std::vector<bool> exhausted(parts_.size(), false);
  const std::vector<int> plan = planner_ ? planner_(user, length_) : std::vector<int>();
  while (static_cast<int>(out.size()) < length_) {
    int pick = -1;
    if (const size_t slot = out.size(); slot < plan.size()) {
      const int want = plan[slot];
      if (want >= 0 && static_cast<size_t>(want) < parts_.size() && !exhausted[static_cast<size_t>(want)])
        pick = want;
    }
    if (pick < 0) {
      for (size_t p = 0; p < parts_.size(); ++p) {
        if (exhausted[p]) continue;
        // Compare taken[p]/quota[p] < taken[pick]/quota[pick] without division.
        if (pick < 0 || static_cast<int64_t>(taken[p]) * parts_[pick].quota <
                            static_cast<int64_t>(taken[pick]) * parts_[p].quota)
          pick = static_cast<int>(p);
      }
    }
    if (pick < 0) break;
    auto& list = lists[pick];
    size_t& c = cursor[pick];
    while (c < list.size() && taken_items.count(list[c].item)) ++c;
    if (c == list.size()) {
      exhausted[pick] = true;
      continue;
    }
    out.push_back({list[c].item, pick});
    taken_items.insert(list[c].item);
    ++taken[pick];
    ++c;
  }
  return out;
}

void MixChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  const auto slots = Merge(user);
  for (size_t p = 0; p < slots.size(); ++p)
    row[slots[p].item] = static_cast<float>(length_ - static_cast<int>(p));
}

Reason MixChannel::Explain(int32_t user, int32_t item) const {
  for (const Slot& s : Merge(user))
    if (s.item == item) return parts_[s.part].channel->Explain(user, item);
  return {name(), ItemKey(item)};
}

}  // namespace melograph
