// Playlist eval and recall: see playlist_commands.h.
#include "tools/playlist_commands.h"

#include <cstdio>
#include <memory>

#include "common/error.h"
#include "common/file_util.h"
#include "common/log.h"
#include "graph/graph_io.h"
#include "model/train_config.h"
#include "recall/evaluator.h"
#include "recall/playlist_recall.h"
#include "recall/test_set.h"
#include "recall/top_k.h"

namespace melograph::cli {
namespace {

// Relations whose edges the run's training read (RUN/config.pbtxt); "*" for every relation.
std::vector<std::string> TrainedRelations(const TrainConfig& c) {
  std::vector<std::string> r = {c.target_relation(), "rev_" + c.target_relation()};
  if (c.model() == TrainConfig::SGNS) {
    if (c.metapaths().empty()) return {"*"};
    for (const std::string& m : c.metapaths()) {  // "user -listened-> song -rev_listened-> user"
      for (size_t at = m.find(" -"); at != std::string::npos; at = m.find(" -", at + 2)) {
        const size_t end = m.find("->", at);
        if (end != std::string::npos) r.push_back(m.substr(at + 2, end - at - 2));
      }
    }
    return r;
  }
  if (c.hops().empty()) return {"*"};
  for (const auto& hop : c.hops()) {
    if (hop.relation().empty()) return {"*"};
    for (const std::string& name : hop.relation()) r.push_back(name);
  }
  return r;
}

// "learned" or "songs", with the reason when chosen automatically.
std::string ResolveVectors(const PlaylistArgs& a, const Graph& graph, std::string& why) {
  if (a.vectors == "learned" || a.vectors == "songs") {
    why = "--playlist-vectors " + a.vectors;
    return a.vectors;
  }
  if (a.vectors != "auto") throw UsageError("--playlist-vectors must be auto, learned or songs, got '" + a.vectors + "'");
  if (RunReader(a.run_dir).RowsOf("playlist") == 0) {
    why = "the run has no playlist rows";
    return "songs";
  }
  const std::string config = JoinPath(a.run_dir, "config.pbtxt");
  if (!PathExists(config)) {
    why = "no " + config + " to tell whether playlist rows were trained";
    return "songs";
  }
  if (RelationsTouchType(graph, TrainedRelations(LoadTrainConfig(config)), "playlist")) {
    why = "training read relations of playlist nodes";
    return "learned";
  }
  why = "training read no relation of playlist nodes (its playlist rows are untrained)";
  return "songs";
}

struct Setup {
  Graph graph;
  PlaylistGraph playlists;
  Interactions follows, listened;
  std::unique_ptr<Scorer> model;
  std::string model_note;
};

std::unique_ptr<Setup> Load(const PlaylistArgs& a) {
  auto s = std::make_unique<Setup>();
  s->graph = LoadGraph(a.graph_dir);
  s->playlists = PlaylistGraph::FromGraph(s->graph, a.user_type);
  s->follows = Interactions::FromGraph(s->graph, a.user_type, "playlist", a.relation);
  s->listened = Interactions::FromGraph(s->graph, a.user_type, "song", "listened");
  if (a.run_dir.empty()) return s;
  if (!(a.creator_weight >= 0 && a.creator_weight <= 1)) throw UsageError("--creator-weight must be in [0, 1]");
  std::string why;
  const std::string mode = ResolveVectors(a, s->graph, why);
  EmbeddingMatrix users = LoadEmbeddings(a.run_dir, s->graph, a.user_type);
  EmbeddingMatrix vectors;
  if (mode == "learned") {
    vectors = LoadEmbeddings(a.run_dir, s->graph, "playlist");
    s->model_note = "learned playlist rows (" + why + ")";
  } else {
    vectors = PlaylistVectorsFromSongs(s->playlists, LoadEmbeddings(a.run_dir, s->graph, "song"), users,
                                       a.creator_weight);
    char w[32];
    std::snprintf(w, sizeof w, "%.2f", a.creator_weight);
    s->model_note = std::string("mean of song vectors + creator x ") + w + " (" + why + ")";
  }
  s->model = std::make_unique<PlaylistEmbeddingScorer>(std::move(users), std::move(vectors), &s->playlists,
                                                       "run:" + a.run_dir);
  return s;
}

std::string Prefixed(const std::string& prefix, const std::string& lines) {
  std::string out;
  size_t start = 0;
  while (start < lines.size()) {
    size_t end = lines.find('\n', start);
    if (end == std::string::npos) end = lines.size();
    out += prefix + lines.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string FormatMetric(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

void EvalPlaylists(const PlaylistArgs& a, const std::string& test_path, const std::vector<int>& ks,
                   int cold_threshold, bool json, const std::string& out_path) {
  const auto s = Load(a);
  const TestSet test = ReadTestSet(test_path, s->graph, a.user_type, "playlist");
  if (test.users.empty()) throw UsageError(test_path + ": no test pairs of " + a.user_type + " -> playlist");
  EvalOptions options;
  options.ks = ks;
  options.cold_threshold = cold_threshold;
  options.threads = a.threads;
  const ChannelContext context{&s->graph, &s->follows, a.threads};
  std::vector<std::pair<std::string, EvalResult>> results;
  if (s->model) results.emplace_back("model", Evaluate(s->follows, test, *s->model, options));
  for (const std::string& name : PlaylistChannelNames()) {
    const auto channel = MakePlaylistChannel(name, context, &s->playlists, &s->listened);
    results.emplace_back(name, Evaluate(s->follows, test, *channel, options));
  }
  std::string text;
  if (json) {
    text = "{";
    for (size_t i = 0; i < results.size(); ++i) {
      std::string one = FormatMetricJson(results[i].second);
      while (!one.empty() && one.back() == '\n') one.pop_back();
      text += (i ? ", \"" : "\"") + results[i].first + "\": " + one;
    }
    text += "}\n";
  } else {
    text = "# playlist recall: " + std::to_string(test.users.size()) + " test users, " +
           std::to_string(s->playlists.num_playlists()) + " playlists, " + std::to_string(s->follows.num_pairs()) +
           " training follows (" + a.relation + ")\n";
    if (s->model) text += "# model: " + s->model_note + "\n";
    for (const auto& [label, r] : results) text += "\n== " + label + "\n" + FormatMetricTable(r);
    text += "\nscorer";
    for (const int k : ks) text += "\trecall@" + std::to_string(k) + "\tndcg@" + std::to_string(k);
    text += "\n";
    for (const auto& [label, r] : results) {
      text += label;
      for (size_t i = 0; i < ks.size(); ++i) text += "\t" + FormatMetric(r.recall[i]) + "\t" + FormatMetric(r.ndcg[i]);
      text += "\n";
    }
    text += "\n";
    for (const auto& [label, r] : results) text += Prefixed(label + ".", FormatMetricLines(r));
  }
  std::fputs(text.c_str(), stdout);
  if (!out_path.empty()) WriteWholeFile(out_path, text);
}

void RecallPlaylists(const PlaylistArgs& a, const std::string& user_arg, const std::string& channel_name, int k) {
  const auto s = Load(a);
  const std::string key = user_arg.find(':') == std::string::npos ? a.user_type + ":" + user_arg : user_arg;
  const auto node = s->graph.Find(key);
  if (!node || s->graph.TypeOf(*node) != *s->graph.FindType(a.user_type))
    throw UsageError("--user: no " + a.user_type + " node '" + key + "' in " + a.graph_dir);
  const int32_t user = *node - s->follows.user_begin();
  std::unique_ptr<Channel> channel;
  const Scorer* scorer = s->model.get();
  if (!scorer) {
    channel = MakePlaylistChannel(channel_name, {&s->graph, &s->follows, a.threads}, &s->playlists, &s->listened);
    scorer = channel.get();
  }
  std::vector<float> row(static_cast<size_t>(scorer->num_items()));
  const int32_t users[] = {user};
  scorer->ScoreUsers(users, row);
  std::vector<ScoredItem> top;
  SelectTopK(row, s->follows.items_of(user), k, top);
  while (!top.empty() && top.back().score == kNoScore) top.pop_back();
  std::string text = "# " + key + ": " + std::to_string(top.size()) + " playlists from " +
                     (s->model ? "run " + a.run_dir + ", " + s->model_note : "channel " + channel_name) + " (" +
                     std::to_string(s->follows.user_degree(user)) + " followed playlists excluded)\n";
  text += "rank\tplaylist\tscore\tsongs\tcreator\treason\n";
  for (size_t r = 0; r < top.size(); ++r) {
    const int32_t p = top[r].item;
    const auto creators = s->playlists.created.users_of(p);
    const std::string creator = creators.empty() ? "-" : s->graph.Key(s->playlists.created.user_begin() + creators[0]);
    const std::string reason = channel ? channel->Explain(user, p).path : "<" + key + ", playlist vector>";
    text += std::to_string(r + 1) + "\t" + s->graph.Key(s->follows.item_begin() + p) + "\t" + FormatMetric(top[r].score) +
            "\t" + std::to_string(s->playlists.contains.user_degree(p)) + "\t" + creator + "\t" + reason + "\n";
  }
  std::fputs(text.c_str(), stdout);
}

}  // namespace melograph::cli
