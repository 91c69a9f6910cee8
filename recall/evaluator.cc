// Evaluator: see evaluator.h.
#include "recall/evaluator.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <limits>
#include <thread>

#include "common/error.h"
#include "common/resource.h"
#include "common/text.h"
#include "recall/metrics.h"
#include "recall/top_k.h"

namespace melograph {
namespace {

// Per-user results: 5 figures per K (recall, ndcg, precision, hit, cold recall).
constexpr int kFigures = 5;

}  // namespace

std::vector<int> ParseKList(const std::string& text) {
  std::vector<int> ks;
  for (const std::string& part : SplitList(text, ',')) {
    const auto v = ParseInt64(Trim(part));
    if (!v || *v <= 0 || *v > 100000)
      throw UsageError("--k: '" + part + "' is not a cut-off in 1..100000");
    ks.push_back(static_cast<int>(*v));
  }
  if (ks.empty()) throw UsageError("--k: give at least one cut-off, e.g. 10,20");
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

EvalResult Evaluate(const Interactions& train, const TestSet& test, const Scorer& scorer,
                    const EvalOptions& options) {
  if (options.ks.empty()) throw UsageError("evaluation needs at least one K");
  if (scorer.num_items() != train.num_items())
    throw UsageError("scorer '" + scorer.name() + "' ranks " + std::to_string(scorer.num_items()) +
                     " items but the graph has " + std::to_string(train.num_items()));
  const double start = WallSeconds();
  const int max_k = *std::max_element(options.ks.begin(), options.ks.end());
  const size_t nk = options.ks.size();
  const int32_t n_items = train.num_items();
  const size_t n_users = test.users.size();

  // Users the scorer sees (in the graph), in test order.
  std::vector<size_t> scored;
  for (size_t t = 0; t < n_users; ++t)
    if (test.users[t].user >= 0) scored.push_back(t);
  const size_t batch = static_cast<size_t>(std::max(1, scorer.preferred_batch()));
  const size_t n_batches = (scored.size() + batch - 1) / batch;
  const int threads = static_cast<int>(
      std::max<size_t>(1, std::min<size_t>(std::max(1, options.threads), n_batches)));

  std::vector<double> per_user(n_users * nk * kFigures, 0.0);
  std::vector<uint8_t> has_cold(n_users, 0);
  // first_rank[t][i]: best rank at which item i appeared for any user of thread t.
  std::vector<std::vector<int32_t>> first_rank(
      threads,
      std::vector<int32_t>(static_cast<size_t>(n_items), std::numeric_limits<int32_t>::max()));
  std::atomic<size_t> next_batch{0};

  auto work = [&](int t) {
    std::vector<float> scores;
    std::vector<int32_t> users;
    std::vector<ScoredItem> top;
    std::vector<int32_t> ranked, cold;
    for (;;) {
      const size_t b = next_batch.fetch_add(1);
      if (b >= n_batches) return;
      const size_t lo = b * batch, hi = std::min(scored.size(), lo + batch);
      users.clear();
      for (size_t s = lo; s < hi; ++s) users.push_back(test.users[scored[s]].user);
      scores.resize(users.size() * static_cast<size_t>(n_items));
      scorer.ScoreUsers(users, scores);
      for (size_t s = lo; s < hi; ++s) {
        const TestUser& tu = test.users[scored[s]];
        const std::span<const float> row(scores.data() + (s - lo) * n_items,
                                         static_cast<size_t>(n_items));
        SelectTopK(row, train.items_of(tu.user), max_k, top);
        // kNoScore items are not candidates (a channel with nothing to say about them): the
        // list is shorter than K rather than padded with arbitrary items.
        while (!top.empty() && top.back().score == kNoScore) top.pop_back();
        ranked.clear();
        for (const ScoredItem& x : top) ranked.push_back(x.item);
        for (size_t r = 0; r < ranked.size(); ++r)
          first_rank[t][ranked[r]] = std::min(first_rank[t][ranked[r]], static_cast<int32_t>(r));
        cold.clear();
        for (int32_t i : tu.items)
          if (train.item_degree(i) <= options.cold_threshold) cold.push_back(i);
        const int64_t n_cold = static_cast<int64_t>(cold.size()) + tu.unseen_items;
        has_cold[scored[s]] = n_cold > 0;
        double* out = per_user.data() + scored[s] * nk * kFigures;
        for (size_t k = 0; k < nk; ++k) {
          const RankMetrics m =
              ComputeRankMetrics(ranked, tu.items, tu.num_relevant(), options.ks[k]);
          out[k * kFigures + 0] = m.recall;
          out[k * kFigures + 1] = m.ndcg;
          out[k * kFigures + 2] = m.precision;
          out[k * kFigures + 3] = m.hit_rate;
          if (n_cold > 0)
            out[k * kFigures + 4] = ComputeRankMetrics(ranked, cold, n_cold, options.ks[k]).recall;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();

  EvalResult r;
  r.scorer = scorer.name();
  r.ks = options.ks;
  r.num_items = n_items;
  r.cold_threshold = options.cold_threshold;
  r.users = static_cast<int64_t>(n_users);
  r.users_not_in_graph = static_cast<int64_t>(n_users - scored.size());
  r.unseen_pairs = test.unseen_pairs;
  r.test_pairs = test.pairs();
  for (size_t t = 0; t < n_users; ++t) r.users_with_cold += has_cold[t];
  // A user outside the graph still has cold test items (all unseen or untrained items).
  for (size_t t = 0; t < n_users; ++t) {
    const TestUser& tu = test.users[t];
    if (tu.user >= 0) continue;
    bool cold = tu.unseen_items > 0;
    for (int32_t i : tu.items) cold = cold || train.item_degree(i) <= options.cold_threshold;
    r.users_with_cold += cold;
  }
  std::vector<int32_t> best(static_cast<size_t>(n_items), std::numeric_limits<int32_t>::max());
  for (const auto& fr : first_rank)
    for (int32_t i = 0; i < n_items; ++i) best[i] = std::min(best[i], fr[i]);
  for (size_t k = 0; k < nk; ++k) {
    double sums[kFigures] = {0, 0, 0, 0, 0};
    for (size_t t = 0; t < n_users; ++t)
      for (int f = 0; f < kFigures; ++f) sums[f] += per_user[(t * nk + k) * kFigures + f];
    const double users = std::max<double>(1.0, static_cast<double>(n_users));
    r.recall.push_back(sums[0] / users);
    r.ndcg.push_back(sums[1] / users);
    r.precision.push_back(sums[2] / users);
    r.hit_rate.push_back(sums[3] / users);
    r.cold_recall.push_back(r.users_with_cold > 0 ? sums[4] / static_cast<double>(r.users_with_cold)
                                                  : 0.0);
    int64_t covered = 0;
    for (int32_t i = 0; i < n_items; ++i) covered += best[i] < options.ks[k];
    r.coverage.push_back(n_items > 0 ? static_cast<double>(covered) / n_items : 0.0);
  }
  r.seconds = WallSeconds() - start;
  return r;
}

namespace {

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

struct Column {
  const char* name;
  const std::vector<double> EvalResult::*values;
};
constexpr Column kColumns[] = {
    {"recall", &EvalResult::recall},       {"ndcg", &EvalResult::ndcg},
    {"precision", &EvalResult::precision}, {"hit_rate", &EvalResult::hit_rate},
    {"coverage", &EvalResult::coverage},   {"cold_recall", &EvalResult::cold_recall}};

}  // namespace

std::string FormatMetricLines(const EvalResult& r) {
  std::string out;
  for (const Column& c : kColumns)
    for (size_t k = 0; k < r.ks.size(); ++k)
      out += std::string(c.name) + "@" + std::to_string(r.ks[k]) + ": " + Fixed((r.*c.values)[k]) +
             "\n";
  out += "users: " + std::to_string(r.users) + "\n";
  out += "users_not_in_graph: " + std::to_string(r.users_not_in_graph) + "\n";
  out += "test_pairs: " + std::to_string(r.test_pairs) + "\n";
  out += "unseen_pairs: " + std::to_string(r.unseen_pairs) + "\n";
  out += "items: " + std::to_string(r.num_items) + "\n";
  out += "cold_max: " + std::to_string(r.cold_threshold) + "\n";
  out += "users_with_cold: " + std::to_string(r.users_with_cold) + "\n";
  return out;
}

std::string FormatMetricTable(const EvalResult& r) {
  std::string out = "scorer " + r.scorer + ": " + std::to_string(r.users) + " test users (" +
                    std::to_string(r.users_not_in_graph) + " not in the graph), " +
                    std::to_string(r.num_items) + " items, " + std::to_string(r.test_pairs) +
                    " test pairs (" + std::to_string(r.unseen_pairs) +
                    " unseen in training), cold items: <= " + std::to_string(r.cold_threshold) +
                    " training interactions\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%6s", "K");
  out += buf;
  for (const Column& c : kColumns) {
    std::snprintf(buf, sizeof buf, " %11s", c.name);
    out += buf;
  }
  out += "\n";
  for (size_t k = 0; k < r.ks.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%6d", r.ks[k]);
    out += buf;
    for (const Column& c : kColumns) {
      std::snprintf(buf, sizeof buf, " %11s", Fixed((r.*c.values)[k]).c_str());
      out += buf;
    }
    out += "\n";
  }
  return out;
}

std::string FormatMetricJson(const EvalResult& r) {
  std::string name;
  for (char c : r.scorer) {
    if (c == '"' || c == '\\') name += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) name += c;
  }
  std::string out = "{\"scorer\": \"" + name + "\", \"ks\": [";
  for (size_t k = 0; k < r.ks.size(); ++k) out += (k ? ", " : "") + std::to_string(r.ks[k]);
  out += "]";
  for (const Column& c : kColumns) {
    out += ", \"" + std::string(c.name) + "\": {";
    for (size_t k = 0; k < r.ks.size(); ++k) {
      out += (k ? ", \"" : "\"") + std::to_string(r.ks[k]) + "\": ";
      AppendFloat(out, (r.*c.values)[k]);
    }
    out += "}";
  }
  out += ", \"users\": " + std::to_string(r.users) +
         ", \"users_not_in_graph\": " + std::to_string(r.users_not_in_graph) +
         ", \"users_with_cold\": " + std::to_string(r.users_with_cold) +
         ", \"test_pairs\": " + std::to_string(r.test_pairs) +
         ", \"unseen_pairs\": " + std::to_string(r.unseen_pairs) +
         ", \"items\": " + std::to_string(r.num_items) +
         ", \"cold_threshold\": " + std::to_string(r.cold_threshold) + "}\n";
  return out;
}

}  // namespace melograph
