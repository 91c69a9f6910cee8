// UserCF channel: see channel_usercf.h.
#include "recall/channel_usercf.h"

#include <algorithm>
#include <cstdio>

namespace melograph {

UserCfChannel::UserCfChannel(ChannelContext context, const CosineOptions& options)
    : Channel(context), options_(options) {
  CosineOptions o = options;
  o.threads = std::max(o.threads, context.threads);
  neighbors_ = BuildCosineNeighbors(train(), /*by_item=*/false, o);
}

void UserCfChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  const auto others = neighbors_.ids_of(user);
  const auto sims = neighbors_.sims_of(user);
  for (size_t k = 0; k < others.size(); ++k) {
    const auto items = train().items_of(others[k]);
    const auto weights = train().item_weights_of(others[k]);
    for (size_t j = 0; j < items.size(); ++j) {
      float& s = row[items[j]];
      s = (s == kNoScore ? 0.0f : s) + sims[k] * InteractionValue(weights[j], options_.weighted);
    }
  }
}

Reason UserCfChannel::Explain(int32_t user, int32_t item) const {
  const auto others = neighbors_.ids_of(user);
  const auto sims = neighbors_.sims_of(user);
  int contributors = 0;
  int32_t best = -1;
  float best_sim = 0;
  for (size_t k = 0; k < others.size(); ++k) {
    if (!train().Has(others[k], item)) continue;
    ++contributors;
    if (best < 0) {  // neighbours are sorted best first
      best = others[k];
      best_sim = sims[k];
    }
  }
  if (best < 0) return {name(), ItemKey(item)};
  char sim[32];
  std::snprintf(sim, sizeof sim, "%.3f", best_sim);
  std::string path = UserKey(user) + " -similar(" + sim + ")-> " + UserKey(best) + " -" +
                     train().relation() + "-> " + ItemKey(item);
  if (contributors > 1) path += " (+" + std::to_string(contributors - 1) + " more)";
  return {name(), path};
}

}  // namespace melograph
