// Fold-in kernels (online/fold_in.h) and the behaviour weight merge (online/update_events.h) on
// hand-made rows.
#include "online/fold_in.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "online/update_events.h"

namespace melograph {
namespace {

// 6 items in 2-d: items 0, 1 along e0; 2, 3 along e1; 4, 5 along -e0.
const std::vector<float> kItems = {1.0f, 0.0f,  0.8f, 0.2f,  0.0f, 1.0f,
                                   0.1f, 0.9f, -1.0f, 0.0f, -0.9f, 0.1f};
const FrozenRows kItemRows{kItems.data(), 6, 2};

TEST(FoldIn, zero_steps_give_the_weighted_mean_of_the_positives) {
  const std::vector<WeightedRow> positives = {{0, 3.0f}, {2, 1.0f}};
  FoldInOptions o;
  o.steps = 0;
  const NegativeDistribution uniform(std::vector<double>(6, 1.0), false);
  const auto x = FoldInQuery(kItemRows, positives, {}, uniform, o, 1);
  EXPECT_FLOAT_EQ(x[0], 0.75f);
  EXPECT_FLOAT_EQ(x[1], 0.25f);
  // No positives: nothing to fold in, a zero row.
  const auto none = FoldInQuery(kItemRows, {}, {}, uniform, o, 1);
  EXPECT_EQ(none, std::vector<float>(2, 0.0f));
}

TEST(FoldIn, steps_rank_the_positives_first_and_are_deterministic) {
  // Positives 2 and 3 (e1), hard negative 5; the start vector favours e1 only weakly after
  // mixing in item 1.
  const std::vector<WeightedRow> positives = {{1, 0.5f}, {2, 1.0f}, {3, 1.0f}};
  FoldInOptions o;
  o.steps = 60;
  o.negatives = 4;
  o.learning_rate = 0.05f;
  o.l2 = 0.01f;
  const NegativeDistribution dist({1, 2, 3, 4, 5, 6}, true);
  const auto x = FoldInQuery(kItemRows, positives, std::vector<int64_t>{5}, dist, o, 42);
  auto score = [&](int64_t i) { return x[0] * kItems[2 * i] + x[1] * kItems[2 * i + 1]; };
  for (int64_t p : {2, 3, 1})
    for (int64_t other : {0, 4, 5}) {
      if (p == 1 && other == 0) continue;  // item 0 lies beyond item 1 on e0
      EXPECT_GT(score(p), score(other)) << p << " vs " << other;
    }
  EXPECT_EQ(FoldInQuery(kItemRows, positives, std::vector<int64_t>{5}, dist, o, 42), x);
  EXPECT_NE(FoldInQuery(kItemRows, positives, std::vector<int64_t>{5}, dist, o, 43), x);
}

TEST(FoldIn, an_item_moves_toward_its_listeners_from_its_prior) {
  // Users along e1; the prior points along e0. The item's score for its listeners must rise.
  const std::vector<float> users = {0.0f, 1.0f, 0.2f, 0.9f};
  const FrozenRows user_rows{users.data(), 2, 2};
  const std::vector<WeightedRow> listeners = {{0, 1.0f}, {1, 2.0f}};
  const std::vector<float> prior = {1.0f, 0.0f};
  FoldInOptions o;
  o.steps = 40;
  o.learning_rate = 0.05f;
  o.l2 = 0.1f;
  const NegativeDistribution uniform(std::vector<double>(6, 1.0), false);
  const auto y = FoldInItem(user_rows, kItemRows, listeners, -1, prior, uniform, o, 7);
  EXPECT_GT(y[1], 0.5f);
  o.steps = 0;
  EXPECT_EQ(FoldInItem(user_rows, kItemRows, listeners, -1, prior, uniform, o, 7), prior);
}

TEST(UpdateEvents, merged_weight_is_what_build_kg_gives_old_and_new_events_together) {
  proto::KgConfig config = DefaultKgConfig();
  EXPECT_NEAR(MergedBehaviourWeight(config, std::log1p(2.0), 5.0), std::log1p(7.0), 1e-12);
  EXPECT_NEAR(MergedBehaviourWeight(config, 0.0, 3.0), std::log1p(3.0), 1e-12);
  EXPECT_EQ(MergedBehaviourWeight(config, 0.0, 0.0), 0.0);
  config.set_compression(proto::KgConfig::IDENTITY);
  EXPECT_DOUBLE_EQ(MergedBehaviourWeight(config, 3.0, 2.0), 5.0);
}

}  // namespace
}  // namespace melograph
