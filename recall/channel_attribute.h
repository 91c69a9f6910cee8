// Attribute channels: items that share an attribute node with the user's items, by affinity
// and popularity. Two configurations:
//  * `artist`:    attribute relation by_artist (other songs of the artists the user played);
//  * `genre-hot`: attribute relation has_genre (hot songs of the user's genres).
//   aff(u, a)  = Σ_{i ∈ items(u), i -rel-> a} x_ui        (x = 1, or log(1 + weight))
//   score(u, s) = Σ_{s -rel-> a} aff(u, a) · (1 + listeners(s))
// The channel is not applicable (scores nothing) when the graph has no `rel` from the item
// type. Complexity per user: O(Σ_{a} deg(a)) over the user's attributes.
#pragma once

#include <string>

#include "recall/scorer.h"

namespace melograph {

class AttributeChannel : public Channel {
 public:
  // name: "artist" or "genre-hot"; relation: "by_artist" or "has_genre".
  AttributeChannel(ChannelContext context, std::string name, std::string relation, bool weighted);
  std::string name() const override { return name_; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
  bool applicable() const override { return found_; }
  std::string why_not() const override;

 private:
  // (attribute node, affinity) of the user's items, sorted by node.
  std::vector<std::pair<NodeId, float>> Affinity(int32_t user) const;

  std::string name_;
  std::string relation_name_;
  bool weighted_;
  bool found_ = false;
  RelationId relation_ = 0;  // item -> attribute
  RelationId inverse_ = 0;   // attribute -> item
};

}  // namespace melograph
