// MostPop channel: see channel_mostpop.h.
#include "recall/channel_mostpop.h"

namespace melograph {

void MostPopChannel::ScoreUser(int32_t, std::span<float> row) const {
  for (int32_t i = 0; i < num_items(); ++i) row[i] = static_cast<float>(train().item_degree(i));
}

Reason MostPopChannel::Explain(int32_t user, int32_t item) const {
  return {name(), ItemKey(item) + " <-" + train().relation() + "- " +
                      std::to_string(train().item_degree(item)) + " users"};
}

}  // namespace melograph
