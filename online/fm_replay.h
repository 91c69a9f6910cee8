// Batch mode of `melograph fm --replay FILE` (docs/FM.md, "Replay"): held-out sessions
// (build-kg's test_sessions.tsv: session_id, user_id, scene, song_id, feedback, timestamp) are
// replayed event by event through an FmSession, and the next-song HitRate@k of the FM query is
// compared with the static user vector's under the same searcher and the same exclusions.
//
// Protocol: consecutive events of a session on the same song form one step (a listen and its
// feedback). Before every step after the first whose song is new to the session and whose
// feedback is all positive (no skip / dislike), both rankings are scored: a hit when the step's
// song is in the top k. FM's ranking is the one served after the previous event (as interactive
// mode would have answered); the static one searches with the user's trained vector (for a cold
// user: the popularity order), excluding the same songs. Steps on a song already played in the
// session are counted (repeat_steps) but never scored: FM never repeats a song. Every event is
// one Observe + query + search, timed for the latency figures.
//
// Contract: lines are validated at the boundary: 6 tab-separated fields, non-empty session id,
// a user and a song of the graph, a known feedback, an integer timestamp, one user per session,
// sessions contiguous; otherwise InputError(file, line, column, reason), or a counted skip of
// the line within --max-bad-lines. Hit counts are deterministic; latencies are wall-clock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "online/fm_catalog.h"
#include "online/fm_search.h"
#include "online/fm_session.h"

namespace melograph {

struct FmReplayOptions {
  int k = 10;
  int64_t max_bad_lines = 0;
};

struct FmReplayResult {
  int k = 10;
  int64_t sessions = 0;
  int64_t events = 0;
  int64_t steps = 0;
  int64_t repeat_steps = 0;
  int64_t targets = 0;  // scored steps
  int64_t fm_hits = 0;
  int64_t static_hits = 0;
  int64_t fm_only_hits = 0;      // targets FM hits and the static vector misses
  int64_t static_only_hits = 0;  // and the other way round
  int64_t familiar_targets = 0;  // targets the user played before (graph `listened` edges)
  int64_t familiar_fm_hits = 0;  // of which FM / the static vector hit
  int64_t familiar_static_hits = 0;
  int64_t cold_targets = 0;  // of which the user is cold
  int64_t cold_fm_hits = 0;
  int64_t cold_static_hits = 0;
  double latency_mean_us = 0;
  double latency_p50_us = 0;
  double latency_p99_us = 0;
  int64_t exact_fallbacks = 0;  // HNSW searches answered by the exact scan
  int64_t bad_lines_skipped = 0;
  std::string bad_lines_summary;
};

FmReplayResult ReplayFmSessions(const std::string& path, const FmModel& model, const FmSearcher& searcher,
                                const FmParams& params, const FmReplayOptions& options);

// key: value lines (hit_rate_fm, hit_rate_static, lift, events, latency_mean_us, ...).
std::string FormatFmReplay(const FmReplayResult& result);

}  // namespace melograph
