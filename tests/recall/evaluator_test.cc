#include "recall/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "graph/graph_builder.h"
#include "recall/embedding_scorer.h"
#include "recall/test_set.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

const double kInvLog3 = 1.0 / std::log2(3.0);

// Gives every user the same scores (or per-user rows when given).
class TableScorer : public Scorer {
 public:
  TableScorer(int32_t items, std::vector<std::vector<float>> rows)
      : items_(items), rows_(std::move(rows)) {}
  std::string name() const override { return "table"; }
  int32_t num_items() const override { return items_; }
  int preferred_batch() const override { return 3; }
  void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const override {
    for (size_t b = 0; b < users.size(); ++b) {
      const auto& row = rows_.size() == 1 ? rows_[0] : rows_[users[b]];
      std::copy(row.begin(), row.end(), scores.begin() + static_cast<std::ptrdiff_t>(b * items_));
    }
  }

 private:
  int32_t items_;
  std::vector<std::vector<float>> rows_;
};

// Training matrix (users x items 0..4), scores 5 4 3 2 1 for items 0..4 for everyone:
//   u0: 0        -> ranking 1 2 3 4      test {3}
//   u1: 1 2      -> ranking 0 3 4        test {4, unseen}
//   u2: 0 1      -> ranking 2 3 4        test {2}
//   user:x (not in the graph)            test {0}
// item degrees: 2 2 1 0 0; cold (<= 1 interaction): items 2, 3, 4 and the unseen one.
struct Fixture {
  Interactions train = Interactions::FromPairs(3, 5, {{0, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}});
  TestSet test;
  Fixture() {
    test.users = {{"user:0", 0, {3}, 0},
                  {"user:1", 1, {4}, 1},
                  {"user:2", 2, {2}, 0},
                  {"user:x", -1, {0}, 0}};
    test.unseen_pairs = 1;
    test.users_not_in_graph = 1;
  }
};

TEST(Evaluator, hand_computed_metrics_with_unseen_items_and_users_outside_the_graph) {
  Fixture f;
  TableScorer scorer(5, {{5, 4, 3, 2, 1}});
  EvalOptions options;
  options.ks = {1, 3};
  options.cold_threshold = 1;
  const EvalResult r = Evaluate(f.train, f.test, scorer, options);
  EXPECT_EQ(r.users, 4);
  EXPECT_EQ(r.users_not_in_graph, 1);
  EXPECT_EQ(r.test_pairs, 5);
  EXPECT_EQ(r.unseen_pairs, 1);
  EXPECT_DOUBLE_EQ(r.recall[0], 0.25);
  EXPECT_DOUBLE_EQ(r.recall[1], (1 + 0.5 + 1 + 0) / 4.0);
  EXPECT_DOUBLE_EQ(r.ndcg[0], 0.25);
  EXPECT_DOUBLE_EQ(r.ndcg[1], (0.5 + 0.5 / (1 + kInvLog3) + 1 + 0) / 4.0);
  EXPECT_DOUBLE_EQ(r.precision[0], 0.25);
  EXPECT_DOUBLE_EQ(r.precision[1], 0.25);
  EXPECT_DOUBLE_EQ(r.hit_rate[0], 0.25);
  EXPECT_DOUBLE_EQ(r.hit_rate[1], 0.75);
  EXPECT_DOUBLE_EQ(r.coverage[0], 3.0 / 5.0);  // top-1 items 1, 0, 2
  EXPECT_DOUBLE_EQ(r.coverage[1], 1.0);
  EXPECT_EQ(r.users_with_cold, 3);
  EXPECT_DOUBLE_EQ(r.cold_recall[0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.cold_recall[1], (1 + 0.5 + 1) / 3.0);
}

TEST(Evaluator, ties_rank_the_lower_item_first) {
  // Everyone scores all items equally: the top-1 of u0 is item 1 (0 is a train item).
  Fixture f;
  TableScorer scorer(5, {{0, 0, 0, 0, 0}});
  f.test.users = {{"user:0", 0, {1}, 0}, {"user:2", 2, {3}, 0}};
  EvalOptions options;
  options.ks = {1};
  const EvalResult r = Evaluate(f.train, f.test, scorer, options);
  EXPECT_DOUBLE_EQ(r.recall[0], 0.5);  // u0 hits item 1; u2 ranks item 2 first, misses 3
}

TEST(Evaluator, a_test_item_the_user_trained_on_counts_but_cannot_be_hit) {
  // u1 trained on items 1 and 2; its test set is {1, 3}: item 1 is excluded from the ranking
  // (0 3 4) but stays in |test| = 2 (LightGCN masks train items and keeps the test set whole).
  Fixture f;
  TableScorer scorer(5, {{5, 4, 3, 2, 1}});
  f.test.users = {{"user:1", 1, {1, 3}, 0}};
  EvalOptions options;
  options.ks = {2};
  const EvalResult r = Evaluate(f.train, f.test, scorer, options);
  EXPECT_DOUBLE_EQ(r.recall[0], 0.5);
  EXPECT_DOUBLE_EQ(r.ndcg[0], kInvLog3 / (1 + kInvLog3));  // hit at rank 2 of ideal 2
  EXPECT_DOUBLE_EQ(r.precision[0], 0.5);
}

TEST(Evaluator, items_without_a_score_are_not_ranked) {
  // u0 (trained on item 0) gets finite scores for items 1 (2.0) and 3 (1.0) only: its top-3 is
  // 1 3, not padded with item 2 or 4. Test {3}: hit at rank 2, precision 1/3, coverage 2/5.
  Fixture f;
  const float none = kNoScore;
  TableScorer scorer(5, {{none, 2, none, 1, none}, {}, {}});
  f.test.users = {{"user:0", 0, {3}, 0}};
  EvalOptions options;
  options.ks = {3};
  const EvalResult r = Evaluate(f.train, f.test, scorer, options);
  EXPECT_DOUBLE_EQ(r.recall[0], 1.0);
  EXPECT_DOUBLE_EQ(r.precision[0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.ndcg[0], kInvLog3);
  EXPECT_DOUBLE_EQ(r.coverage[0], 2.0 / 5.0);
}

TEST(Evaluator, users_without_test_items_are_skipped) {
  // user:a -listened-> song:1, user:b -listened-> song:2, user:c -listened-> song:1;
  // test.tsv holds only user:b -> song:1. Users a and c are not evaluated (mean over 1 user).
  const Graph graph = MakeGraph({{"user:a", "listened", "song:1"},
                                 {"user:b", "listened", "song:2"},
                                 {"user:c", "listened", "song:1"}});
  const Interactions train = Interactions::FromGraph(graph, "user", "song", "listened");
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"), "user:b\tsong:1\n");
  const TestSet test = ReadTestSet(dir.File("t.tsv"), graph, "user", "song");
  TableScorer scorer(2, {{1, 2}});
  EvalOptions options;
  options.ks = {1};
  const EvalResult r = Evaluate(train, test, scorer, options);
  EXPECT_EQ(r.users, 1);
  EXPECT_DOUBLE_EQ(r.recall[0], 1.0);  // user:b's top-1 is song:1 (song:2 is its train item)
  EXPECT_DOUBLE_EQ(r.coverage[0], 0.5);
}

TEST(Evaluator, results_do_not_depend_on_the_thread_count) {
  const int32_t users = 97, items = 211;
  std::vector<Interactions::Triple> pairs;
  std::vector<std::vector<float>> rows(users, std::vector<float>(items));
  TestSet test;
  for (int32_t u = 0; u < users; ++u) {
    Rng rng(HashCombine(7, static_cast<uint64_t>(u)));
    for (int j = 0; j < 5; ++j) pairs.push_back({u, static_cast<int32_t>(rng.Uniform(items))});
    for (float& s : rows[u]) s = static_cast<float>(rng.Uniform(20));
    TestUser tu{"user:" + std::to_string(u), u, {}, static_cast<int32_t>(u % 3 == 0)};
    for (int j = 0; j < 4; ++j) tu.items.push_back(static_cast<int32_t>(rng.Uniform(items)));
    std::sort(tu.items.begin(), tu.items.end());
    tu.items.erase(std::unique(tu.items.begin(), tu.items.end()), tu.items.end());
    test.users.push_back(tu);
  }
  const Interactions train = Interactions::FromPairs(users, items, pairs);
  TableScorer scorer(items, rows);
  EvalOptions options;
  options.ks = {5, 10, 20};
  options.threads = 1;
  const EvalResult one = Evaluate(train, test, scorer, options);
  options.threads = 4;
  const EvalResult four = Evaluate(train, test, scorer, options);
  EXPECT_EQ(one.recall, four.recall);
  EXPECT_EQ(one.ndcg, four.ndcg);
  EXPECT_EQ(one.coverage, four.coverage);
  EXPECT_EQ(one.cold_recall, four.cold_recall);
  EXPECT_GT(one.recall[2], 0.0);
}

TEST(Evaluator, rejects_a_scorer_of_another_item_count) {
  Fixture f;
  TableScorer scorer(4, {{1, 2, 3, 4}});
  EXPECT_THROW(Evaluate(f.train, f.test, scorer, EvalOptions{}), UsageError);
}

TEST(Evaluator, parses_k_lists) {
  EXPECT_EQ(ParseKList("20,10, 50,10"), (std::vector<int>{10, 20, 50}));
  EXPECT_THROW(ParseKList(""), UsageError);
  EXPECT_THROW(ParseKList("10,x"), UsageError);
  EXPECT_THROW(ParseKList("0"), UsageError);
}

TEST(Evaluator, formats_machine_readable_lines) {
  Fixture f;
  TableScorer scorer(5, {{5, 4, 3, 2, 1}});
  EvalOptions options;
  options.ks = {3};
  const EvalResult r = Evaluate(f.train, f.test, scorer, options);
  const std::string lines = FormatMetricLines(r);
  EXPECT_NE(lines.find("recall@3: 0.6250\n"), std::string::npos) << lines;
  EXPECT_NE(lines.find("precision@3: 0.2500\n"), std::string::npos) << lines;
  EXPECT_NE(lines.find("users: 4\n"), std::string::npos) << lines;
  EXPECT_NE(FormatMetricJson(r).find("\"recall\": {\"3\": 0.625}"), std::string::npos)
      << FormatMetricJson(r);
}

TEST(TestSet, resolves_keys_counts_unseen_duplicates_and_other_types) {
  // user:a -listened-> song:1 ; user:b -listened-> song:2   (songs 0, 1; users 0, 1)
  const Graph graph =
      MakeGraph({{"user:a", "listened", "song:1"}, {"user:b", "listened", "song:2"}});
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"),
                     "user:b\tsong:2\r\n# comment\n\nuser:b\tsong:9\nuser:b\tsong:2\n"
                     "user:a\tartist:x\nuser:z\tsong:1\nuser:a\tsong:1\n");
  const TestSet t = ReadTestSet(dir.File("t.tsv"), graph, "user", "song");
  ASSERT_EQ(t.users.size(), 3u);  // ordered by key: user:a, user:b, user:z
  EXPECT_EQ(t.users[0].key, "user:a");
  EXPECT_EQ(t.users[0].items, (std::vector<int32_t>{0}));
  EXPECT_EQ(t.users[1].user, 1);
  EXPECT_EQ(t.users[1].items, (std::vector<int32_t>{1}));
  EXPECT_EQ(t.users[1].unseen_items, 1);
  EXPECT_EQ(t.users[2].user, -1);
  EXPECT_EQ(t.rows, 6);
  EXPECT_EQ(t.duplicate_rows, 1);
  EXPECT_EQ(t.other_type_rows, 1);
  EXPECT_EQ(t.unseen_pairs, 1);
  EXPECT_EQ(t.users_not_in_graph, 1);
  EXPECT_EQ(t.pairs(), 4);
  testing::WriteFile(dir.File("bad.tsv"), "user:a\tsong:1\nuser:a\t:x\n");
  try {
    ReadTestSet(dir.File("bad.tsv"), graph, "user", "song");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.File("bad.tsv"));
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 8);
    EXPECT_NE(e.reason().find("bad item key ':x'"), std::string::npos) << e.what();
  }
}

TEST(EmbeddingScorer, scores_are_inner_products) {
  // users (1,0) and (1,2); items (1,1), (0,3), (-1,0)
  EmbeddingMatrix users{"user", 0, 2, 2, {1, 0, 1, 2}};
  EmbeddingMatrix items{"song", 2, 3, 2, {1, 1, 0, 3, -1, 0}};
  EmbeddingScorer scorer(users, items);
  std::vector<float> scores(6);
  const std::vector<int32_t> batch = {1, 0};
  scorer.ScoreUsers(batch, scores);
  EXPECT_EQ(scores, (std::vector<float>{3, 6, -1, 1, 0, -1}));
  EmbeddingMatrix bad{"song", 2, 1, 3, {1, 2, 3}};
  EXPECT_THROW(EmbeddingScorer(users, bad), UsageError);
}

TEST(EmbeddingScorer, simd_kernels_equal_a_sequential_fused_multiply_add) {
  // 9 users x 150 items (two full 64-item groups and a tail of 22), dim 7. The SIMD kernels sum
  // over k in increasing order with fused multiply-adds: bit-identical to std::fma in a loop.
  // Eigen (the fallback) sums in another order: equal within float rounding.
  const int dim = 7;
  auto random = [&](const char* type, int64_t rows, uint64_t salt) {
    EmbeddingMatrix m{type, 0, rows, dim, {}};
    Rng rng(salt);
    for (int64_t i = 0; i < rows * dim; ++i) m.values.push_back(static_cast<float>(rng.Normal()));
    return m;
  };
  const EmbeddingMatrix users = random("user", 9, 1), items = random("song", 150, 2);
  const std::vector<int32_t> batch = {8, 0, 3, 3, 7, 1};  // 6 users: one full tile of 4 and 2
  std::vector<float> expected(batch.size() * 150);
  for (size_t b = 0; b < batch.size(); ++b)
    for (int64_t i = 0; i < 150; ++i) {
      float acc = 0;
      for (int k = 0; k < dim; ++k) acc = std::fma(users.row(batch[b])[k], items.row(i)[k], acc);
      expected[b * 150 + static_cast<size_t>(i)] = acc;
    }
  for (auto kernel : {EmbeddingScorer::Kernel::kAvx512, EmbeddingScorer::Kernel::kAvx2,
                      EmbeddingScorer::Kernel::kEigen}) {
    const EmbeddingScorer scorer(users, items, "x", kernel);
    std::vector<float> scores(expected.size(), -1.0f);
    scorer.ScoreUsers(batch, scores);
    if (scorer.kernel() == EmbeddingScorer::Kernel::kEigen) {
      for (size_t j = 0; j < scores.size(); ++j) EXPECT_NEAR(scores[j], expected[j], 1e-5) << j;
    } else {
      EXPECT_EQ(scores, expected) << static_cast<int>(scorer.kernel());
    }
  }
}

}  // namespace
}  // namespace melograph
