#include "kg_builder/synthetic_world.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/text.h"
#include "kg_builder/synthetic_catalog.h"
#include "kg_builder/synthetic_events.h"
#include "kg_builder/synthetic_playlist_follows.h"
#include "kg_builder/synthetic_users.h"

namespace melograph {

WorldConfig WorldPreset(std::string_view name) {
  WorldConfig c;
  c.preset = std::string(name);
  if (name == "demo") {
    c.users = 2000, c.songs = 6000, c.events = 50000, c.genres = 6, c.languages = 3;
  } else if (name == "small") {
    c.users = 30000, c.songs = 60000, c.events = 1000000, c.genres = 10, c.languages = 4;
  } else if (name == "medium") {
    c.users = 300000, c.songs = 400000, c.events = 10000000, c.genres = 12, c.languages = 5;
  } else if (name == "large") {
    c.users = 3000000, c.songs = 3000000, c.events = 100000000, c.genres = 16, c.languages = 6;
  } else {
    throw UsageError("unknown preset '" + std::string(name) + "' (expected demo, small, medium or large)");
  }
  return c;
}

void ValidateWorldConfig(const WorldConfig& c) {
  const int clusters = c.genres * c.languages;
  if (c.genres < 2 || c.genres > kMaxGenres)
    throw UsageError("--genres must be in [2, " + std::to_string(kMaxGenres) + "], got " + std::to_string(c.genres));
  if (c.languages < 1 || c.languages > kMaxLanguages)
    throw UsageError("--languages must be in [1, " + std::to_string(kMaxLanguages) + "], got " +
                     std::to_string(c.languages));
  if (c.users < 1 || c.users > std::numeric_limits<int32_t>::max())
    throw UsageError("--users must be in [1, 2^31), got " + std::to_string(c.users));
  if (c.songs < 2 * clusters || c.songs > std::numeric_limits<int32_t>::max())
    throw UsageError("--songs must be at least 2 x genres x languages = " + std::to_string(2 * clusters) +
                     " and below 2^31, got " + std::to_string(c.songs));
  if (c.events < 1) throw UsageError("--events must be positive, got " + std::to_string(c.events));
  if (c.span_days < 1 || c.span_days > 3650) throw UsageError("span_days must be in [1, 3650]");
  if (c.time_start < 0) throw UsageError("time_start must be non-negative");
  if (!(c.new_release_fraction >= 0 && c.new_release_fraction <= 0.5))
    throw UsageError("new_release_fraction must be in [0, 0.5]");
  if (!(c.new_release_window >= 0.05 && c.new_release_window <= 0.5))
    throw UsageError("new_release_window must be in [0.05, 0.5]");
  if (!(c.session_focus >= 0 && c.session_focus <= 1))
    throw UsageError("--session-focus must be in [0, 1], got " + std::to_string(c.session_focus));
  if (!(c.session_runs >= 0 && c.session_runs <= 1))
    throw UsageError("--session-runs must be in [0, 1], got " + std::to_string(c.session_runs));
}

namespace {

void Key(std::string& out, std::string_view key, int64_t value) {
  out.append(key).append(": ");
  AppendInt(out, value);
  out.append("\n");
}

}  // namespace

WorldSummary GenerateWorld(const WorldConfig& config, const std::string& out_dir) {
  using namespace synthetic;
  ValidateWorldConfig(config);
  AtomicDirectory dir(out_dir);
  const std::string catalog_dir = dir.File("catalog"), truth_dir = dir.File("truth");
  MakeDirectories(catalog_dir);
  MakeDirectories(truth_dir);

  const Catalog catalog = BuildCatalog(config);
  WriteCatalogFiles(catalog, catalog_dir);
  WriteCatalogTruth(catalog, truth_dir);
  std::vector<SyntheticPlaylist> playlists;
  const UserFileCounts user_counts = WriteUserFiles(catalog, catalog_dir, truth_dir, &playlists);
  PlaylistFollowCounts playlist_follows;
  if (config.playlist_follows)
    playlist_follows = WritePlaylistFollows(catalog, playlists, JoinPath(catalog_dir, "playlist_follows.tsv"));
  const std::string events_name = config.gzip ? "events.tsv.gz" : "events.tsv";
  const EventStats ev = WriteEvents(catalog, dir, events_name);

  WorldSummary s;
  s.users = config.users;
  s.songs = config.songs;
  s.new_release_songs = catalog.new_release_count;
  s.artists = static_cast<int64_t>(catalog.artists.size());
  s.albums = static_cast<int64_t>(catalog.album_first_song.size()) - 1;
  s.works = static_cast<int64_t>(catalog.works.size());
  s.playlists = user_counts.playlists;
  s.follows = user_counts.follows;
  s.playlist_follows = playlist_follows.follows;
  s.playlist_follows_in_user_clusters = playlist_follows.in_user_clusters;
  s.events = ev.events;
  s.first_new_release_event = ev.first_new_release_event;
  s.cutoff_0_8 = ev.cutoff_0_8;

  int64_t per_kind[kWorkKinds] = {}, appearances = 0, ost_songs = 0;
  for (const Work& w : catalog.works) {
    ++per_kind[static_cast<int>(w.kind)];
    if (w.kind == WorkKind::kShow) appearances += static_cast<int64_t>(w.artists.size());
    ost_songs += static_cast<int64_t>(w.songs.size());
  }
  std::string& t = s.text;
  t = "# melograph generate: synthetic music world (see docs/GENERATOR.md)\n";
  t += "preset: " + config.preset + "\n";
  t += "seed: " + std::to_string(config.seed) + "\n";
  if (config.session_focus > 0) {  // absent at 0, so worlds without moods keep their world.txt
    t += "session_focus: ";
    AppendFloat(t, config.session_focus);
    t += "\n";
  }
  if (config.session_runs > 0) {  // likewise
    t += "session_runs: ";
    AppendFloat(t, config.session_runs);
    t += "\n";
  }
  Key(t, "users", s.users);
  Key(t, "songs", s.songs);
  Key(t, "new_release_songs", s.new_release_songs);
  Key(t, "artists", s.artists);
  Key(t, "albums", s.albums);
  Key(t, "genres", config.genres);
  Key(t, "languages", config.languages);
  Key(t, "clusters", catalog.clusters);
  Key(t, "works", s.works);
  for (int k = 0; k < kWorkKinds; ++k) Key(t, std::string("works_") + WorkKindName(static_cast<WorkKind>(k)), per_kind[k]);
  Key(t, "ost_songs", ost_songs);
  Key(t, "show_appearances", appearances);
  Key(t, "playlists", s.playlists);
  Key(t, "follows", s.follows);
  if (config.playlist_follows) {
    Key(t, "playlist_follows", s.playlist_follows);
    Key(t, "playlist_follow_users", playlist_follows.users);
    t += "playlist_follows_in_user_clusters: ";
    AppendFloat(t, s.playlist_follows > 0
                       ? std::round(1e4 * static_cast<double>(s.playlist_follows_in_user_clusters) /
                                    static_cast<double>(s.playlist_follows)) / 1e4
                       : 0.0);
    t += "\n";
  }
  Key(t, "events", s.events);
  for (int e = 0; e < kEventTypes; ++e) Key(t, std::string("events_") + EventName(e), ev.per_type[static_cast<size_t>(e)]);
  t += "events_file: " + events_name + "\n";
  Key(t, "time_start", config.time_start);
  Key(t, "time_end", config.time_end());
  Key(t, "span_days", config.span_days);
  Key(t, "first_event", ev.min_ts);
  Key(t, "last_event", ev.max_ts);
  Key(t, "new_release_window_start", config.new_release_start());
  Key(t, "first_new_release_event", s.first_new_release_event);
  Key(t, "cutoff_0_8_quantile_upper_bound", s.cutoff_0_8);
  t += std::string("cutoff_before_new_releases: ") +
       (s.first_new_release_event == 0 || s.cutoff_0_8 <= s.first_new_release_event ? "yes" : "no") + "\n";
  t += "positive_plays_in_user_clusters: ";
  AppendFloat(t, ev.positive_plays > 0 ? std::round(1e4 * static_cast<double>(ev.positive_in_cluster) /
                                                     static_cast<double>(ev.positive_plays)) / 1e4
                                       : 0.0);
  t += "\n";
  if (s.first_new_release_event != 0 && s.cutoff_0_8 > s.first_new_release_event)
    LogWarning("generate: the 0.8 quantile of event timestamps falls after the first new-release event; "
               "new releases may appear in training (too few events?)");
  WriteWholeFile(dir, "world.txt", t);
  dir.Commit();
  return s;
}

}  // namespace melograph
