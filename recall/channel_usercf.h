// UserCF channel: user-based collaborative filtering (Resnick et al., CSCW 1994, with cosine).
//   score(u, j) = Σ_{v ∈ N(u), j ∈ items(v)} sim(u, v) · x_vj
// with sim the cosine between user rows of the user x item matrix and N(u) the top
// `neighbors` users of u (recall/channel_cosine.h; IUF there down-weights popular items).
// Precomputation O(Σ_i deg(i)^2); scoring O(Σ_{v ∈ N(u)} deg(v)) per user.
#pragma once

#include "recall/channel_cosine.h"
#include "recall/scorer.h"

namespace melograph {

class UserCfChannel : public Channel {
 public:
  UserCfChannel(ChannelContext context, const CosineOptions& options);
  std::string name() const override { return "usercf"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
  const NeighborLists& neighbors() const { return neighbors_; }

 private:
  CosineOptions options_;
  NeighborLists neighbors_;
};

}  // namespace melograph
