// `melograph recall --graph GRAPHDIR --channel NAME --user KEY --k 50`: one user's list from a
// recall channel, each item with its channel and a reason path; without --user, every user's
// list to --out as TSV `user<TAB>rank<TAB>item<TAB>score<TAB>channel[<TAB>reason]`.
// `--embeddings RUN` hands over to tools/recall_embeddings.h (owned by the export work).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/log.h"
#include "common/file_util.h"
#include "common/text.h"
#include "graph/graph_io.h"
#include "recall/interactions.h"
#include "recall/top_k.h"
#include "tools/channel_flags.h"
#include "tools/commands.h"
#include "tools/playlist_commands.h"
#include "tools/recall_embeddings.h"

namespace melograph::cli {
namespace {

// Finite-score top-k of one user, training items dropped.
std::vector<ScoredItem> UserList(const Channel& channel, const Interactions& train, int32_t user,
                                 int k, std::vector<float>& row) {
  row.resize(static_cast<size_t>(train.num_items()));
  channel.ScoreUser(user, row);
  std::vector<ScoredItem> top;
  SelectTopK(row, train.items_of(user), k, top);
  while (!top.empty() && top.back().score == kNoScore) top.pop_back();
  return top;
}

std::string Score(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

void RegisterRecall(CLI::App& app) {
  struct Options {
    std::string graph, channel, embeddings, user, out;
    int k = 50;
    bool reasons = false;
    bool exact_only = false;
    bool exclude_train = false;
    ChannelFlags flags;
    bool playlists = false;  // --playlists: docs/PLAYLISTS.md
    std::string playlist_vectors = "auto";
    float creator_weight = 0.1f;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "recall",
      "Recommend items: one user's list (--user) with channel and reason path per item, or every "
      "user's list to --out. Channels: mostpop, itemcf, usercf, artist, genre-hot, kg-hop, mix.");
  cmd->add_option("--graph", o->graph, "Training graph directory (build-graph output).")
      ->required();
  auto* channel =
      cmd->add_option("--channel", o->channel,
                      "Recall channel: mostpop, itemcf, usercf, artist, genre-hot, kg-hop or mix.");
  auto* embeddings = cmd->add_option(
      "--embeddings", o->embeddings,
      "Embedding run directory: exact and HNSW inner-product search instead of a channel.");
  channel->excludes(embeddings);
  embeddings->excludes(channel);
  cmd->add_option("--user", o->user,
                  "User key, e.g. user:7 (without it, every user's list goes to --out).");
  cmd->add_option("--k", o->k, "Items per list.")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--out", o->out, "TSV file for every user's list (without --user).");
  cmd->add_flag("--reasons", o->reasons, "With --out: add the reason path column (slower).");
  cmd->add_flag("--exact-only", o->exact_only,
                "--embeddings: skip the HNSW index, exact search only.");
  cmd->add_flag("--exclude-train", o->exclude_train,
                "--embeddings: drop the user's training items.");
  AddChannelFlags(cmd, o->flags);
  cmd->add_flag("--playlists", o->playlists,
                "Recommend playlists to --user (user:u12 or u12): from --embeddings RUN, else "
                "--channel playlist-overlap (default) or playlist-popular; followed playlists "
                "excluded (docs/PLAYLISTS.md).");
  cmd->add_option("--playlist-vectors", o->playlist_vectors,
                  "--playlists with --embeddings: auto, learned or songs (see eval --target playlist).")
      ->capture_default_str();
  cmd->add_option("--creator-weight", o->creator_weight,
                  "--playlists, songs vectors: weight of the creator's vector in the blend.")
      ->capture_default_str();
  cmd->callback([o, cmd] {
    if (o->playlists) {
      if (o->user.empty()) throw UsageError("--playlists needs --user");
      const PlaylistArgs args = MakePlaylistArgs(o->graph, o->embeddings, o->playlist_vectors, o->creator_weight, o->flags,
                                                 cmd->count("--relation") > 0);
      RecallPlaylists(args, o->user, o->channel.empty() ? "playlist-overlap" : o->channel, o->k);
      return;
    }
    if (!o->embeddings.empty()) {
      // ---- Embedding recall: owned by the export work (tools/recall_embeddings.cc). ----
      if (o->user.empty()) throw UsageError("--embeddings needs --user");
      EmbeddingRecallArgs args;
      args.run_dir = o->embeddings;
      args.graph_dir = o->graph;
      args.user_key = o->user;
      args.k = o->k;
      args.item_type = o->flags.item_type;
      args.hnsw = !o->exact_only;
      args.exclude_train = o->exclude_train;
      args.target_relation = o->flags.relation;
      RecallWithEmbeddings(args);
      return;
    }
    if (o->channel.empty()) throw UsageError("recall needs --channel NAME or --embeddings RUN");
    const Graph graph = LoadGraph(o->graph);
    const Interactions train =
        Interactions::FromGraph(graph, o->flags.user_type, o->flags.item_type, o->flags.relation);
    const auto channel =
        MakeChannel(o->channel, {&graph, &train, o->flags.threads}, o->flags.options);
    if (!channel->applicable()) throw UsageError(channel->why_not());
    if (const std::string bandit = AttachChannelBandit(*channel, o->flags, graph, train); !bandit.empty())
      LogInfo(bandit);
    auto item_key = [&](int32_t i) { return graph.Key(train.item_begin() + i); };

    if (!o->user.empty()) {
      const auto node = graph.Find(o->user);
      const auto user_type = graph.FindType(o->flags.user_type);
      if (!node || !user_type || graph.TypeOf(*node) != *user_type)
        throw UsageError("--user: no " + o->flags.user_type + " node '" + o->user + "' in " +
                         o->graph);
      const int32_t user = *node - train.user_begin();
      std::vector<float> row;
      const auto top = UserList(*channel, train, user, o->k, row);
      std::string text = "# " + o->user + ": " + std::to_string(top.size()) +
                         " items from channel " + channel->name() + " (" +
                         std::to_string(train.user_degree(user)) + " training items excluded)\n";
      text += "rank\titem\tscore\tchannel\treason\n";
      for (size_t r = 0; r < top.size(); ++r) {
        const Reason why = channel->Explain(user, top[r].item);
        text += std::to_string(r + 1) + "\t" + item_key(top[r].item) + "\t" + Score(top[r].score) +
                "\t" + why.channel + "\t" + why.path + "\n";
      }
      std::fputs(text.c_str(), stdout);
      return;
    }
    if (o->out.empty()) throw UsageError("recall without --user needs --out FILE");
    // Every user, in parallel; lines are kept per user and written in user order.
    const int32_t n = train.num_users();
    std::vector<std::string> lines(static_cast<size_t>(n));
    std::atomic<int32_t> next{0};
    auto work = [&] {
      std::vector<float> row;
      for (int32_t u; (u = next.fetch_add(1)) < n;) {
        const std::string user_key = graph.Key(train.user_begin() + u);
        const auto top = UserList(*channel, train, u, o->k, row);
        for (size_t r = 0; r < top.size(); ++r) {
          const Reason why =
              o->reasons ? channel->Explain(u, top[r].item) : Reason{channel->name(), ""};
          lines[u] += user_key + "\t" + std::to_string(r + 1) + "\t" + item_key(top[r].item) +
                      "\t" + Score(top[r].score) + "\t" + why.channel +
                      (o->reasons ? "\t" + why.path : "") + "\n";
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < o->flags.threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    AtomicFile file(o->out);
    file.Write(std::string("# user\trank\titem\tscore\tchannel") + (o->reasons ? "\treason" : "") +
               "\n");
    int64_t rows = 0;
    for (const std::string& l : lines) {
      file.Write(l);
      rows += std::count(l.begin(), l.end(), '\n');
    }
    file.Commit();
    std::printf("users: %d\nrows: %lld\nout: %s\n", n, static_cast<long long>(rows),
                o->out.c_str());
  });
}

}  // namespace melograph::cli
