// KG-hop channel: see channel_kg_hop.h.
#include "recall/channel_kg_hop.h"

#include <algorithm>

#include "common/error.h"
#include "recall/channel_cosine.h"

namespace melograph {

std::vector<std::string> DefaultKgHopRelations() {
  return {"by_artist", "in_album", "ost_of", "appears_in", "co_ost", "co_show"};
}

KgHopChannel::KgHopChannel(ChannelContext context, int hops, std::vector<std::string> relations,
                           bool weighted)
    : Channel(context), hops_(hops), names_(std::move(relations)), weighted_(weighted) {
  if (hops_ < 1 || hops_ > 6)
    throw UsageError("--hops must be in 1..6, got " + std::to_string(hops_));
  for (const std::string& n : names_) {
    for (RelationId r : graph().FindRelations(n)) {
      relations_.push_back(r);
      relations_.push_back(graph().relations()[r].inverse);
    }
  }
  std::sort(relations_.begin(), relations_.end());
  relations_.erase(std::unique(relations_.begin(), relations_.end()), relations_.end());
}

std::string KgHopChannel::why_not() const {
  std::string list;
  for (const std::string& n : names_) list += (list.empty() ? "" : ",") + n;
  return "channel kg-hop needs at least one of the relations " + list +
         ", which the graph does not have";
}

void KgHopChannel::Propagate(int32_t user, std::vector<Frontier>& frontiers,
                             std::vector<std::unordered_map<NodeId, Parent>>* parents) const {
  frontiers.assign(static_cast<size_t>(hops_) + 1, {});
  if (parents) parents->assign(static_cast<size_t>(hops_) + 1, {});
  const auto items = train().items_of(user);
  const auto weights = train().item_weights_of(user);
  for (size_t k = 0; k < items.size(); ++k)
    frontiers[0][train().item_begin() + items[k]] += InteractionValue(weights[k], weighted_);
  const auto col = graph().col_idx();
  const auto w = graph().edge_weight();
  std::vector<std::pair<NodeId, double>> order;
  for (int h = 1; h <= hops_; ++h) {
    order.assign(frontiers[h - 1].begin(), frontiers[h - 1].end());
    std::sort(order.begin(), order.end());  // fixed summation order
    Frontier& next = frontiers[h];
    for (const auto& [v, mass] : order) {
      for (RelationId r : relations_) {
        const auto [lo, hi] = graph().RelationRange(v, r);
        for (EdgeIdx e = lo; e < hi; ++e) {
          const double c = mass * static_cast<double>(w[e]);
          next[col[e]] += c;
          if (parents) {
            Parent& p = (*parents)[h][col[e]];
            if (c > p.contribution) p = {v, r, c};
          }
        }
      }
    }
  }
}

void KgHopChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  if (relations_.empty()) return;
  std::vector<Frontier> frontiers;
  Propagate(user, frontiers, nullptr);
  const NodeId lo = train().item_begin(), hi = lo + train().num_items();
  for (int h = 1; h <= hops_; ++h) {
    for (const auto& [v, mass] : frontiers[h]) {
      if (v < lo || v >= hi || !(mass > 0)) continue;
      float& s = row[v - lo];
      s = (s == kNoScore ? 0.0f : s) + static_cast<float>(mass);
    }
  }
}

Reason KgHopChannel::Explain(int32_t user, int32_t item) const {
  std::vector<Frontier> frontiers;
  std::vector<std::unordered_map<NodeId, Parent>> parents;
  Propagate(user, frontiers, &parents);
  const NodeId target = train().item_begin() + item;
  int best_hop = -1;
  double best_mass = 0;
  for (int h = 1; h <= hops_; ++h) {
    const auto it = frontiers[h].find(target);
    if (it != frontiers[h].end() && it->second > best_mass) {
      best_mass = it->second;
      best_hop = h;
    }
  }
  if (best_hop < 0) return {name(), ItemKey(item)};
  std::string path = ItemKey(item);
  NodeId v = target;
  for (int h = best_hop; h >= 1; --h) {
    const Parent& p = parents[h].at(v);
    path = graph().Key(p.from) + " -" + graph().relations()[p.relation].name + "-> " + path;
    v = p.from;
  }
  return {name(), UserKey(user) + " -" + train().relation() + "-> " + path};
}

}  // namespace melograph
