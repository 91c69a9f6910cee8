// Session structure of the synthetic world (docs/GENERATOR.md): moods
// (WorldConfig::session_focus: P = 0 changes nothing, P > 0 concentrates each session on one of
// the user's clusters while the world's global properties still hold) and artist runs
// (WorldConfig::session_runs: after a positive listen the next one stays with its artist).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"
#include "kg_builder/synthetic_users.h"
#include "kg_builder/synthetic_world.h"
#include "tests/kg_builder/world_rows.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::ReadRows;
using testing::Rows;

int64_t Number(const std::string& id) {  // "u12" -> 12, "s7" -> 7
  const auto v = ParseInt64(std::string_view(id).substr(1));
  if (!v) throw std::runtime_error("bad id '" + id + "'");
  return *v;
}

std::string KeyValue(const std::string& world_txt, const std::string& key) {
  for (const auto& row : ReadRows(world_txt)) {
    const std::string& l = row[0];
    if (l.rfind(key + ": ", 0) == 0) return l.substr(key.size() + 2);
  }
  return "";
}

// Small enough for the dev build, with enough sessions per user (about 5) to measure moods.
WorldConfig Small(uint64_t seed, double focus, double runs = 0) {
  WorldConfig c;
  c.preset = "mood-test";
  c.seed = seed;
  c.users = 400;
  c.songs = 1600;
  c.events = 20000;
  c.genres = 4;
  c.languages = 2;
  c.session_focus = focus;
  c.session_runs = runs;
  return c;
}

bool IsListen(const std::string& event) {  // primary listening events (docs/FORMATS.md)
  return event == "play" || event == "full_play" || event == "active_play" || event == "loop" ||
         event == "search" || event == "skip";
}

struct MoodStats {
  double top_cluster_share = 0;  // sum over sessions of the top cluster's listens / all listens
  int64_t sessions = 0;
  double positive_in_user_clusters = 0;
  double skip_rate_in = 0, skip_rate_out = 0;
};

// Sessions = one user's listens with gaps <= 1800 s (generator sessions start uniformly over
// 100 days, so a larger gap almost always separates two of them). Counts sessions of users with
// >= 2 clusters and >= 5 listens.
MoodStats Measure(const std::string& world) {
  std::vector<int> song_cluster;
  for (const auto& r : ReadRows(world + "/truth/songs.tsv")) {
    const auto s = static_cast<size_t>(Number(r[0]));
    if (song_cluster.size() <= s) song_cluster.resize(s + 1, -1);
    song_cluster[s] = static_cast<int>(*ParseInt64(r[1]));
  }
  std::vector<std::vector<int>> user_clusters;
  for (const auto& r : ReadRows(world + "/truth/users.tsv")) {
    const auto u = static_cast<size_t>(Number(r[0]));
    if (user_clusters.size() <= u) user_clusters.resize(u + 1);
    for (const std::string& kw : SplitList(r[1], ';'))
      user_clusters[u].push_back(static_cast<int>(*ParseInt64(kw.substr(0, kw.find(':')))));
  }
  MoodStats m;
  int64_t top = 0, listens = 0, positive = 0, positive_in = 0, in = 0, out = 0, skips_in = 0, skips_out = 0;
  std::map<int, int64_t> per_cluster;
  int64_t session_listens = 0;
  auto close_session = [&] {
    if (session_listens >= 5) {
      int64_t best = 0;
      for (const auto& [k, n] : per_cluster) best = std::max(best, n);
      top += best;
      listens += session_listens;
      ++m.sessions;
    }
    per_cluster.clear();
    session_listens = 0;
  };
  int64_t last_user = -1, last_ts = 0;
  for (const auto& e : ReadRows(world + "/events.tsv")) {
    if (!IsListen(e[2])) continue;
    const int64_t user = Number(e[0]), ts = *ParseInt64(e[3]);
    if (user != last_user || ts - last_ts > 1800) close_session();
    last_user = user;
    last_ts = ts;
    const std::vector<int>& mine = user_clusters[static_cast<size_t>(user)];
    const int k = song_cluster[static_cast<size_t>(Number(e[1]))];
    const bool is_in = std::find(mine.begin(), mine.end(), k) != mine.end();
    const bool skip = e[2] == "skip";
    (is_in ? in : out) += 1;
    (is_in ? skips_in : skips_out) += skip ? 1 : 0;
    if (!skip) {
      ++positive;
      positive_in += is_in ? 1 : 0;
    }
    if (mine.size() >= 2) {
      ++per_cluster[k];
      ++session_listens;
    }
  }
  close_session();
  m.top_cluster_share = static_cast<double>(top) / static_cast<double>(listens);
  m.positive_in_user_clusters = static_cast<double>(positive_in) / static_cast<double>(positive);
  m.skip_rate_in = static_cast<double>(skips_in) / static_cast<double>(in);
  m.skip_rate_out = static_cast<double>(skips_out) / static_cast<double>(out);
  return m;
}

const char* const kFiles[] = {"catalog/songs.tsv", "catalog/users.tsv", "catalog/playlists.tsv",
                              "catalog/follows.tsv", "catalog/playlist_follows.tsv", "truth/users.tsv",
                              "truth/songs.tsv"};

TEST(SyntheticSessionFocus, zero_focus_draws_nothing_and_leaves_world_txt_unchanged) {
  testing::TempDir dir;
  GenerateWorld(Small(4, 0.0), dir.File("zero"));
  // A focus so small that its coin never lands: only the mood stream is drawn from, so if that
  // stream were shared with the user's events this file would differ.
  GenerateWorld(Small(4, 1e-300), dir.File("tiny"));
  GenerateWorld(Small(4, 0.8), dir.File("mood"));
  EXPECT_EQ(testing::ReadFile(dir.File("zero/events.tsv")), testing::ReadFile(dir.File("tiny/events.tsv")));
  EXPECT_NE(testing::ReadFile(dir.File("zero/events.tsv")), testing::ReadFile(dir.File("mood/events.tsv")));
  // The mood touches events only: catalog, users, playlists and follows are the same bytes.
  for (const char* f : kFiles) {
    EXPECT_EQ(testing::ReadFile(dir.File(std::string("zero/") + f)), testing::ReadFile(dir.File(std::string("mood/") + f)))
        << f;
  }
  const std::string zero_txt = testing::ReadFile(dir.File("zero/world.txt"));
  EXPECT_EQ(zero_txt.find("session_focus"), std::string::npos);
  EXPECT_EQ(KeyValue(dir.File("mood/world.txt"), "session_focus"), "0.8");
  // world.txt of the tiny-focus world = the zero world's plus the one session_focus line.
  std::string tiny_txt = testing::ReadFile(dir.File("tiny/world.txt"));
  const size_t at = tiny_txt.find("session_focus: ");
  ASSERT_NE(at, std::string::npos);
  tiny_txt.erase(at, tiny_txt.find('\n', at) + 1 - at);
  EXPECT_EQ(tiny_txt, zero_txt);
}

TEST(SyntheticSessionFocus, same_seed_and_focus_give_identical_bytes) {
  testing::TempDir dir;
  GenerateWorld(Small(9, 0.6), dir.File("a"));
  GenerateWorld(Small(9, 0.6), dir.File("b"));
  GenerateWorld(Small(9, 0.9), dir.File("c"));
  for (const char* f : {"events.tsv", "world.txt"})
    EXPECT_EQ(testing::ReadFile(dir.File(std::string("a/") + f)), testing::ReadFile(dir.File(std::string("b/") + f)))
        << f;
  EXPECT_NE(testing::ReadFile(dir.File("a/events.tsv")), testing::ReadFile(dir.File("c/events.tsv")));
}

TEST(SyntheticSessionFocus, moods_concentrate_sessions_and_keep_the_worlds_properties) {
  testing::TempDir dir;
  GenerateWorld(Small(2, 0.0), dir.File("zero"));
  GenerateWorld(Small(2, 0.8), dir.File("mood"));
  const MoodStats zero = Measure(dir.File("zero")), mood = Measure(dir.File("mood"));
  ASSERT_GT(zero.sessions, 200);
  ASSERT_GT(mood.sessions, 200);
  // Users with 2-3 clusters: a session's most common cluster holds clearly more of its listens.
  EXPECT_GT(mood.top_cluster_share, zero.top_cluster_share + 0.1)
      << "zero " << zero.top_cluster_share << " mood " << mood.top_cluster_share;
  // The focus is drawn by weight, so the long-run taste (and what follows from it) still holds.
  for (const MoodStats* m : {&zero, &mood}) {
    EXPECT_GT(m->positive_in_user_clusters, 0.75);
    EXPECT_LT(m->skip_rate_in, 0.5 * m->skip_rate_out);
  }
  // Mood repeats prefer played songs of the focus cluster (fewer repeats of fan and exploration
  // songs), so the in-cluster share may rise a little, never fall.
  EXPECT_GT(mood.positive_in_user_clusters, zero.positive_in_user_clusters - 0.01);
  EXPECT_LT(mood.positive_in_user_clusters, zero.positive_in_user_clusters + 0.06);
}

TEST(SyntheticSessionFocus, focus_outside_zero_one_is_a_usage_error) {
  WorldConfig c = Small(1, -0.1);
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c.session_focus = 1.5;
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c.session_focus = 1.0;
  EXPECT_NO_THROW(ValidateWorldConfig(c));
}

// Consecutive listens of one user 1800 s apart at most (same session): how often the second is a
// song of the first one's artist, split by the first listen's outcome.
struct RunStats {
  int64_t after_positive = 0, same_after_positive = 0;
  int64_t after_skip = 0, same_after_skip = 0;
  double SameAfterPositive() const { return static_cast<double>(same_after_positive) / static_cast<double>(after_positive); }
  double SameAfterSkip() const { return static_cast<double>(same_after_skip) / static_cast<double>(after_skip); }
};

RunStats MeasureRuns(const std::string& world) {
  std::vector<int64_t> song_artist;
  for (const auto& r : ReadRows(world + "/truth/songs.tsv")) {
    const auto s = static_cast<size_t>(Number(r[0]));
    if (song_artist.size() <= s) song_artist.resize(s + 1, -1);
    song_artist[s] = Number(r[2]);
  }
  RunStats m;
  int64_t last_user = -1, last_ts = 0, last_song = -1;
  bool last_skip = false;
  for (const auto& e : ReadRows(world + "/events.tsv")) {
    if (!IsListen(e[2])) continue;
    const int64_t user = Number(e[0]), ts = *ParseInt64(e[3]), song = Number(e[1]);
    if (user == last_user && ts - last_ts <= 1800) {
      const bool same = song_artist[static_cast<size_t>(song)] == song_artist[static_cast<size_t>(last_song)];
      if (last_skip) {
        ++m.after_skip;
        m.same_after_skip += same ? 1 : 0;
      } else {
        ++m.after_positive;
        m.same_after_positive += same ? 1 : 0;
      }
    }
    last_user = user;
    last_ts = ts;
    last_song = song;
    last_skip = e[2] == "skip";
  }
  return m;
}

TEST(SyntheticArtistRuns, zero_runs_draw_nothing_and_runs_never_touch_the_mood_stream) {
  testing::TempDir dir;
  GenerateWorld(Small(5, 0.0), dir.File("zero"));
  GenerateWorld(Small(5, 0.0, 1e-300), dir.File("tiny"));  // only the run stream is drawn from
  GenerateWorld(Small(5, 0.7), dir.File("mood"));
  GenerateWorld(Small(5, 0.7, 1e-300), dir.File("mood_tiny"));
  GenerateWorld(Small(5, 0.0, 0.5), dir.File("runs"));
  EXPECT_EQ(testing::ReadFile(dir.File("zero/events.tsv")), testing::ReadFile(dir.File("tiny/events.tsv")));
  EXPECT_EQ(testing::ReadFile(dir.File("mood/events.tsv")), testing::ReadFile(dir.File("mood_tiny/events.tsv")));
  EXPECT_NE(testing::ReadFile(dir.File("zero/events.tsv")), testing::ReadFile(dir.File("runs/events.tsv")));
  for (const char* f : kFiles) {
    EXPECT_EQ(testing::ReadFile(dir.File(std::string("zero/") + f)), testing::ReadFile(dir.File(std::string("runs/") + f)))
        << f;
  }
  EXPECT_EQ(testing::ReadFile(dir.File("zero/world.txt")).find("session_runs"), std::string::npos);
  EXPECT_EQ(KeyValue(dir.File("runs/world.txt"), "session_runs"), "0.5");
  // Same seed and options: the same bytes.
  GenerateWorld(Small(5, 0.0, 0.5), dir.File("runs_again"));
  EXPECT_EQ(testing::ReadFile(dir.File("runs/events.tsv")), testing::ReadFile(dir.File("runs_again/events.tsv")));
}

TEST(SyntheticArtistRuns, a_positive_listen_is_followed_by_its_artist_and_a_skip_ends_the_run) {
  testing::TempDir dir;
  GenerateWorld(Small(3, 0.0), dir.File("zero"));
  GenerateWorld(Small(3, 0.0, 0.5), dir.File("runs"));
  const RunStats zero = MeasureRuns(dir.File("zero")), runs = MeasureRuns(dir.File("runs"));
  ASSERT_GT(zero.after_positive, 5000);
  ASSERT_GT(runs.after_skip, 500);
  // Without runs the next listen shares the artist only by chance (popular artists of the
  // user's clusters, repeats); this small world has 8 clusters of ~12 artists.
  EXPECT_LT(zero.SameAfterPositive(), 0.25) << zero.SameAfterPositive();
  // With R = 0.5 half the listens after a positive one stay with the artist (a run pick fails
  // only for a one-song artist), plus the chance share of the other half.
  const double expected = 0.5 + 0.5 * zero.SameAfterPositive();
  EXPECT_NEAR(runs.SameAfterPositive(), expected, 0.04)
      << "zero " << zero.SameAfterPositive() << " runs " << runs.SameAfterPositive();
  // After a skip there is no run: about the chance share of the world without runs (a little
  // more, because the repeats come from a history that the runs filled with fewer artists),
  // far below the share after a positive listen.
  EXPECT_LT(runs.SameAfterSkip(), zero.SameAfterSkip() + 0.08)
      << "zero " << zero.SameAfterSkip() << " runs " << runs.SameAfterSkip();
  EXPECT_LT(runs.SameAfterSkip(), 0.5 * runs.SameAfterPositive());
  // The taste still holds: runs stay with artists the user chose.
  const MoodStats m = Measure(dir.File("runs"));
  EXPECT_GT(m.positive_in_user_clusters, 0.75);
  EXPECT_LT(m.skip_rate_in, 0.5 * m.skip_rate_out);
}

TEST(SyntheticArtistRuns, pick_artist_run_stays_with_the_artist_and_never_returns_the_same_song) {
  WorldConfig config = Small(6, 0.0);
  const synthetic::Catalog c = synthetic::BuildCatalog(config);
  Rng rng(17);
  int checked = 0;
  for (size_t a = 0; a < c.artists.size() && checked < 200; ++a) {
    const synthetic::Artist& artist = c.artists[a];
    const int64_t previous = artist.first_song;
    const int64_t now = config.time_end();  // everything released
    const synthetic::Pick p = synthetic::PickArtistRun(c, previous, now, rng);
    if (artist.end_song - artist.first_song == 1) {
      EXPECT_EQ(p.song, -1) << "one-song artist " << a;  // nothing else to stay with
      continue;
    }
    ASSERT_GE(p.song, 0) << "artist " << a;
    EXPECT_NE(p.song, previous);
    EXPECT_EQ(c.songs[static_cast<size_t>(p.song)].artist, static_cast<int32_t>(a));
    EXPECT_EQ(p.channel, synthetic::Channel::kArtistRun);
    ++checked;
  }
  EXPECT_GT(checked, 50);
  // Before any new release: never an unreleased song.
  for (size_t s = 0; s < c.songs.size(); ++s) {
    if (!c.songs[s].is_new) continue;
    const synthetic::Pick p = synthetic::PickArtistRun(c, static_cast<int64_t>(s), config.time_start, rng);
    if (p.song >= 0) {
      const synthetic::Song& got = c.songs[static_cast<size_t>(p.song)];
      EXPECT_TRUE(!got.is_new || got.release_ts <= config.time_start);
    }
  }
}

TEST(SyntheticArtistRuns, runs_outside_zero_one_are_a_usage_error) {
  WorldConfig c = Small(1, 0.0, -0.1);
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c.session_runs = 1.5;
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c.session_runs = 1.0;
  EXPECT_NO_THROW(ValidateWorldConfig(c));
}

}  // namespace
}  // namespace melograph
