// Evaluator: full-ranking evaluation of a Scorer on a test split (LightGCN protocol, see
// recall/metrics.h and docs/EVAL.md).
//
// For every test user: score all items of the item type, drop the user's training items
// (the Interactions rows), take the top max(K) by partial selection (recall/top_k.h), and
// compute Recall/NDCG/Precision/HitRate at every K. Items scored kNoScore are not ranked (a
// channel with fewer than K candidates gives a shorter list; Precision still divides by K).
// Each metric is the plain mean over test users; a test user absent from the graph counts
// with no hits. Also:
//  * coverage@K: distinct items in any user's top-K / number of items;
//  * cold_recall@K: recall over the test items with at most `cold_threshold` training
//    interactions (unseen items included), mean over users with at least one such item.
// Parallel over user batches with std::thread; each user's result lands in its own slot and
// the sums run in user order, so results are identical for every thread count.
// Complexity: O(users * items) scoring + O(users * (items + K log K)) selection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recall/interactions.h"
#include "recall/scorer.h"
#include "recall/test_set.h"

namespace melograph {

struct EvalOptions {
  std::vector<int> ks{20};
  int cold_threshold = 5;  // "cold" items have at most this many training interactions
  int threads = 1;
};

struct EvalResult {
  std::string scorer;
  std::vector<int> ks;
  // One entry per K, in the order of ks.
  std::vector<double> recall, ndcg, precision, hit_rate, coverage, cold_recall;
  int64_t users = 0;               // test users evaluated (denominator of the means)
  int64_t users_not_in_graph = 0;  // among them, users scored as no hits
  int64_t users_with_cold = 0;     // denominator of cold_recall
  int64_t test_pairs = 0;          // sum of |test| over users
  int64_t unseen_pairs = 0;        // test pairs whose item is not in the graph
  int32_t num_items = 0;
  int cold_threshold = 0;
  double seconds = 0;
};

EvalResult Evaluate(const Interactions& train, const TestSet& test, const Scorer& scorer,
                    const EvalOptions& options);

// Parses "10,20,50" (positive, distinct; sorted ascending). Throws UsageError.
std::vector<int> ParseKList(const std::string& text);

// `recall@20: 0.2653`-style lines, one per metric and K, plus counts.
std::string FormatMetricLines(const EvalResult& r);
// Human table: one row per K.
std::string FormatMetricTable(const EvalResult& r);
std::string FormatMetricJson(const EvalResult& r);

}  // namespace melograph
