#include "sampler/negative_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/error.h"
#include "sampler/alias_table.h"
#include "tests/sampler/sampler_fixtures.h"

namespace melograph {
namespace {

TEST(AliasTable, draw_frequencies_follow_weights_chi_square) {
  const std::vector<double> w = {1, 0, 2, 7, 0.5, 4.5, 0};
  AliasTable t(w);
  ASSERT_FALSE(t.empty());
  std::vector<double> count(w.size(), 0);
  const int trials = 60000;
  Rng rng(42);
  for (int i = 0; i < trials; ++i) ++count[static_cast<size_t>(t.Draw(rng))];
  EXPECT_EQ(count[1], 0);
  EXPECT_EQ(count[6], 0);
  double chi2 = 0;
  for (size_t i : {0, 2, 3, 4, 5}) {
    const double expected = trials * w[i] / 15.0;
    chi2 += (count[i] - expected) * (count[i] - expected) / expected;
  }
  EXPECT_LT(chi2, 18.47);  // 4 dof, p = 0.001
}

TEST(AliasTable, all_zero_is_empty_and_negative_is_rejected) {
  const std::vector<double> zero = {0, 0};
  EXPECT_TRUE(AliasTable(zero).empty());
  const std::vector<double> bad = {1, -1};
  EXPECT_THROW(AliasTable{bad}, UsageError);
}

// Alias negatives of songs follow degree^0.75 within the song type, and are deterministic.
TEST(NegativeTables, draws_follow_degree_power_within_the_type) {
  const SerialGraph g(testing::TinyMusicGraph());
  NegativeSamplerOptions o;
  o.seed = 5;
  const NegativeTables t = NegativeTables::Build(g, o);
  // Degrees (all relations): s1 = listened^-1 + by_artist = 2; s2 = 2 listeners + 1 = 3; s3 = 1 + 1 = 2.
  EXPECT_EQ(t.degrees()[2], 2);
  EXPECT_EQ(t.degrees()[3], 3);
  EXPECT_EQ(t.degrees()[4], 2);
  const TypeId song = static_cast<TypeId>(TypeIndexOf(t.node_types(), 2));
  std::vector<int64_t> items(30000);
  for (size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int64_t>(i);
  const std::vector<NodeId> drawn = t.Draw(song, items, 1, 0, 0);
  EXPECT_EQ(drawn, t.Draw(song, items, 1, 0, 0));
  std::vector<double> count(7, 0);
  for (NodeId v : drawn) {
    ASSERT_GE(v, 2);
    ASSERT_LE(v, 4);
    ++count[static_cast<size_t>(v)];
  }
  const double w2 = std::pow(2.0, 0.75), w3 = std::pow(3.0, 0.75), total = 2 * w2 + w3;
  double chi2 = 0;
  for (int v = 2; v <= 4; ++v) {
    const double expected = static_cast<double>(drawn.size()) * (v == 3 ? w3 : w2) / total;
    chi2 += (count[static_cast<size_t>(v)] - expected) * (count[static_cast<size_t>(v)] - expected) / expected;
  }
  EXPECT_LT(chi2, 13.82);  // 2 dof, p = 0.001
}

TEST(InBatchNegatives, come_from_other_items_and_never_equal_the_positive) {
  const std::vector<NodeId> positives = {10, 11, 10, 12, 13};
  const std::vector<int64_t> items = {100, 101, 102, 103, 104};
  const auto negs = InBatchNegatives(positives, items, 3, 9, 0, 0);
  ASSERT_EQ(negs.size(), 15u);
  const std::set<NodeId> batch(positives.begin(), positives.end());
  for (size_t i = 0; i < positives.size(); ++i)
    for (size_t j = 0; j < 3; ++j) {
      const NodeId n = negs[i * 3 + j];
      EXPECT_TRUE(batch.count(n));
      EXPECT_NE(n, positives[i]);
    }
  EXPECT_EQ(negs, InBatchNegatives(positives, items, 3, 9, 0, 0));
  const std::vector<NodeId> same = {4, 4};
  const std::vector<int64_t> two = {0, 1};
  EXPECT_EQ(InBatchNegatives(same, two, 1, 9, 0, 0), (std::vector<NodeId>{kInvalidNode, kInvalidNode}));
}

TEST(HardNegatives, only_from_the_rejected_relation) {
  const SerialGraph g(testing::SmallMusicWorld(60, 3));
  NegativeSamplerOptions o;
  SerialHardNegativeSampler s(g, o);
  ASSERT_TRUE(s.has_relation());
  const auto rejected = g.relations().Find("rejected");
  std::vector<NodeId> users;
  std::vector<int64_t> items;
  for (NodeId v = 0; v < g.num_nodes(); ++v)
    if (g.graph().Key(v).rfind("user:", 0) == 0) {
      users.push_back(v);
      items.push_back(v);
    }
  const HardNegatives h = s.Sample(users, items, 2, 0, 1);
  ASSERT_EQ(h.offsets.size(), users.size() + 1);
  int64_t total = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    std::set<NodeId> allowed;
    const RowSpans row = g.Row(users[i]);
    for (int64_t p = 0; p < row.size(); ++p)
      if (row.relation[static_cast<size_t>(p)] == rejected[0]) allowed.insert(row.neighbor[static_cast<size_t>(p)]);
    EXPECT_EQ(h.offsets[i + 1] - h.offsets[i], std::min<int64_t>(2, static_cast<int64_t>(allowed.size())));
    for (int64_t e = h.offsets[i]; e < h.offsets[i + 1]; ++e) {
      EXPECT_TRUE(allowed.count(h.nodes[static_cast<size_t>(e)])) << "not a rejected song of user " << users[i];
      ++total;
    }
  }
  EXPECT_GT(total, 0);
  NegativeSamplerOptions missing;
  missing.hard_relation = "disliked";
  SerialHardNegativeSampler none(g, missing);
  EXPECT_FALSE(none.has_relation());
  EXPECT_TRUE(none.Sample(users, items, 2, 0, 1).nodes.empty());
}

}  // namespace
}  // namespace melograph
