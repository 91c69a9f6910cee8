// Row fold-in over a merged graph (contract and pass order in online/row_fold.h).
#include "online/row_fold.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {
namespace {

std::optional<RelationId> FindForward(const Graph& g, const std::string& name, TypeId head,
                                      TypeId tail) {
  for (const RelationId r : g.FindRelations(name)) {
    const Relation& rel = g.relations()[r];
    if (!rel.is_reverse && rel.head_type == head && rel.tail_type == tail) return r;
  }
  return std::nullopt;
}

TypeId RequireType(const Graph& g, const std::string& name) {
  const auto t = g.FindType(name);
  if (!t) throw UsageError("update: the graph has no node type '" + name + "'");
  return *t;
}

// Accumulates weighted rows into a double vector.
struct Centroid {
  std::vector<double> sum;
  double weight = 0;
  explicit Centroid(int dim) : sum(static_cast<size_t>(dim), 0.0) {}
  void Add(const float* row, double w) {
    for (size_t k = 0; k < sum.size(); ++k) sum[k] += w * row[k];
    weight += w;
  }
  void AddMean(const Centroid& c, double w) {  // adds c's mean with weight w
    for (size_t k = 0; k < sum.size(); ++k) sum[k] += w * c.sum[k] / c.weight;
    weight += w;
  }
  bool empty() const { return !(weight > 0); }
};

// Step 1: the prior of new item s from OLD item rows (KG hubs and co-listening).
std::vector<float> ItemPrior(const Graph& g, const RowTable& table, NodeId s, TypeId item_type,
                             RelationId listened, const std::vector<RelationId>& kg, FoldStats& st) {
  const int dim = table.dim;
  const auto cols = g.col_idx();
  const auto weights = g.edge_weight();
  Centroid kg_centroid(dim), colisten(dim);
  for (const RelationId r : kg) {
    const auto [first, last] = g.RelationRange(s, r);
    for (EdgeIdx e = first; e < last; ++e) {
      const NodeId hub = cols[e];
      Centroid c(dim);
      const auto [hf, hl] = g.RelationRange(hub, g.relations()[r].inverse);
      for (EdgeIdx h = hf; h < hl; ++h)
        if (cols[h] != s && table.state[cols[h]] == RowTable::kOld) c.Add(table.row(cols[h]), 1.0);
      if (!c.empty()) kg_centroid.AddMean(c, 1.0);
    }
  }
  const RelationId rev = g.relations()[listened].inverse;
  const auto [lf, ll] = g.RelationRange(s, rev);
  for (EdgeIdx e = lf; e < ll; ++e) {
    const NodeId u = cols[e];
    Centroid c(dim);
    const auto [uf, ul] = g.RelationRange(u, listened);
    for (EdgeIdx h = uf; h < ul; ++h)
      if (cols[h] != s && table.state[cols[h]] == RowTable::kOld && g.TypeOf(cols[h]) == item_type)
        c.Add(table.row(cols[h]), 1.0);
    if (!c.empty()) colisten.AddMean(c, weights[e] > 0 ? weights[e] : 0.0);
  }
  std::vector<double> y(static_cast<size_t>(dim), 0.0);
  int parts = 0;
  for (const Centroid* c : {&kg_centroid, &colisten}) {
    if (c->empty()) continue;
    ++parts;
    for (int k = 0; k < dim; ++k) y[static_cast<size_t>(k)] += c->sum[static_cast<size_t>(k)] / c->weight;
  }
  st.items_with_kg_prior += !kg_centroid.empty();
  st.items_with_colisten_prior += !colisten.empty();
  std::vector<float> out(static_cast<size_t>(dim), 0.0f);
  for (int k = 0; k < dim && parts > 0; ++k)
    out[static_cast<size_t>(k)] = static_cast<float>(y[static_cast<size_t>(k)] / parts);
  return out;
}

void Store(RowTable& table, NodeId v, const std::vector<float>& row) {
  std::copy(row.begin(), row.end(), table.row(v));
  table.state[static_cast<size_t>(v)] = RowTable::kFolded;
}

}  // namespace

FoldStats FoldRows(const Graph& g, RowTable& table, const FoldPlan& plan,
                   const FoldSettings& settings) {
  FoldStats st;
  const TypeId user_type = RequireType(g, settings.user_type);
  const TypeId item_type = RequireType(g, settings.item_type);
  const auto listened = FindForward(g, settings.relation, user_type, item_type);
  if (!listened)
    throw UsageError("update: the graph has no relation '" + settings.relation + "' from " +
                     settings.user_type + " to " + settings.item_type);
  const auto rejected = FindForward(g, settings.negative_relation, user_type, item_type);
  std::vector<RelationId> kg;
  for (const std::string& name : settings.item_kg_relations)
    for (const RelationId r : g.FindRelations(name))
      if (!g.relations()[r].is_reverse && g.relations()[r].head_type == item_type) kg.push_back(r);
  const NodeType& items = g.node_types()[item_type];
  const NodeType& users = g.node_types()[user_type];
  const auto cols = g.col_idx();
  const auto weights = g.edge_weight();
  const FrozenRows item_rows{table.row(items.begin), items.count, table.dim};
  const FrozenRows user_rows{table.row(users.begin), users.count, table.dim};
  const RelationId rev = g.relations()[*listened].inverse;
  // Negatives as in training: q ~ max(1, listeners)^power over the items of the merged graph.
  std::vector<double> draw_weights(static_cast<size_t>(items.count));
  for (NodeId i = 0; i < items.count; ++i) {
    const auto [first, last] = g.RelationRange(items.begin + i, rev);
    draw_weights[static_cast<size_t>(i)] =
        std::pow(std::max<double>(1.0, static_cast<double>(last - first)), settings.fold.negative_power);
  }
  const NegativeDistribution dist(std::move(draw_weights), settings.fold.logq_correction);

  // 1. Item priors (from old rows only), stored as provisional rows.
  std::vector<std::vector<float>> priors;
  priors.reserve(plan.items.size());
  for (const NodeId s : plan.items) priors.push_back(ItemPrior(g, table, s, item_type, *listened, kg, st));
  for (size_t i = 0; i < plan.items.size(); ++i) Store(table, plan.items[i], priors[i]);

  // 2. Users against the item rows.
  std::vector<std::vector<float>> user_out;
  user_out.reserve(plan.users.size());
  std::vector<WeightedRow> positives;
  std::vector<int64_t> hard;
  for (const NodeId u : plan.users) {
    positives.clear();
    hard.clear();
    const auto [pf, pl] = g.RelationRange(u, *listened);
    for (EdgeIdx e = pf; e < pl; ++e)
      if (table.state[cols[e]] != RowTable::kNone && weights[e] > 0)
        positives.push_back({cols[e] - items.begin, weights[e]});
    if (rejected) {
      const auto [nf, nl] = g.RelationRange(u, *rejected);
      for (EdgeIdx e = nf; e < nl; ++e)
        if (table.state[cols[e]] != RowTable::kNone) hard.push_back(cols[e] - items.begin);
    }
    st.users_without_positives += positives.empty();
    user_out.push_back(FoldInQuery(item_rows, positives, hard, dist, settings.fold, HashBytes(g.Key(u))));
  }
  for (size_t i = 0; i < plan.users.size(); ++i) Store(table, plan.users[i], user_out[i]);
  st.users_folded = static_cast<int64_t>(plan.users.size());

  // 3. New items against the user rows.
  std::vector<std::vector<float>> item_out;
  item_out.reserve(plan.items.size());
  for (size_t i = 0; i < plan.items.size(); ++i) {
    const NodeId s = plan.items[i];
    positives.clear();
    const auto [lf, ll] = g.RelationRange(s, rev);
    for (EdgeIdx e = lf; e < ll; ++e)
      if (table.state[cols[e]] != RowTable::kNone && weights[e] > 0)
        positives.push_back({cols[e] - users.begin, weights[e]});
    st.items_without_listeners += positives.empty();
    item_out.push_back(FoldInItem(user_rows, item_rows, positives, s - items.begin, priors[i],
                                  dist, settings.fold, HashBytes(g.Key(s))));
  }
  for (size_t i = 0; i < plan.items.size(); ++i) Store(table, plan.items[i], item_out[i]);
  st.items_folded = static_cast<int64_t>(plan.items.size());

  // 4. Other new nodes: mean of their neighbours' rows.
  std::vector<std::vector<float>> other_out;
  other_out.reserve(plan.others.size());
  for (const NodeId v : plan.others) {
    Centroid c(table.dim);
    for (const NodeId u : g.out_neighbors(v))
      if (table.state[static_cast<size_t>(u)] != RowTable::kNone) c.Add(table.row(u), 1.0);
    std::vector<float> row(static_cast<size_t>(table.dim), 0.0f);
    for (int k = 0; k < table.dim && !c.empty(); ++k)
      row[static_cast<size_t>(k)] = static_cast<float>(c.sum[static_cast<size_t>(k)] / c.weight);
    st.others_without_neighbours += c.empty();
    other_out.push_back(std::move(row));
  }
  for (size_t i = 0; i < plan.others.size(); ++i) Store(table, plan.others[i], other_out[i]);
  st.others_folded = static_cast<int64_t>(plan.others.size());
  return st;
}

}  // namespace melograph
