// eval_bench: speed of the full-ranking evaluator and the channel figures on the LightGCN
// Last.fm split. Prints stable `key: value` lines (docs/EVAL.md, "Benchmarks").
//
//  1. synthetic: --users x --items random embeddings of --dim (normal, seeded per row), 10
//     training and 5 test items per user, K = --k; reports seconds and users_per_s (median of
//     --repeats runs);
//  2. lastfm (unless --skip-lastfm): the split in --lastfm (data1.txt train, test1.txt test,
//     user -listened-> artist), Recall@20 and NDCG@20 of mostpop, itemcf and usercf with the
//     channel defaults (or the --item-neighbors / --user-neighbors / --iuf given).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/hash.h"
#include "common/line_reader.h"
#include "common/resource.h"
#include "common/text.h"
#include "graph/graph_builder.h"
#include "recall/channel_registry.h"
#include "recall/embedding_scorer.h"
#include "recall/evaluator.h"

namespace melograph {
namespace {

void Synthetic(int32_t users, int32_t items, int dim, int k, int threads, int repeats,
               uint64_t seed) {
  auto random_matrix = [&](const char* type, int32_t rows, uint64_t salt) {
    EmbeddingMatrix m{type, 0, rows, dim, std::vector<float>(static_cast<size_t>(rows) * dim)};
    for (int32_t r = 0; r < rows; ++r) {
      Rng rng(HashCombine(seed, salt, static_cast<uint64_t>(r)));
      for (int d = 0; d < dim; ++d)
        m.values[static_cast<size_t>(r) * dim + d] = static_cast<float>(rng.Normal());
    }
    return m;
  };
  const EmbeddingScorer scorer(random_matrix("user", users, 1), random_matrix("item", items, 2));
  std::vector<Interactions::Triple> pairs;
  TestSet test;
  for (int32_t u = 0; u < users; ++u) {
    Rng rng(HashCombine(seed, 3, static_cast<uint64_t>(u)));
    for (int j = 0; j < 10; ++j) pairs.push_back({u, static_cast<int32_t>(rng.Uniform(items))});
    TestUser tu{"user:" + std::to_string(u), u, {}, 0};
    for (int j = 0; j < 5; ++j) tu.items.push_back(static_cast<int32_t>(rng.Uniform(items)));
    std::sort(tu.items.begin(), tu.items.end());
    tu.items.erase(std::unique(tu.items.begin(), tu.items.end()), tu.items.end());
    test.users.push_back(std::move(tu));
  }
  const Interactions train = Interactions::FromPairs(users, items, std::move(pairs));
  EvalOptions options;
  options.ks = {k};
  options.threads = threads;
  std::vector<double> seconds;
  EvalResult r;
  for (int rep = 0; rep < repeats; ++rep) {
    r = Evaluate(train, test, scorer, options);
    seconds.push_back(r.seconds);
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::printf(
      "synthetic_users: %d\nsynthetic_items: %d\nsynthetic_dim: %d\nsynthetic_k: %d\nthreads: %d\n",
      users, items, dim, k, threads);
  std::printf("synthetic_seconds: %.3f\nsynthetic_users_per_s: %.0f\nsynthetic_recall@%d: %.5f\n",
              median, users / median, k, r.recall[0]);
}

void ReadPairs(const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> f;
  while (reader.Next(line)) {
    if (SplitFields(Trim(line), '\t', f) < 2) continue;
    out.push_back({"user:" + std::string(f[0]), "artist:" + std::string(f[1])});
  }
}

void LastFm(const std::string& dir, const ChannelOptions& channel_options, int threads) {
  std::vector<std::pair<std::string, std::string>> train_pairs, test_pairs;
  ReadPairs(dir + "/data1.txt", train_pairs);
  ReadPairs(dir + "/test1.txt", test_pairs);
  GraphBuilder builder;
  for (const auto& [u, i] : train_pairs) builder.AddEdgeKeys(u, "listened", i);
  const Graph graph = builder.Build();
  const Interactions train = Interactions::FromGraph(graph, "user", "artist", "listened");
  std::map<std::string, TestUser> users;
  TestSet test;
  for (const auto& [u, i] : test_pairs) {
    TestUser& tu = users[u];
    tu.key = u;
    const auto node = graph.Find(i);
    if (node)
      tu.items.push_back(*node - train.item_begin());
    else
      ++tu.unseen_items;  // pairs are distinct in the split
  }
  for (auto& [key, tu] : users) {
    const auto node = graph.Find(key);
    tu.user = node ? *node - train.user_begin() : -1;
    std::sort(tu.items.begin(), tu.items.end());
    test.users.push_back(tu);
  }
  std::printf("lastfm_users: %zu\nlastfm_items: %d\nlastfm_train_pairs: %lld\n", test.users.size(),
              train.num_items(), static_cast<long long>(train.num_pairs()));
  EvalOptions options;
  options.ks = {20};
  options.threads = threads;
  for (const char* name : {"mostpop", "itemcf", "usercf"}) {
    const double start = WallSeconds();
    const auto channel = MakeChannel(name, {&graph, &train, threads}, channel_options);
    const EvalResult r = Evaluate(train, test, *channel, options);
    std::printf(
        "lastfm_%s_recall@20: %.4f\nlastfm_%s_ndcg@20: %.4f\nlastfm_%s_precision@20: %.4f\n"
        "lastfm_%s_seconds: %.3f\n",
        name, r.recall[0], name, r.ndcg[0], name, r.precision[0], name, WallSeconds() - start);
  }
}

}  // namespace
}  // namespace melograph

int main(int argc, char** argv) {
  CLI::App app{"eval_bench: evaluator speed and channel figures"};
  int users = 100000, items = 100000, dim = 64, k = 20, repeats = 3;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  uint64_t seed = 1;
  bool skip_synthetic = false, skip_lastfm = false;
  std::string lastfm = MELOGRAPH_SHARED_DATA_DIR "/lastfm-lightgcn";
  melograph::ChannelOptions channel;
  app.add_option("--users", users, "Synthetic users.")->capture_default_str();
  app.add_option("--items", items, "Synthetic items.")->capture_default_str();
  app.add_option("--dim", dim, "Synthetic embedding dimension.")->capture_default_str();
  app.add_option("--k", k, "Synthetic cut-off.")->capture_default_str();
  app.add_option("--repeats", repeats, "Synthetic repetitions (the median is printed).")
      ->capture_default_str();
  app.add_option("--threads", threads, "Evaluator threads.")->capture_default_str();
  app.add_option("--seed", seed, "Seed of the synthetic data.")->capture_default_str();
  app.add_option("--lastfm", lastfm, "LightGCN Last.fm split directory.")->capture_default_str();
  app.add_option("--item-neighbors", channel.item_neighbors,
                 "itemcf neighbours per item (0 = all).")
      ->capture_default_str();
  app.add_option("--user-neighbors", channel.user_neighbors,
                 "usercf neighbours per user (0 = all).")
      ->capture_default_str();
  app.add_flag("--iuf", channel.iuf, "IUF weighting for itemcf/usercf.");
  app.add_flag("--skip-synthetic", skip_synthetic, "Only the Last.fm figures.");
  app.add_flag("--skip-lastfm", skip_lastfm, "Only the synthetic speed figures.");
  CLI11_PARSE(app, argc, argv);
  if (!skip_synthetic)
    melograph::Synthetic(users, items, dim, k, threads, std::max(1, repeats), seed);
  if (!skip_lastfm) melograph::LastFm(lastfm, channel, threads);
  return 0;
}
