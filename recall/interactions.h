// Interactions: the user x item matrix of one target relation (e.g. `listened`), read from a
// Graph, in both orientations (user -> items and item -> users) as CSR over type-local ids.
//
// Contract:
//  * users are the nodes of `user_type` and items the nodes of `item_type`, numbered by their
//    local id (node id - type.begin), so item i of the matrix is graph node item_begin + i;
//  * rows are sorted by local id with no duplicates (the graph already merged duplicate edges);
//    the weight is the edge weight of the relation (rows keep only positive weights);
//  * an absent relation or type gives an empty matrix of the right size (UsageError if the type
//    does not exist at all).
// Complexity: O(|E_r| + users + items) time and memory, one pass over the graph's rows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace melograph {

class Interactions {
 public:
  Interactions() = default;
  // Reads relation `relation` (user_type -> item_type) from `graph`.
  static Interactions FromGraph(const Graph& graph, std::string_view user_type,
                                std::string_view item_type, std::string_view relation);

  int32_t num_users() const { return num_users_; }
  int32_t num_items() const { return num_items_; }
  int64_t num_pairs() const { return static_cast<int64_t>(user_items_.size()); }
  NodeId user_begin() const { return user_begin_; }
  NodeId item_begin() const { return item_begin_; }
  const std::string& user_type() const { return user_type_; }
  const std::string& item_type() const { return item_type_; }
  const std::string& relation() const { return relation_; }

  // Items of user u (sorted local ids) and their weights.
  std::span<const int32_t> items_of(int32_t u) const {
    return {user_items_.data() + user_ptr_[u],
            static_cast<size_t>(user_ptr_[u + 1] - user_ptr_[u])};
  }
  std::span<const float> item_weights_of(int32_t u) const {
    return {user_weights_.data() + user_ptr_[u],
            static_cast<size_t>(user_ptr_[u + 1] - user_ptr_[u])};
  }
  // Users of item i (sorted local ids) and their weights.
  std::span<const int32_t> users_of(int32_t i) const {
    return {item_users_.data() + item_ptr_[i],
            static_cast<size_t>(item_ptr_[i + 1] - item_ptr_[i])};
  }
  std::span<const float> user_weights_of(int32_t i) const {
    return {item_weights_.data() + item_ptr_[i],
            static_cast<size_t>(item_ptr_[i + 1] - item_ptr_[i])};
  }
  int32_t item_degree(int32_t i) const {
    return static_cast<int32_t>(item_ptr_[i + 1] - item_ptr_[i]);
  }
  int32_t user_degree(int32_t u) const {
    return static_cast<int32_t>(user_ptr_[u + 1] - user_ptr_[u]);
  }
  bool Has(int32_t u, int32_t i) const;

  // Builds from explicit (user, item, weight) triples over local ids (tests, benchmarks).
  // Duplicate pairs are summed.
  struct Triple {
    int32_t user;
    int32_t item;
    float weight = 1.0f;
  };
  static Interactions FromPairs(int32_t num_users, int32_t num_items, std::vector<Triple> pairs);

 private:
  void BuildTranspose();

  std::string user_type_, item_type_, relation_;
  NodeId user_begin_ = 0, item_begin_ = 0;
  int32_t num_users_ = 0, num_items_ = 0;
  std::vector<int64_t> user_ptr_{0};
  std::vector<int32_t> user_items_;
  std::vector<float> user_weights_;
  std::vector<int64_t> item_ptr_{0};
  std::vector<int32_t> item_users_;
  std::vector<float> item_weights_;
};

}  // namespace melograph
