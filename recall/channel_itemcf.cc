// ItemCF channel: see channel_itemcf.h.
#include "recall/channel_itemcf.h"

#include <algorithm>
#include <cstdio>

namespace melograph {

ItemCfChannel::ItemCfChannel(ChannelContext context, const CosineOptions& options)
    : Channel(context), options_(options) {
  CosineOptions o = options;
  o.threads = std::max(o.threads, context.threads);
  neighbors_ = BuildCosineNeighbors(train(), /*by_item=*/true, o);
}

void ItemCfChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  const auto items = train().items_of(user);
  const auto weights = train().item_weights_of(user);
  for (size_t k = 0; k < items.size(); ++k) {
    const float x = InteractionValue(weights[k], options_.weighted);
    const auto ids = neighbors_.ids_of(items[k]);
    const auto sims = neighbors_.sims_of(items[k]);
    for (size_t j = 0; j < ids.size(); ++j) {
      float& s = row[ids[j]];
      s = (s == kNoScore ? 0.0f : s) + x * sims[j];
    }
  }
}

Reason ItemCfChannel::Explain(int32_t user, int32_t item) const {
  const auto items = train().items_of(user);
  const auto weights = train().item_weights_of(user);
  int32_t best = -1;
  float best_contribution = 0;
  int contributors = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const float c =
        InteractionValue(weights[k], options_.weighted) * neighbors_.Find(items[k], item);
    if (c <= 0) continue;
    ++contributors;
    if (c > best_contribution) {
      best_contribution = c;
      best = items[k];
    }
  }
  if (best < 0) return {name(), ItemKey(item)};
  char sim[32];
  std::snprintf(sim, sizeof sim, "%.3f", neighbors_.Find(best, item));
  std::string path = UserKey(user) + " -" + train().relation() + "-> " + ItemKey(best) +
                     " -similar(" + sim + ")-> " + ItemKey(item);
  if (contributors > 1) path += " (+" + std::to_string(contributors - 1) + " more)";
  return {name(), path};
}

}  // namespace melograph
