// ItemCF channel: item-based collaborative filtering (Sarwar et al., WWW 2001).
//   score(u, j) = Σ_{i ∈ items(u), j ∈ N(i)} x_ui · sim(i, j)
// with sim the cosine between item columns of the user x item matrix and N(i) the top
// `neighbors` items of i (recall/channel_cosine.h; IUF and weighted options there).
// Precomputation O(Σ_u deg(u)^2); scoring O(Σ_{i ∈ items(u)} |N(i)|) per user.
#pragma once

#include "recall/channel_cosine.h"
#include "recall/scorer.h"

namespace melograph {

class ItemCfChannel : public Channel {
 public:
  ItemCfChannel(ChannelContext context, const CosineOptions& options);
  std::string name() const override { return "itemcf"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
  const NeighborLists& neighbors() const { return neighbors_; }

 private:
  CosineOptions options_;
  NeighborLists neighbors_;
};

}  // namespace melograph
