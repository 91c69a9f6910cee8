// `melograph eval --graph GRAPHDIR --test FILE (--run RUNDIR | --channel NAME) --k 10,20`:
// full-ranking evaluation (LightGCN protocol, docs/EVAL.md) of an embedding run (score =
// inner product of user and item vectors) or a recall channel. Prints a human table and a
// `recall@20: 0.2653`-style block, or one JSON object with --json; --out also writes it to a
// file (atomically).
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/file_util.h"
#include "common/log.h"
#include "graph/graph_io.h"
#include "recall/embedding_scorer.h"
#include "recall/evaluator.h"
#include "recall/run_format.h"
#include "recall/test_set.h"
#include "tools/channel_flags.h"
#include "tools/commands.h"
#include "tools/playlist_commands.h"

namespace melograph::cli {

void RegisterEval(CLI::App& app) {
  struct Options {
    std::string graph, test, run, channel, k = "20", out;
    int cold_threshold = 5;
    bool json = false;
    ChannelFlags flags;
    std::string target = "song", playlist_vectors = "auto";  // --target playlist: docs/PLAYLISTS.md
    float creator_weight = 0.1f;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("eval",
                                 "Evaluate an embedding run or a recall channel on a test split: "
                                 "full ranking over every item of "
                                 "the item type minus the user's training items; Recall, NDCG, "
                                 "Precision, HitRate, coverage and "
                                 "cold-item recall at each K.");
  cmd->add_option("--graph", o->graph, "Training graph directory (build-graph output).")
      ->required();
  cmd->add_option("--test", o->test, "Test split: `user key<TAB>item key` per line.")->required();
  auto* run = cmd->add_option("--run", o->run,
                              "Embedding run directory: score = <user vector, item vector>.");
  auto* channel =
      cmd->add_option("--channel", o->channel,
                      "Recall channel to evaluate: mostpop, itemcf, usercf, artist, genre-hot, "
                      "kg-hop or mix.");
  run->excludes(channel);
  channel->excludes(run);
  cmd->add_option("--k", o->k, "Cut-offs, comma-separated (e.g. 10,20,50).")->capture_default_str();
  cmd->add_option("--cold-max,--cold-threshold", o->cold_threshold,
                  "cold_recall@K: recall over the test items with at most N training "
                  "interactions (unseen items included).")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o->json,
                "Print one JSON object instead of the table and key: value block.");
  cmd->add_option("--out", o->out, "Also write the printed report to this file (atomically).");
  AddChannelFlags(cmd, o->flags);
  cmd->add_option("--target", o->target,
                  "song (default): rank the item type; playlist: rank playlists against held-out "
                  "follows (KG/test_playlists.tsv) with the run (optional) and the playlist-popular "
                  "and playlist-overlap baselines (docs/PLAYLISTS.md).")
      ->check(CLI::IsMember({"song", "playlist"}))
      ->capture_default_str();
  cmd->add_option("--playlist-vectors", o->playlist_vectors,
                  "--target playlist: auto (learned rows when training read playlist relations), "
                  "learned, or songs (mean of song vectors blended with the creator's).")
      ->capture_default_str();
  cmd->add_option("--creator-weight", o->creator_weight,
                  "--target playlist, songs vectors: weight of the creator's vector in the blend.")
      ->capture_default_str();
  cmd->callback([o, cmd] {
    if (o->target == "playlist") {
      if (!o->channel.empty())
        throw UsageError("--target playlist evaluates the run and both playlist baselines; drop --channel");
      const PlaylistArgs args = MakePlaylistArgs(o->graph, o->run, o->playlist_vectors, o->creator_weight, o->flags,
                                                 cmd->count("--relation") > 0);
      EvalPlaylists(args, o->test, ParseKList(o->k), o->cold_threshold, o->json, o->out);
      return;
    }
    if (o->run.empty() == o->channel.empty())
      throw UsageError("eval needs exactly one of --run or --channel");
    EvalOptions options;
    options.ks = ParseKList(o->k);
    options.cold_threshold = o->cold_threshold;
    options.threads = o->flags.threads;
    const Graph graph = LoadGraph(o->graph);
    const Interactions train =
        Interactions::FromGraph(graph, o->flags.user_type, o->flags.item_type, o->flags.relation);
    const TestSet test = ReadTestSet(o->test, graph, o->flags.user_type, o->flags.item_type);
    if (test.users.empty())
      throw UsageError(o->test + ": no test pairs of " + o->flags.user_type + " -> " +
                       o->flags.item_type);
    if (test.other_type_rows > 0 || test.duplicate_rows > 0)
      LogInfo(o->test + ": ignored " + std::to_string(test.other_type_rows) + " rows not of " +
              o->flags.user_type + " -> " + o->flags.item_type + ", merged " +
              std::to_string(test.duplicate_rows) + " duplicate rows");
    std::unique_ptr<Scorer> scorer;
    if (!o->run.empty()) {
      scorer = std::make_unique<EmbeddingScorer>(LoadEmbeddings(o->run, graph, o->flags.user_type),
                                                 LoadEmbeddings(o->run, graph, o->flags.item_type),
                                                 "run:" + o->run);
    } else {
      auto ch = MakeChannel(o->channel, {&graph, &train, o->flags.threads}, o->flags.options);
      if (!ch->applicable()) throw UsageError(ch->why_not());
      if (const std::string bandit = AttachChannelBandit(*ch, o->flags, graph, train); !bandit.empty())
        LogInfo(bandit);
      scorer = std::move(ch);
    }
    const EvalResult result = Evaluate(train, test, *scorer, options);
    const std::string text = o->json ? FormatMetricJson(result)
                                     : FormatMetricTable(result) + "\n" + FormatMetricLines(result);
    std::fputs(text.c_str(), stdout);
    if (!o->out.empty()) WriteWholeFile(o->out, text);
  });
}

}  // namespace melograph::cli
