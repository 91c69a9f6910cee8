// KG-hop channel: items reachable from the user's items within `hops` steps over knowledge-
// graph relations (default by_artist, in_album, ost_of, appears_in, co_ost, co_show and their
// reverses), scored by weighted path counts:
//   score(u, s) = Σ over walks i = v0 -> v1 -> ... -> vh = s, i ∈ items(u), 1 <= h <= hops,
//                 of x_ui · Π edge weights
// computed hop by hop with sparse frontiers (mass propagation), so walks are never listed.
// Explain follows, for each node, the predecessor that brought it the most mass.
// Not applicable when none of the relations exists in the graph.
// Complexity per user: O(Σ_h Σ_{v ∈ frontier_h} deg_R(v)).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "recall/scorer.h"

namespace melograph {

std::vector<std::string> DefaultKgHopRelations();

class KgHopChannel : public Channel {
 public:
  KgHopChannel(ChannelContext context, int hops, std::vector<std::string> relations, bool weighted);
  std::string name() const override { return "kg-hop"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;
  bool applicable() const override { return !relations_.empty(); }
  std::string why_not() const override;

 private:
  struct Parent {
    NodeId from = kInvalidNode;
    RelationId relation = 0;
    double contribution = 0;
  };
  using Frontier = std::unordered_map<NodeId, double>;
  // Runs the propagation; per hop h >= 1, the frontier and (if parents) best predecessors.
  void Propagate(int32_t user, std::vector<Frontier>& frontiers,
                 std::vector<std::unordered_map<NodeId, Parent>>* parents) const;

  int hops_;
  std::vector<std::string> names_;
  std::vector<RelationId> relations_;  // allowed relation ids (with reverses), sorted
  bool weighted_;
};

}  // namespace melograph
