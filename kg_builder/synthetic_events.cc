#include "kg_builder/synthetic_events.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/file_util.h"
#include "common/text.h"
#include "kg_builder/synthetic_users.h"

namespace melograph::synthetic {
namespace {

constexpr uint64_t kEventsSalt = 301;
constexpr uint64_t kSessionFocusSalt = 302;  // Rng(HashCombine(seed, salt, user, session))
constexpr uint64_t kArtistRunSalt = 303;     // likewise, so moods and runs never share draws
enum Event : int {
  kPlay, kFullPlay, kActivePlay, kLoop, kSearch, kLike, kCollect, kShare, kComment, kDownload,
  kSkip, kDislike, kBlock
};
constexpr const char* kEventNames[kEventTypes] = {
    "play", "full_play", "active_play", "loop", "search", "like", "collect",
    "share", "comment", "download", "skip", "dislike", "block"};
constexpr const char* kScenes[] = {"daily_mix", "fm", "playlist", "search", "album", "artist"};
constexpr double kSceneCdf[] = {0.3, 0.5, 0.7, 0.8, 0.9, 1.0};
constexpr size_t kHistoryCap = 64;

const char* DrawScene(Rng& rng) {
  const double x = rng.UniformDouble();
  int i = 0;
  while (x >= kSceneCdf[i] && i < 5) ++i;
  return kScenes[i];
}

// Primary (listening) event for affinity a; sets played seconds.
int DrawListen(double a, int32_t duration_s, Rng& rng, int64_t& played_s) {
  if (rng.UniformDouble() < 0.04 + 0.5 * (1.0 - a)) {
    played_s = 3 + static_cast<int64_t>(rng.Uniform(28));
    return kSkip;
  }
  const double x = rng.UniformDouble();
  played_s = duration_s;
  if (x < 0.55) return kFullPlay;
  if (x < 0.75) {
    played_s = static_cast<int64_t>(duration_s * (0.3 + 0.6 * rng.UniformDouble()));
    return kPlay;
  }
  if (x < 0.85) return kActivePlay;
  if (x < 0.93) return kLoop;
  return kSearch;
}

// Optional explicit feedback after a listen; -1 for none.
int DrawFeedback(int listen, double a, Rng& rng) {
  const double x = rng.UniformDouble();
  if (listen == kSkip) {
    if (x < 0.08 * (1.0 - a)) return kDislike;
    if (x < 0.09 * (1.0 - a)) return kBlock;
    return -1;
  }
  double edge = 0;
  for (const auto& [type, p] : {std::pair{kLike, 0.15}, {kCollect, 0.07}, {kDownload, 0.03}, {kShare, 0.015},
                                {kComment, 0.01}}) {
    edge += p * a;
    if (x < edge) return type;
  }
  return -1;
}

// A repeat: in a mood session, with probability P (the session's coin), a history song of the
// focus cluster drawn from the session's stream when the history holds one; otherwise any
// history song from the user's rng (exactly the mood-free draw).
int64_t DrawRepeat(const Catalog& c, const std::vector<int64_t>& history, const SessionFocus* focus, Rng& rng) {
  if (focus != nullptr && focus->rng->UniformDouble() < focus->p) {
    uint64_t n = 0;
    for (const int64_t s : history) n += c.SongCluster(s) == focus->cluster ? 1 : 0;
    if (n > 0) {
      uint64_t pick = focus->rng->Uniform(n);
      for (const int64_t s : history)
        if (c.SongCluster(s) == focus->cluster && pick-- == 0) return s;
    }
  }
  return history[rng.Uniform(history.size())];
}

}  // namespace

const char* EventName(int type) { return kEventNames[type]; }

EventStats WriteEvents(const Catalog& c, AtomicDirectory& dir, std::string_view name) {
  const WorldConfig& cfg = c.config;
  const int64_t start = cfg.time_start, end = cfg.time_end();
  const int64_t release_start = cfg.new_release_start();
  EventStats stats;
  stats.min_ts = std::numeric_limits<int64_t>::max();
  int64_t first_new = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> minute_counts(static_cast<size_t>((end - start) / 60 + 1), 0);
  std::vector<int64_t> session_starts, history;
  std::string prefix, line;
  AtomicFile out(dir, name);
  out.Write("# user_id\tsong_id\tevent\ttimestamp\tplayed_ms\tduration_ms\tscene\n");

  auto emit = [&](int64_t song, int type, int64_t ts, int64_t played_s, const char* scene) {
    const Song& s = c.songs[static_cast<size_t>(song)];
    line.assign(prefix);
    AppendInt(line, song);
    line.append("\t").append(kEventNames[type]).append("\t");
    AppendInt(line, ts);
    line.append("\t");
    if (played_s >= 0) AppendInt(line, played_s * 1000);
    line.append("\t");
    AppendInt(line, int64_t{s.duration_s} * 1000);
    line.append("\t").append(scene).append("\n");
    out.Write(line);
    ++stats.events;
    ++stats.per_type[static_cast<size_t>(type)];
    ++minute_counts[static_cast<size_t>((ts - start) / 60)];
    stats.min_ts = std::min(stats.min_ts, ts);
    stats.max_ts = std::max(stats.max_ts, ts);
    if (s.is_new) first_new = std::min(first_new, ts);
  };

  for (int64_t id = 0; id < cfg.users; ++id) {
    const UserProfile u = MakeUser(c, id);
    Rng rng(HashCombine(cfg.seed, kEventsSalt, static_cast<uint64_t>(id)));
    prefix.assign("u");
    AppendInt(prefix, id);
    prefix.append("\ts");
    const int64_t n_sessions = (u.n_events + 9) / 10;
    session_starts.resize(static_cast<size_t>(n_sessions));
    for (auto& t : session_starts) t = start + static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(end - start)));
    std::sort(session_starts.begin(), session_starts.end());
    history.clear();
    int64_t t = start;  // sessions may overlap: keep one user's events in time order
    for (int64_t k = 0; k < n_sessions; ++k) {
      const int64_t quota = u.n_events / n_sessions + (k < u.n_events % n_sessions ? 1 : 0);
      const char* session_scene = DrawScene(rng);
      t = std::max(t, session_starts[static_cast<size_t>(k)]);
      // The session's mood: its own stream, so the user's rng sees no extra draw at P = 0.
      Rng session_rng(HashCombine(cfg.seed, kSessionFocusSalt, static_cast<uint64_t>(id), static_cast<uint64_t>(k)));
      SessionFocus mood;
      if (cfg.session_focus > 0) {
        mood.cluster = DrawUserCluster(u, session_rng);
        mood.p = cfg.session_focus;
        mood.rng = &session_rng;
      }
      const SessionFocus* focus = cfg.session_focus > 0 ? &mood : nullptr;
      // Artist runs: their own stream, so the user's rng and the mood see no extra draw.
      Rng run_rng(HashCombine(cfg.seed, kArtistRunSalt, static_cast<uint64_t>(id), static_cast<uint64_t>(k)));
      int64_t run_from = -1;  // the session's last positive listen; -1 after a skip
      for (int64_t done = 0; done < quota;) {
        Pick p;
        const char* scene = session_scene;
        if (cfg.session_runs > 0 && run_from >= 0 && run_rng.UniformDouble() < cfg.session_runs)
          p = PickArtistRun(c, run_from, t, run_rng);
        if (p.song >= 0) {
          // stays with the artist, in the session's scene
        } else if (!history.empty() && rng.UniformDouble() < 0.25) {
          p.song = DrawRepeat(c, history, focus, rng);
          p.affinity = 0.85;
          p.channel = Channel::kRepeat;
        } else if (t >= release_start && rng.UniformDouble() < 0.2) {
          p = PickNewRelease(c, u, t, rng, focus);
          scene = "new_release";
        }
        if (p.song < 0) {
          p = PickFromTaste(c, u, t, rng, focus);
          scene = session_scene;
        }
        const double a = std::clamp(p.affinity + 0.2 * (rng.UniformDouble() - 0.5), 0.0, 1.0);
        const int32_t duration_s = c.songs[static_cast<size_t>(p.song)].duration_s;
        int64_t played_s = 0;
        const int listen = DrawListen(a, duration_s, rng, played_s);
        emit(p.song, listen, t, played_s, listen == kSearch ? "search" : scene);
        ++done;
        run_from = listen == kSkip ? -1 : p.song;
        if (listen != kSkip) {
          ++stats.positive_plays;
          if (u.Weight(c.SongCluster(p.song)) > 0) ++stats.positive_in_cluster;
          if (history.size() < kHistoryCap)
            history.push_back(p.song);
          else
            history[rng.Uniform(kHistoryCap)] = p.song;
        }
        const int feedback = DrawFeedback(listen, a, rng);
        if (feedback >= 0) {
          emit(p.song, feedback, t, -1, scene);
          ++done;
        }
        t = std::min(end - 1, t + played_s + 1 + static_cast<int64_t>(rng.Uniform(5)));
      }
    }
  }
  out.Commit();

  if (stats.events == 0) stats.min_ts = 0;
  stats.first_new_release_event = first_new == std::numeric_limits<int64_t>::max() ? 0 : first_new;
  const int64_t rank = (stats.events * 8 + 9) / 10;  // ceil(0.8 n)
  int64_t seen = 0;
  for (size_t m = 0; m < minute_counts.size() && stats.events > 0; ++m) {
    seen += minute_counts[m];
    if (seen >= rank) {
      stats.cutoff_0_8 = start + static_cast<int64_t>(m + 1) * 60;
      break;
    }
  }
  return stats;
}

}  // namespace melograph::synthetic
