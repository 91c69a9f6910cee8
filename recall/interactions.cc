// Interactions: see interactions.h.
#include "recall/interactions.h"

#include <algorithm>

#include "common/error.h"

namespace melograph {

Interactions Interactions::FromGraph(const Graph& graph, std::string_view user_type,
                                     std::string_view item_type, std::string_view relation) {
  const auto ut = graph.FindType(user_type);
  if (!ut) throw UsageError("the graph has no node type '" + std::string(user_type) + "'");
  const auto it = graph.FindType(item_type);
  if (!it) throw UsageError("the graph has no node type '" + std::string(item_type) + "'");
  Interactions m;
  m.user_type_ = user_type;
  m.item_type_ = item_type;
  m.relation_ = relation;
  const NodeType& users = graph.node_types()[*ut];
  const NodeType& items = graph.node_types()[*it];
  m.user_begin_ = users.begin;
  m.item_begin_ = items.begin;
  m.num_users_ = users.count;
  m.num_items_ = items.count;
  RelationId rel = 0;
  bool found = false;
  for (RelationId r : graph.FindRelations(relation)) {
    const Relation& info = graph.relations()[r];
    if (info.head_type == *ut && info.tail_type == *it) {
      rel = r;
      found = true;
    }
  }
  m.user_ptr_.assign(static_cast<size_t>(m.num_users_) + 1, 0);
  if (found) {
    const auto col = graph.col_idx();
    const auto weight = graph.edge_weight();
    for (int32_t u = 0; u < m.num_users_; ++u) {
      const auto [lo, hi] = graph.RelationRange(users.begin + u, rel);
      for (EdgeIdx e = lo; e < hi; ++e) {
        if (!(weight[e] > 0.0f)) continue;
        m.user_items_.push_back(col[e] - items.begin);
        m.user_weights_.push_back(weight[e]);
      }
      m.user_ptr_[u + 1] = static_cast<int64_t>(m.user_items_.size());
    }
  }
  m.BuildTranspose();
  return m;
}

Interactions Interactions::FromPairs(int32_t num_users, int32_t num_items,
                                     std::vector<Triple> pairs) {
  Interactions m;
  m.user_type_ = "user";
  m.item_type_ = "item";
  m.relation_ = "listened";
  m.num_users_ = num_users;
  m.num_items_ = num_items;
  for (const Triple& t : pairs)
    if (t.user < 0 || t.user >= num_users || t.item < 0 || t.item >= num_items)
      throw UsageError("interaction pair out of range");
  std::sort(pairs.begin(), pairs.end(), [](const Triple& a, const Triple& b) {
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
  m.user_ptr_.assign(static_cast<size_t>(num_users) + 1, 0);
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (k > 0 && pairs[k].user == pairs[k - 1].user && pairs[k].item == pairs[k - 1].item) {
      m.user_weights_.back() += pairs[k].weight;
      continue;
    }
    m.user_items_.push_back(pairs[k].item);
    m.user_weights_.push_back(pairs[k].weight);
    m.user_ptr_[pairs[k].user + 1] = static_cast<int64_t>(m.user_items_.size());
  }
  for (int32_t u = 0; u < num_users; ++u)
    m.user_ptr_[u + 1] = std::max(m.user_ptr_[u + 1], m.user_ptr_[u]);
  m.BuildTranspose();
  return m;
}

void Interactions::BuildTranspose() {
  item_ptr_.assign(static_cast<size_t>(num_items_) + 1, 0);
  for (int32_t i : user_items_) ++item_ptr_[i + 1];
  for (int32_t i = 0; i < num_items_; ++i) item_ptr_[i + 1] += item_ptr_[i];
  item_users_.resize(user_items_.size());
  item_weights_.resize(user_items_.size());
  std::vector<int64_t> fill(item_ptr_.begin(), item_ptr_.end() - 1);
  for (int32_t u = 0; u < num_users_; ++u) {  // users ascending: each item row ends up sorted
    for (int64_t e = user_ptr_[u]; e < user_ptr_[u + 1]; ++e) {
      const int64_t slot = fill[user_items_[e]]++;
      item_users_[slot] = u;
      item_weights_[slot] = user_weights_[e];
    }
  }
}

bool Interactions::Has(int32_t u, int32_t i) const {
  const auto items = items_of(u);
  return std::binary_search(items.begin(), items.end(), i);
}

}  // namespace melograph
