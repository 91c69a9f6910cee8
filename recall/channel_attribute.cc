// Attribute channels: see channel_attribute.h.
#include "recall/channel_attribute.h"

#include <algorithm>

#include "recall/channel_cosine.h"

namespace melograph {

AttributeChannel::AttributeChannel(ChannelContext context, std::string name, std::string relation,
                                   bool weighted)
    : Channel(context),
      name_(std::move(name)),
      relation_name_(std::move(relation)),
      weighted_(weighted) {
  const auto item_type = graph().FindType(train().item_type());
  for (RelationId r : graph().FindRelations(relation_name_)) {
    const Relation& info = graph().relations()[r];
    if (item_type && info.head_type == *item_type && !info.is_reverse) {
      found_ = true;
      relation_ = r;
      inverse_ = info.inverse;
    }
  }
}

std::string AttributeChannel::why_not() const {
  return "channel " + name_ + " needs relation " + relation_name_ + " from node type " +
         train().item_type() + ", which the graph does not have";
}

std::vector<std::pair<NodeId, float>> AttributeChannel::Affinity(int32_t user) const {
  std::vector<std::pair<NodeId, float>> aff;
  if (!found_) return aff;
  const auto items = train().items_of(user);
  const auto weights = train().item_weights_of(user);
  const auto col = graph().col_idx();
  for (size_t k = 0; k < items.size(); ++k) {
    const auto [lo, hi] = graph().RelationRange(train().item_begin() + items[k], relation_);
    for (EdgeIdx e = lo; e < hi; ++e)
      aff.push_back({col[e], InteractionValue(weights[k], weighted_)});
  }
  std::sort(aff.begin(), aff.end());
  size_t out = 0;
  for (size_t k = 0; k < aff.size(); ++k) {
    if (out > 0 && aff[out - 1].first == aff[k].first) {
      aff[out - 1].second += aff[k].second;
    } else {
      aff[out++] = aff[k];
    }
  }
  aff.resize(out);
  return aff;
}

void AttributeChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  const auto col = graph().col_idx();
  for (const auto& [attribute, affinity] : Affinity(user)) {
    const auto [lo, hi] = graph().RelationRange(attribute, inverse_);
    for (EdgeIdx e = lo; e < hi; ++e) {
      const int32_t item = col[e] - train().item_begin();
      float& s = row[item];
      s = (s == kNoScore ? 0.0f : s) + affinity * static_cast<float>(1 + train().item_degree(item));
    }
  }
}

Reason AttributeChannel::Explain(int32_t user, int32_t item) const {
  const auto aff = Affinity(user);
  const auto col = graph().col_idx();
  const NodeId node = train().item_begin() + item;
  NodeId best = kInvalidNode;
  float best_aff = 0;
  const auto [lo, hi] = graph().RelationRange(node, relation_);
  for (EdgeIdx e = lo; found_ && e < hi; ++e) {
    const auto it =
        std::lower_bound(aff.begin(), aff.end(), std::make_pair(col[e], 0.0f),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    if (it != aff.end() && it->first == col[e] && it->second > best_aff) {
      best_aff = it->second;
      best = col[e];
    }
  }
  if (best == kInvalidNode) return {name_, ItemKey(item)};
  // The first of the user's items with that attribute.
  int32_t via = -1;
  for (int32_t i : train().items_of(user)) {
    const auto [a, b] = graph().RelationRange(train().item_begin() + i, relation_);
    if (std::find(col.begin() + a, col.begin() + b, best) != col.begin() + b) {
      via = i;
      break;
    }
  }
  const std::string& inverse_name = graph().relations()[inverse_].name;
  return {name_, UserKey(user) + " -" + train().relation() + "-> " + ItemKey(via) + " -" +
                     relation_name_ + "-> " + graph().Key(best) + " -" + inverse_name + "-> " +
                     ItemKey(item) + " (" + std::to_string(train().item_degree(item)) + " users)"};
}

}  // namespace melograph
