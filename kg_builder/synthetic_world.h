// The synthetic music world: `melograph generate` (see docs/GENERATOR.md).
//
// Writes, into one output directory (built under a temporary name, renamed when complete):
//   events.tsv[.gz]                 behaviour events (docs/FORMATS.md "Behaviour events")
//   catalog/{songs,artist_works,users,playlists,follows}.tsv   (FORMATS.md "Catalog directory")
//   catalog/playlist_follows.tsv    user, playlist, timestamp (docs/PLAYLISTS.md)
//   truth/{clusters,songs,users,new_releases}.tsv              planted ground truth
//   world.txt                       `key: value` summary (counts, time span, intended cutoff)
//
// Contract:
//  * Deterministic: every byte is a pure function of the config (seed included). Each user's
//    profile, playlists, follows and events come from `Rng(HashCombine(seed, salt, user))`, so
//    nothing depends on threads or on generation order.
//  * Streamed: events are written user by user as they are drawn; memory is proportional to
//    the catalog (songs, artists, works, one int per user), never to the number of events.
//  * Timing: events span [time_start, time_start + span_days). New releases (about
//    new_release_fraction of the songs) are released in the last new_release_window of the
//    span and every event on them falls after release, so the 0.8 quantile of event timestamps
//    (build-kg's default split) lies before the first new-release event.
//  * Cost: O(songs log songs + users + events) time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace melograph {

struct WorldConfig {
  std::string preset = "demo";
  uint64_t seed = 1;
  int64_t users = 2000;
  int64_t songs = 6000;
  int64_t events = 50000;  // target number of event lines (the total lands within a few %)
  int genres = 6;          // at most kMaxGenres
  int languages = 3;       // at most kMaxLanguages
  int64_t time_start = 1704067200;  // 2024-01-01T00:00:00Z
  int span_days = 100;
  double new_release_fraction = 0.05;
  double new_release_window = 0.12;  // fraction of the span at its end
  bool gzip = false;                 // events.tsv.gz instead of events.tsv
  // catalog/playlist_follows.tsv (kg_builder/synthetic_playlist_follows.h); its own salts, so
  // turning it off leaves every other file byte-identical.
  bool playlist_follows = true;
  // Session mood (docs/GENERATOR.md "Listening"): in [0, 1]. When > 0 every listening session
  // draws one of the user's clusters by weight as its focus, and each by-weight cluster pick (and
  // each repeat) of the session takes the focus with this probability. 0 leaves every output
  // byte-identical; only events.tsv and world.txt depend on it.
  double session_focus = 0;
  // Artist runs (docs/GENERATOR.md "Artist runs"): in [0, 1]. After a positive listen in a
  // session, the next pick stays with that song's artist (another of its songs, early tracks
  // favoured) with this probability; a skip ends the run. 0 leaves every output byte-identical;
  // only events.tsv and world.txt depend on it.
  double session_runs = 0;

  int64_t time_end() const { return time_start + int64_t{span_days} * 86400; }
  // First second at which a new release may come out.
  int64_t new_release_start() const {
    return time_end() - static_cast<int64_t>(new_release_window * span_days * 86400.0);
  }
};

inline constexpr int kMaxGenres = 16;
inline constexpr int kMaxLanguages = 6;

// "demo" (~5e4 events), "small" (~1e6), "medium" (~1e7), "large" (~1e8). Throws UsageError
// for any other name.
WorldConfig WorldPreset(std::string_view name);

// Throws UsageError naming the first bad field (non-positive counts, too many genres...).
void ValidateWorldConfig(const WorldConfig& config);

struct WorldSummary {
  int64_t users = 0, songs = 0, new_release_songs = 0, artists = 0, albums = 0, works = 0;
  int64_t playlists = 0, follows = 0, events = 0;
  int64_t playlist_follows = 0, playlist_follows_in_user_clusters = 0;
  int64_t first_new_release_event = 0;  // 0 if no event hit a new release
  int64_t cutoff_0_8 = 0;  // upper bound (to the minute) of the 0.8 quantile of timestamps
  std::string text;        // the contents of world.txt
};

// Generates the whole world into `out_dir` (replacing it atomically). Throws UsageError for a
// bad config, IoError when the disk refuses.
WorldSummary GenerateWorld(const WorldConfig& config, const std::string& out_dir);

}  // namespace melograph
