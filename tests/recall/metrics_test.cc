#include "recall/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "recall/top_k.h"

namespace melograph {
namespace {

const double kInvLog3 = 1.0 / std::log2(3.0);  // discount of rank 2 (0.6309...)

TEST(RankMetrics, one_hit_at_rank_two_of_three) {
  // ranked 3 1 4 | 2 0 ; test {1, 2}; K = 3: one hit (item 1) at rank 2.
  const std::vector<int32_t> ranked = {3, 1, 4, 2, 0};
  const std::vector<int32_t> relevant = {1, 2};
  const RankMetrics m = ComputeRankMetrics(ranked, relevant, 2, 3);
  EXPECT_EQ(m.hits, 1);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.hit_rate, 1.0);
  EXPECT_DOUBLE_EQ(m.ndcg, kInvLog3 / (1.0 + kInvLog3));
}

TEST(RankMetrics, unseen_test_items_count_in_recall_and_ideal_dcg) {
  // Test set {1, u1, u2} where u1, u2 are not in the graph: |test| = 3, only item 1 rankable.
  const std::vector<int32_t> ranked = {1, 5};
  const std::vector<int32_t> relevant = {1};
  const RankMetrics m = ComputeRankMetrics(ranked, relevant, 3, 2);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.0 / (1.0 + kInvLog3));  // IDCG over min(K=2, 3) = 2 ranks
}

TEST(RankMetrics, ideal_dcg_stops_at_k_when_test_is_larger) {
  // Five test items, K = 2, both slots hit: NDCG is 1, recall 2/5.
  const std::vector<int32_t> ranked = {7, 9};
  const std::vector<int32_t> relevant = {1, 3, 7, 8, 9};
  const RankMetrics m = ComputeRankMetrics(ranked, relevant, 5, 2);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.4);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(IdealDcg(5, 2), 1.0 + kInvLog3);
  EXPECT_DOUBLE_EQ(IdealDcg(1, 20), 1.0);
}

TEST(RankMetrics, short_ranking_divides_precision_by_k) {
  // Only one item could be ranked, K = 5: precision is 1/5 (LightGCN divides by K).
  const std::vector<int32_t> ranked = {0};
  const std::vector<int32_t> relevant = {0};
  const RankMetrics m = ComputeRankMetrics(ranked, relevant, 1, 5);
  EXPECT_DOUBLE_EQ(m.precision, 0.2);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.0);
}

TEST(RankMetrics, no_hit_gives_zeros) {
  const std::vector<int32_t> ranked = {4, 5, 6};
  const std::vector<int32_t> relevant = {1};
  const RankMetrics m = ComputeRankMetrics(ranked, relevant, 1, 3);
  EXPECT_EQ(m.hits, 0);
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
  EXPECT_DOUBLE_EQ(m.ndcg, 0.0);
  EXPECT_DOUBLE_EQ(m.hit_rate, 0.0);
}

std::vector<int32_t> Items(const std::vector<ScoredItem>& top) {
  std::vector<int32_t> out;
  for (const ScoredItem& s : top) out.push_back(s.item);
  return out;
}

TEST(TopK, ties_go_to_the_lower_item_id) {
  const std::vector<float> scores = {1, 3, 3, 2, 3};
  std::vector<ScoredItem> top;
  SelectTopK(scores, {}, 2, top);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{1, 2}));
  SelectTopK(scores, {}, 4, top);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{1, 2, 4, 3}));
}

TEST(TopK, excluded_items_never_appear) {
  const std::vector<float> scores = {1, 3, 3, 2, 3};
  const std::vector<int32_t> excluded = {1, 4};
  std::vector<ScoredItem> top;
  SelectTopK(scores, excluded, 3, top);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{2, 3, 0}));
}

TEST(TopK, k_beyond_the_items_returns_all_sorted_and_skips_nan) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores = {-inf, 0.5f, std::nanf(""), 0.5f, -1.0f};
  std::vector<ScoredItem> top;
  SelectTopK(scores, {}, 10, top);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{1, 3, 4, 0}));
  SelectTopK(scores, {}, 0, top);
  EXPECT_TRUE(top.empty());
}

TEST(TopK, matches_a_full_sort_on_random_scores) {
  std::vector<float> scores(1000);
  uint64_t x = 12345;
  for (float& s : scores) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    s = static_cast<float>((x >> 40) % 97);  // many ties
  }
  const std::vector<int32_t> excluded = {0, 5, 17, 999};
  std::vector<ScoredItem> top;
  SelectTopK(scores, excluded, 50, top);
  std::vector<int32_t> all;
  for (int32_t i = 0; i < 1000; ++i)
    if (i != 0 && i != 5 && i != 17 && i != 999) all.push_back(i);
  std::stable_sort(all.begin(), all.end(),
                   [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
  all.resize(50);
  EXPECT_EQ(Items(top), all);
}

}  // namespace
}  // namespace melograph
