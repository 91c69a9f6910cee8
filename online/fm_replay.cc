#include "online/fm_replay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/resource.h"
#include "common/text.h"
#include "kg_builder/triple_io.h"

namespace melograph {

namespace {

struct ReplayEvent {
  int32_t song = 0;
  FmFeedback feedback = FmFeedback::kFullPlay;
};

bool Contains(std::span<const int32_t> list, int32_t x) { return std::find(list.begin(), list.end(), x) != list.end(); }

bool InTop(const std::vector<FmHit>& top, int32_t song) {
  return std::any_of(top.begin(), top.end(), [&](const FmHit& h) { return h.song == song; });
}

// 1-based column of field i of a tab-separated line.
int64_t Column(const std::vector<std::string_view>& fields, std::string_view line, size_t i) {
  return static_cast<int64_t>(fields[i].data() - line.data()) + 1;
}

class Replayer {
 public:
  Replayer(const FmModel& model, const FmSearcher& searcher, const FmParams& params, const FmReplayOptions& options,
           FmReplayResult& result)
      : model_(model), searcher_(searcher), session_(&model.catalog, params), options_(options), r_(result) {}

  void Run(int32_t user, const std::vector<ReplayEvent>& events) {
    if (events.empty()) return;
    ++r_.sessions;
    const bool cold = !model_.users.warm[static_cast<size_t>(user)];
    const std::span<const float> long_term = cold ? std::span<const float>() : model_.users.vector(user);
    const std::span<const int32_t> familiar = model_.users.familiar(user);
    session_.Reset(long_term);
    fm_top_.clear();
    int64_t step = 0;
    for (size_t i = 0; i < events.size();) {
      size_t j = i;
      bool positive = true;
      while (j < events.size() && events[j].song == events[i].song) positive &= IsPositive(events[j++].feedback);
      ++r_.steps;
      const int32_t song = events[i].song;
      if (Contains(session_.played(), song)) {
        ++r_.repeat_steps;
      } else if (step > 0 && positive) {
        ++r_.targets;
        const bool fm_hit = InTop(fm_top_, song);
        const int64_t played = static_cast<int64_t>(session_.played().size());
        searcher_.Search(long_term, options_.k, session_.exclusion_mask(), session_.excluded_count(), played,
                         static_top_);
        const bool static_hit = InTop(static_top_, song);
        r_.fm_hits += fm_hit;
        r_.static_hits += static_hit;
        r_.fm_only_hits += fm_hit && !static_hit;
        r_.static_only_hits += static_hit && !fm_hit;
        if (std::binary_search(familiar.begin(), familiar.end(), song)) {
          ++r_.familiar_targets;
          r_.familiar_fm_hits += fm_hit;
          r_.familiar_static_hits += static_hit;
        }
        if (cold) {
          ++r_.cold_targets;
          r_.cold_fm_hits += fm_hit;
          r_.cold_static_hits += static_hit;
        }
      }
      for (; i < j; ++i) {
        const double t0 = WallSeconds();
        session_.Observe(events[i].song, events[i].feedback);
        searcher_.Search(session_.Query(), options_.k, session_.exclusion_mask(), session_.excluded_count(),
                         static_cast<int64_t>(session_.played().size()), fm_top_);
        latencies_us_.push_back((WallSeconds() - t0) * 1e6);
        ++r_.events;
      }
      ++step;
    }
  }

  void Finish() {
    if (latencies_us_.empty()) return;
    double sum = 0;
    for (double x : latencies_us_) sum += x;
    r_.latency_mean_us = sum / static_cast<double>(latencies_us_.size());
    const auto at = [&](double q) {
      const size_t idx = std::min(latencies_us_.size() - 1, static_cast<size_t>(q * static_cast<double>(latencies_us_.size())));
      std::nth_element(latencies_us_.begin(), latencies_us_.begin() + static_cast<std::ptrdiff_t>(idx), latencies_us_.end());
      return latencies_us_[idx];
    };
    r_.latency_p50_us = at(0.5);
    r_.latency_p99_us = at(0.99);
  }

 private:
  const FmModel& model_;
  const FmSearcher& searcher_;
  FmSession session_;
  const FmReplayOptions& options_;
  FmReplayResult& r_;
  std::vector<FmHit> fm_top_, static_top_;
  std::vector<double> latencies_us_;
};

}  // namespace

FmReplayResult ReplayFmSessions(const std::string& path, const FmModel& model, const FmSearcher& searcher,
                                const FmParams& params, const FmReplayOptions& options) {
  if (options.k <= 0) throw UsageError("--k must be positive");
  FmReplayResult result;
  result.k = options.k;
  Replayer replayer(model, searcher, params, options, result);
  BadLineBudget budget(options.max_bad_lines);
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::string current_session;
  int32_t current_user = -1;
  std::vector<ReplayEvent> events;
  std::unordered_set<std::string> finished;
  const auto flush = [&] {
    replayer.Run(current_user, events);
    if (!current_session.empty()) finished.insert(current_session);
    events.clear();
    current_session.clear();
    current_user = -1;
  };
  while (reader.Next(line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const int64_t n = reader.line_number();
    // A bad line is recorded in the budget (which throws once it is spent) and skipped.
    const auto bad = [&](int64_t column, const std::string& reason) { budget.Record(InputError(path, n, column, reason)); };
    if (SplitFields(line, '\t', fields) != 6) {
      bad(1, "expected 6 tab-separated fields (session_id, user_id, scene, song_id, feedback, timestamp), got " +
                 std::to_string(fields.size()));
      continue;
    }
    if (fields[0].empty()) {
      bad(1, "empty session_id");
      continue;
    }
    const auto user = model.FindUser(fields[1]);
    if (!user) {
      bad(Column(fields, line, 1), "unknown user '" + std::string(fields[1]) + "'");
      continue;
    }
    const auto song = model.catalog.FindSong(fields[3]);
    if (!song) {
      bad(Column(fields, line, 3), "unknown song '" + std::string(fields[3]) + "'");
      continue;
    }
    FmFeedback feedback;
    if (!ParseFmFeedback(fields[4], &feedback)) {
      bad(Column(fields, line, 4),
          "unknown feedback '" + std::string(fields[4]) + "' (expected full_play, like, collect, skip, dislike)");
      continue;
    }
    if (!ParseInt64(fields[5])) {
      bad(Column(fields, line, 5), "timestamp is not an integer");
      continue;
    }
    if (fields[0] != current_session) {
      if (finished.count(std::string(fields[0]))) {
        bad(1, "session '" + std::string(fields[0]) + "' continues after other sessions");
        continue;
      }
      flush();
      current_session.assign(fields[0]);
      current_user = *user;
    } else if (*user != current_user) {
      bad(Column(fields, line, 1), "session '" + current_session + "' changes user");
      continue;
    }
    events.push_back({*song, feedback});
  }
  flush();
  replayer.Finish();
  result.exact_fallbacks = searcher.exact_fallbacks();
  result.bad_lines_skipped = budget.count();
  result.bad_lines_summary = budget.Summary();
  return result;
}

std::string FormatFmReplay(const FmReplayResult& r) {
  std::string out;
  char buf[128];
  const auto rate = [](int64_t hits, int64_t n) { return n > 0 ? static_cast<double>(hits) / static_cast<double>(n) : 0.0; };
  const auto put = [&](const char* key, double v, const char* format) {
    std::snprintf(buf, sizeof buf, format, v);
    out.append(key).append(": ").append(buf).append("\n");
  };
  const auto count = [&](const std::string& key, int64_t v) { out.append(key).append(": ").append(std::to_string(v)).append("\n"); };
  const std::string k = std::to_string(r.k);
  count("sessions", r.sessions);
  count("events", r.events);
  count("steps", r.steps);
  count("repeat_steps", r.repeat_steps);
  count("targets", r.targets);
  count("familiar_targets", r.familiar_targets);
  put(("familiar_hit_rate_fm@" + k).c_str(), rate(r.familiar_fm_hits, r.familiar_targets), "%.4f");
  put(("familiar_hit_rate_static@" + k).c_str(), rate(r.familiar_static_hits, r.familiar_targets), "%.4f");
  count("fm_hits@" + k, r.fm_hits);
  count("static_hits@" + k, r.static_hits);
  put(("hit_rate_fm@" + k).c_str(), rate(r.fm_hits, r.targets), "%.4f");
  put(("hit_rate_static@" + k).c_str(), rate(r.static_hits, r.targets), "%.4f");
  const auto ratio = [](int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  put("lift", ratio(r.fm_hits, r.static_hits), "%.3f");
  // Paired comparison on the same targets (McNemar): only the targets one ranking hits and the
  // other misses carry information; z = (b - c) / sqrt(b + c), |z| > 1.96 ~ p < 0.05.
  count("fm_only_hits@" + k, r.fm_only_hits);
  count("static_only_hits@" + k, r.static_only_hits);
  const int64_t discordant = r.fm_only_hits + r.static_only_hits;
  put("mcnemar_z", discordant > 0 ? static_cast<double>(r.fm_only_hits - r.static_only_hits) / std::sqrt(static_cast<double>(discordant)) : 0.0, "%.2f");
  count("cold_targets", r.cold_targets);
  put(("cold_hit_rate_fm@" + k).c_str(), rate(r.cold_fm_hits, r.cold_targets), "%.4f");
  put(("cold_hit_rate_static@" + k).c_str(), rate(r.cold_static_hits, r.cold_targets), "%.4f");
  put("latency_mean_us", r.latency_mean_us, "%.1f");
  put("latency_p50_us", r.latency_p50_us, "%.1f");
  put("latency_p99_us", r.latency_p99_us, "%.1f");
  count("exact_fallbacks", r.exact_fallbacks);
  count("bad_lines_skipped", r.bad_lines_skipped);
  return out;
}

}  // namespace melograph
