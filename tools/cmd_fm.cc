// melograph fm: the private FM (online/fm_session.h, docs/FM.md). Interactive mode reads one
// JSON event per stdin line (online/fm_protocol.h) and answers one JSON recommendation per line;
// --replay FILE replays held-out sessions (build-kg's test_sessions.tsv) and prints `key: value`
// lines: next-song HitRate@k of the FM query vs the static user vector, and per-event latency.
#include <omp.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/error.h"
#include "common/log.h"
#include "common/resource.h"
#include "graph/graph_io.h"
#include "kg_builder/triple_io.h"
#include "online/fm_catalog.h"
#include "online/fm_protocol.h"
#include "online/fm_replay.h"
#include "online/fm_search.h"
#include "online/fm_session.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct FmFlags {
  std::string run, graph, replay, index = "hnsw", artist_relation = "by_artist";
  int k = 10;
  int hnsw_m = 32;
  int ef_search = 64;
  uint64_t seed = 0;
  int64_t max_bad_lines = 0;
  FmParams params;
};

std::string FmFixed(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

struct LiveSession {
  std::unique_ptr<FmSession> session;
  bool cold = false;
};

void RunInteractive(const FmFlags& f, const FmModel& model, const FmSearcher& searcher) {
  BadLineBudget budget(f.max_bad_lines);
  std::unordered_map<std::string, LiveSession> live;  // by user id as given
  std::vector<FmHit> hits;
  std::string line, out;
  int64_t line_number = 0;
  const auto start = [&](const std::string& user_id, bool new_user, int64_t n) -> LiveSession& {
    std::span<const float> long_term;
    bool cold = new_user;
    if (!new_user) {
      const auto user = model.FindUser(user_id);
      if (!user)
        throw InputError("stdin", n, 1,
                         "unknown user '" + user_id + "' (start a new one with {\"user\":\"" + user_id +
                             "\",\"action\":\"start\",\"new_user\":true})");
      cold = !model.users.warm[static_cast<size_t>(*user)];
      if (!cold) long_term = model.users.vector(*user);
    }
    LiveSession& s = live[user_id];
    if (!s.session) s.session = std::make_unique<FmSession>(&model.catalog, f.params);
    s.session->Reset(long_term);
    s.cold = cold;
    return s;
  };
  while (std::getline(std::cin, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto answer_error = [&](const InputError& e) {
      budget.Record(e);  // throws once more than --max-bad-lines lines were bad
      out = "{\"error\":" + JsonString(e.what()) + "}\n";
      std::fputs(out.c_str(), stdout);
      std::fflush(stdout);
    };
    // Validation happens here, at the boundary; the session code trusts its inputs.
    FmRequest request;
    int64_t column = 0;
    std::string reason;
    if (!ParseFmRequest(line, &request, &column, &reason)) {
      answer_error(InputError("stdin", line_number, column, reason));
      continue;
    }
    const FmRequest& r = request;
    LiveSession* s = nullptr;
    if (r.action == "start") {
      if (!r.new_user && !model.FindUser(r.user)) {
        answer_error(InputError("stdin", line_number, 1,
                                "unknown user '" + r.user + "' (start a new one with \"new_user\": true)"));
        continue;
      }
      s = &start(r.user, r.new_user, line_number);
    } else {
      FmFeedback feedback;
      if (!ParseFmFeedback(r.feedback, &feedback)) {
        answer_error(InputError("stdin", line_number, 1,
                                "unknown feedback '" + r.feedback + "' (expected full_play, like, collect, skip, dislike)"));
        continue;
      }
      const auto song = model.catalog.FindSong(r.song);
      if (!song) {
        answer_error(InputError("stdin", line_number, 1, "unknown song '" + r.song + "'"));
        continue;
      }
      auto it = live.find(r.user);
      if (it == live.end()) {
        if (!model.FindUser(r.user)) {
          answer_error(InputError("stdin", line_number, 1,
                                  "unknown user '" + r.user + "' (start a new one with {\"user\":\"" + r.user +
                                      "\",\"action\":\"start\",\"new_user\":true})"));
          continue;
        }
        s = &start(r.user, false, line_number);
      } else {
        s = &it->second;
      }
      s->session->Observe(*song, feedback);
    }
    const int k = r.k > 0 ? r.k : f.k;
    searcher.Search(s->session->Query(), k, s->session->exclusion_mask(), s->session->excluded_count(),
                    static_cast<int64_t>(s->session->played().size()), hits);
    out = "{\"user\":" + JsonString(r.user) + ",\"session_events\":" + std::to_string(s->session->events()) +
          ",\"cold\":" + (s->cold ? "true" : "false") + ",\"recommendations\":[";
    for (size_t i = 0; i < hits.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"song\":" + JsonString(model.catalog.song_id(hits[i].song)) + ",\"score\":" +
             FmFixed(hits[i].score, "%.6g") + "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }
}

void RunFm(const FmFlags& f) {
  if (f.run.empty() || f.graph.empty()) throw UsageError("fm needs --run RUN and --graph GRAPH");
  if (f.k <= 0 || f.k > 1000) throw UsageError("--k must be in 1..1000");
  if (f.max_bad_lines < 0) throw UsageError("--max-bad-lines must be >= 0");
  ValidateFmParams(f.params);
  // One event at a time: a single-threaded faiss search avoids OpenMP wake-ups per query.
  omp_set_num_threads(1);
  FmSearchOptions so;
  so.kind = ParseFmIndexKind(f.index);
  so.hnsw_m = f.hnsw_m;
  so.hnsw_ef_search = f.ef_search;
  so.seed = f.seed;
  const double t0 = WallSeconds();
  const Graph graph = LoadGraph(f.graph);
  const FmModel model = LoadFmModel(graph, f.graph, f.run, f.artist_relation);
  const FmSearcher searcher(&model.catalog, so);
  const double load_seconds = WallSeconds() - t0;
  if (f.replay.empty()) {
    RunInteractive(f, model, searcher);
    return;
  }
  FmReplayOptions ro;
  ro.k = f.k;
  ro.max_bad_lines = f.max_bad_lines;
  const FmReplayResult result = ReplayFmSessions(f.replay, model, searcher, f.params, ro);
  if (!result.bad_lines_summary.empty()) LogWarning(result.bad_lines_summary);
  std::string out = "songs: " + std::to_string(model.catalog.songs()) + "\n";
  out += "dim: " + std::to_string(model.catalog.dim()) + "\n";
  out += "index: " + f.index + "\n";
  out += "decay: " + FmFixed(f.params.decay, "%g") + "\n";
  out += "short_term_weight: " + FmFixed(f.params.short_term_weight, "%g") + "\n";
  out += "load_seconds: " + FmFixed(load_seconds, "%.3f") + "\n";
  out += "index_build_seconds: " + FmFixed(searcher.build_seconds(), "%.3f") + "\n";
  out += FormatFmReplay(result);
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void RegisterFm(CLI::App& app) {
  auto flags = std::make_shared<FmFlags>();
  auto* cmd = app.add_subcommand(
      "fm",
      "Private FM: recommend the next song after each (song, feedback) event, from a trained run. "
      "Interactive: one JSON event per stdin line, one JSON answer per line; --replay FILE scores "
      "held-out sessions (build-kg --session-gap: KG/test_sessions.tsv). See docs/FM.md");
  cmd->add_option("--run", flags->run, "trained run directory (song and user embeddings)");
  cmd->add_option("--graph", flags->graph, "the graph the run was trained on");
  cmd->add_option("--k", flags->k, "songs per recommendation (and HitRate@k)")->capture_default_str();
  cmd->add_option("--replay", flags->replay,
                  "batch mode: replay this test_sessions.tsv and print key: value figures");
  cmd->add_option("--index", flags->index, "next-song search: hnsw (ANN) or exact")
      ->check(CLI::IsMember({"hnsw", "exact"}))
      ->capture_default_str();
  cmd->add_option("--hnsw-m", flags->hnsw_m, "HNSW graph degree")->check(CLI::Range(4, 256))->capture_default_str();
  cmd->add_option("--ef-search", flags->ef_search, "HNSW search beam width")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "HNSW level seed")->capture_default_str();
  cmd->add_option("--decay", flags->params.decay,
                  "short-term vector decay per event, in (0, 1]")->capture_default_str();
  cmd->add_option("--short-term-weight", flags->params.short_term_weight,
                  "blend weight of the short-term vector against the user's long-term one, in [0, 1]")
      ->capture_default_str();
  cmd->add_option("--pull-full-play", flags->params.pull_full_play, "pull of a full play")->capture_default_str();
  cmd->add_option("--pull-like", flags->params.pull_like, "pull of a like")->capture_default_str();
  cmd->add_option("--pull-collect", flags->params.pull_collect, "pull of a collect")->capture_default_str();
  cmd->add_option("--push-skip", flags->params.push_skip, "push of a skip (<= 0)")->capture_default_str();
  cmd->add_option("--push-dislike", flags->params.push_dislike, "push of a dislike (<= 0)")->capture_default_str();
  cmd->add_option("--artist-relation", flags->artist_relation,
                  "song -> artist relation used to exclude disliked artists")
      ->capture_default_str();
  cmd->add_option("--max-bad-lines", flags->max_bad_lines,
                  "answer / skip up to N bad input lines (counted) instead of failing")
      ->capture_default_str();
  cmd->callback([flags] { RunFm(*flags); });
}

}  // namespace melograph::cli
