// MostPop channel: every item scored by its number of training users (the same list for
// everyone; the evaluator and `recall` drop the user's own items).
// Complexity: O(items) per user.
#pragma once

#include "recall/scorer.h"

namespace melograph {

class MostPopChannel : public Channel {
 public:
  explicit MostPopChannel(ChannelContext context) : Channel(context) {}
  std::string name() const override { return "mostpop"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
};

}  // namespace melograph
