// The behaviour events of the synthetic world, streamed user by user to events.tsv[.gz].
//
// Per user (Rng(HashCombine(seed, salt, user))): ceil(n/10) sessions start uniformly in the
// span (sorted), each with a scene (daily_mix, fm, playlist, search, album, artist); inside a
// session events follow each other by the played time plus a few seconds, so one user's events
// are in time order. Each listen picks a song by:
//   repeat (25% once the user has history) -> a song the user played before, affinity 0.85;
//   new release (20% once `now` is in the release window) -> a released new song of one of the
//     user's clusters or works (scene "new_release"), affinity 0.75;
//   otherwise PickFromTaste (cluster / work / exploration channels, synthetic_users.h).
// Session mood (config.session_focus = P > 0): each session draws a focus cluster by weight from
// Rng(HashCombine(seed, 302, user, session)); its by-weight cluster picks (cluster channel,
// unreleased redraws, new releases of a cluster) take the focus with probability P, and so do
// repeats (a played song of the focus cluster, when the history holds one); the work and
// exploration picks ignore it. P = 0 draws nothing from that stream, so the file is
// byte-identical to a world without the option.
// Artist runs (config.session_runs = R > 0): after a positive listen in a session, the next
// listen is, with probability R (a coin from Rng(HashCombine(seed, 303, user, session))),
// PickArtistRun: another song of the same artist, affinity 0.8, same scene; a skip ends the run.
// Otherwise the pick is drawn as above. R = 0 draws nothing from that stream.
// Affinity a (plus uniform noise +-0.1) drives the behaviour: skip with probability
// 0.04 + 0.5 (1 - a) (then dislike 0.08 (1 - a), block 0.01 (1 - a)); otherwise full_play 55%,
// play (30-90% heard) 20%, active_play 10%, loop 8%, search 7%, followed at most once by like
// 0.15 a, collect 0.07 a, download 0.03 a, share 0.015 a or comment 0.01 a.
//
// Contract: output is a pure function of the catalog; memory O(span minutes + one user).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/file_util.h"
#include "kg_builder/synthetic_catalog.h"

namespace melograph::synthetic {

inline constexpr int kEventTypes = 13;
// In the order of docs/FORMATS.md.
const char* EventName(int type);

struct EventStats {
  int64_t events = 0;
  std::array<int64_t, kEventTypes> per_type{};
  int64_t min_ts = 0, max_ts = 0;
  int64_t first_new_release_event = 0;  // 0 if none
  int64_t cutoff_0_8 = 0;               // upper bound, to the minute, of the 0.8 quantile
  int64_t positive_plays = 0;           // non-skip listens
  int64_t positive_in_cluster = 0;      // ... whose song's cluster is one of the user's
};

// Writes the file `name` inside dir (synced by dir.Commit()).
EventStats WriteEvents(const Catalog& catalog, AtomicDirectory& dir, std::string_view name);

}  // namespace melograph::synthetic
