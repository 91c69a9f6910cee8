#include "kg_builder/synthetic_world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"
#include "tests/kg_builder/world_rows.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::ReadRows;
using testing::Rows;

std::map<std::string, std::string> ReadKeyValues(const std::string& path) {
  std::map<std::string, std::string> kv;
  for (const auto& row : ReadRows(path)) {
    const std::string& l = row[0];
    const size_t colon = l.find(": ");
    if (colon != std::string::npos) kv[l.substr(0, colon)] = l.substr(colon + 2);
  }
  return kv;
}

int64_t Int(const std::string& s) {
  const auto v = ParseInt64(s);
  if (!v) throw std::runtime_error("not an integer: '" + s + "'");
  return *v;
}

// Ids look like "u12", "s7", "a3": the number after the prefix.
int64_t IdNumber(const std::string& id, std::string_view prefix) {
  EXPECT_EQ(id.substr(0, prefix.size()), prefix) << id;
  return Int(id.substr(prefix.size()));
}

WorldConfig Tiny(uint64_t seed) {
  WorldConfig c;
  c.preset = "tiny";
  c.seed = seed;
  c.users = 150;
  c.songs = 400;
  c.events = 3000;
  c.genres = 3;
  c.languages = 2;
  return c;
}

std::vector<std::string> WorldFiles() {
  return {"events.tsv",          "world.txt",          "catalog/songs.tsv",
          "catalog/artist_works.tsv", "catalog/users.tsv", "catalog/playlists.tsv",
          "catalog/follows.tsv", "catalog/playlist_follows.tsv", "truth/clusters.tsv", "truth/songs.tsv",
          "truth/users.tsv",     "truth/new_releases.tsv"};
}

TEST(SyntheticWorld, same_seed_gives_byte_identical_files_and_other_seed_differs) {
  testing::TempDir dir;
  GenerateWorld(Tiny(7), dir.File("a"));
  GenerateWorld(Tiny(7), dir.File("b"));
  GenerateWorld(Tiny(8), dir.File("c"));
  for (const std::string& f : WorldFiles()) {
    const std::string a = testing::ReadFile(dir.File("a/" + f));
    ASSERT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, testing::ReadFile(dir.File("b/" + f))) << f;
  }
  for (const std::string f : {"events.tsv", "catalog/songs.tsv", "catalog/follows.tsv", "truth/users.tsv"})
    EXPECT_NE(testing::ReadFile(dir.File("a/" + f)), testing::ReadFile(dir.File("c/" + f))) << f;
  // Nothing else (no temporaries) is left in the output directory.
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.File("a")))
    files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, static_cast<int>(WorldFiles().size()));
}

TEST(SyntheticWorld, gzip_events_hold_the_same_lines) {
  testing::TempDir dir;
  WorldConfig c = Tiny(3);
  GenerateWorld(c, dir.File("plain"));
  c.gzip = true;
  GenerateWorld(c, dir.File("gz"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("gz/events.tsv")));
  EXPECT_EQ(ReadRows(dir.File("plain/events.tsv")), ReadRows(dir.File("gz/events.tsv.gz")));
  EXPECT_EQ(ReadKeyValues(dir.File("gz/world.txt"))["events_file"], "events.tsv.gz");
}

TEST(SyntheticWorld, presets_have_documented_sizes_and_bad_configs_are_usage_errors) {
  EXPECT_EQ(WorldPreset("demo").events, 50000);
  EXPECT_EQ(WorldPreset("small").events, 1000000);
  EXPECT_EQ(WorldPreset("medium").events, 10000000);
  EXPECT_EQ(WorldPreset("large").events, 100000000);
  for (const char* p : {"demo", "small", "medium", "large"}) EXPECT_NO_THROW(ValidateWorldConfig(WorldPreset(p)));
  EXPECT_THROW(WorldPreset("huge"), UsageError);
  WorldConfig c = Tiny(1);
  c.songs = 11;  // fewer than 2 x 3 x 2 clusters
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c = Tiny(1);
  c.genres = 1;
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c = Tiny(1);
  c.languages = kMaxLanguages + 1;
  EXPECT_THROW(ValidateWorldConfig(c), UsageError);
  c = Tiny(1);
  c.users = 0;
  EXPECT_THROW(GenerateWorld(c, "/nonexistent/never"), UsageError);
}

TEST(SyntheticWorld, smallest_valid_world_is_complete) {
  testing::TempDir dir;
  WorldConfig c = Tiny(5);
  c.users = 3;
  c.songs = 12;  // 2 x 3 genres x 2 languages: one song per artist
  c.events = 40;
  const WorldSummary s = GenerateWorld(c, dir.File("w"));
  EXPECT_EQ(s.artists, 12);
  EXPECT_EQ(static_cast<int64_t>(ReadRows(dir.File("w/catalog/songs.tsv")).size()), 12);
  EXPECT_EQ(static_cast<int64_t>(ReadRows(dir.File("w/events.tsv")).size()), s.events);
  EXPECT_GT(s.events, 0);
}

// One demo world shared by the structural tests below.
class SyntheticWorldDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    summary_ = new WorldSummary(GenerateWorld(WorldPreset("demo"), dir_->File("world")));
    events_ = new Rows(ReadRows(dir_->File("world/events.tsv")));
  }
  static void TearDownTestSuite() {
    delete events_;
    delete summary_;
    delete dir_;
  }
  static std::string Path(const std::string& f) { return dir_->File("world/" + f); }
  static testing::TempDir* dir_;
  static WorldSummary* summary_;
  static Rows* events_;
};
testing::TempDir* SyntheticWorldDemo::dir_ = nullptr;
WorldSummary* SyntheticWorldDemo::summary_ = nullptr;
Rows* SyntheticWorldDemo::events_ = nullptr;

TEST_F(SyntheticWorldDemo, counts_match_the_preset_and_world_txt) {
  auto kv = ReadKeyValues(Path("world.txt"));
  const auto n = static_cast<int64_t>(events_->size());
  EXPECT_GT(n, 45000);
  EXPECT_LT(n, 55000);
  EXPECT_EQ(Int(kv["events"]), n);
  EXPECT_EQ(summary_->events, n);
  EXPECT_EQ(Int(kv["users"]), 2000);
  EXPECT_EQ(Int(kv["songs"]), 6000);
  EXPECT_EQ(static_cast<int64_t>(ReadRows(Path("catalog/songs.tsv")).size()), 6000);
  EXPECT_EQ(static_cast<int64_t>(ReadRows(Path("catalog/users.tsv")).size()), 2000);
  EXPECT_EQ(Int(kv["playlists"]), static_cast<int64_t>(ReadRows(Path("catalog/playlists.tsv")).size()));
  EXPECT_EQ(Int(kv["follows"]), static_cast<int64_t>(ReadRows(Path("catalog/follows.tsv")).size()));
  EXPECT_EQ(Int(kv["new_release_songs"]), static_cast<int64_t>(ReadRows(Path("truth/new_releases.tsv")).size()));
  EXPECT_EQ(Int(kv["new_release_songs"]), 300);  // 5% of 6000
  EXPECT_EQ(Int(kv["clusters"]), 18);
  int64_t per_type = 0;
  for (const char* e : {"play", "full_play", "active_play", "loop", "search", "like", "collect", "share", "comment",
                        "download", "skip", "dislike", "block"})
    per_type += Int(kv[std::string("events_") + e]);
  EXPECT_EQ(per_type, n);
  EXPECT_EQ(kv["cutoff_before_new_releases"], "yes");
}

TEST_F(SyntheticWorldDemo, every_file_parses_with_the_right_fields_and_known_ids) {
  const std::set<std::string> names = {"play", "full_play", "active_play", "loop", "search", "like", "collect",
                                       "share", "comment", "download", "skip", "dislike", "block"};
  const WorldConfig cfg = WorldPreset("demo");
  for (const auto& e : *events_) {
    ASSERT_EQ(e.size(), 7u);
    EXPECT_LT(IdNumber(e[0], "u"), cfg.users);
    EXPECT_LT(IdNumber(e[1], "s"), cfg.songs);
    EXPECT_TRUE(names.count(e[2])) << e[2];
    const int64_t ts = Int(e[3]);
    EXPECT_GE(ts, cfg.time_start);
    EXPECT_LT(ts, cfg.time_end());
    if (!e[4].empty()) {
      EXPECT_LE(Int(e[4]), Int(e[5]));
    }
    EXPECT_GE(Int(e[5]), 150000);
    EXPECT_FALSE(e[6].empty());
  }
  std::set<std::string> work_keys;
  for (const auto& s : ReadRows(Path("catalog/songs.tsv"))) {
    ASSERT_EQ(s.size(), 8u);
    for (const std::string& a : SplitList(s[2], ';')) EXPECT_GE(IdNumber(a, "a"), 0);
    EXPECT_GE(IdNumber(s[3], "al"), 0);
    EXPECT_GE(Int(s[6]), 1990);
    if (!s[7].empty()) work_keys.insert(s[7]);
  }
  for (const std::string& w : work_keys) {
    const std::string type = w.substr(0, w.find(':'));
    EXPECT_TRUE(type == "anime" || type == "game" || type == "film" || type == "tv") << w;
  }
  for (const auto& a : ReadRows(Path("catalog/artist_works.tsv"))) {
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[1].substr(0, 5), "show:");
  }
  for (const auto& u : ReadRows(Path("catalog/users.tsv"))) {
    ASSERT_EQ(u.size(), 5u);
    EXPECT_TRUE(u[1] == "f" || u[1] == "m" || u[1].empty());
    EXPECT_GE(Int(u[2]), 16);
  }
  for (const auto& p : ReadRows(Path("catalog/playlists.tsv"))) {
    ASSERT_EQ(p.size(), 3u);
    EXPECT_LT(IdNumber(p[1], "u"), cfg.users);
    EXPECT_GE(SplitList(p[2], ';').size(), 1u);
  }
  for (const auto& f : ReadRows(Path("catalog/follows.tsv"))) {
    ASSERT_EQ(f.size(), 2u);
    EXPECT_NE(f[0], f[1]);
  }
}

TEST_F(SyntheticWorldDemo, new_releases_are_played_only_after_the_0_8_quantile) {
  std::map<std::string, int64_t> release;  // song -> release ts
  for (const auto& r : ReadRows(Path("truth/new_releases.tsv"))) release[r[0]] = Int(r[1]);
  std::vector<int64_t> ts;
  int64_t first_new = std::numeric_limits<int64_t>::max(), new_events = 0;
  std::set<std::string> played_new;
  for (const auto& e : *events_) {
    ts.push_back(Int(e[3]));
    auto it = release.find(e[1]);
    if (it == release.end()) continue;
    EXPECT_GE(ts.back(), it->second) << e[1] << " played before its release";
    first_new = std::min(first_new, ts.back());
    ++new_events;
    played_new.insert(e[1]);
  }
  std::sort(ts.begin(), ts.end());
  const int64_t quantile = ts[static_cast<size_t>(0.8 * static_cast<double>(ts.size()))];  // build-kg: t[floor(q n)]
  EXPECT_LT(quantile, first_new);
  EXPECT_LE(quantile, summary_->cutoff_0_8);
  EXPECT_EQ(first_new, summary_->first_new_release_event);
  EXPECT_GE(first_new, WorldPreset("demo").new_release_start());
  // New releases are cold in training but well represented in the test period.
  EXPECT_GT(new_events, 500);
  EXPECT_GT(played_new.size(), release.size() / 2);
  // Every new release sits in an album with an older song, and no playlist contains one.
  std::map<std::string, int> album_old;
  for (const auto& s : ReadRows(Path("catalog/songs.tsv")))
    if (!release.count(s[0])) ++album_old[s[3]];
  for (const auto& s : ReadRows(Path("catalog/songs.tsv")))
    if (release.count(s[0])) {
      EXPECT_GT(album_old[s[3]], 0) << s[0];
    }
  for (const auto& p : ReadRows(Path("catalog/playlists.tsv")))
    for (const std::string& s : SplitList(p[2], ';')) EXPECT_FALSE(release.count(s)) << s;
}

struct Truth {
  std::vector<int> song_cluster;
  std::vector<std::map<int, double>> user_clusters;
  std::vector<std::vector<std::string>> user_works;
};

Truth ReadTruth(const std::string& world) {
  Truth t;
  for (const auto& r : ReadRows(world + "/truth/songs.tsv")) t.song_cluster.push_back(static_cast<int>(Int(r[1])));
  for (const auto& r : ReadRows(world + "/truth/users.tsv")) {
    std::map<int, double> m;
    for (const std::string& cw : SplitList(r[1], ';'))
      m[static_cast<int>(Int(cw.substr(0, cw.find(':'))))] = *ParseDouble(cw.substr(cw.find(':') + 1));
    t.user_clusters.push_back(m);
    t.user_works.push_back(SplitList(r[2], ';'));
  }
  return t;
}

TEST_F(SyntheticWorldDemo, plays_concentrate_in_each_users_clusters_and_skips_outside) {
  const Truth t = ReadTruth(dir_->File("world"));
  ASSERT_EQ(t.song_cluster.size(), 6000u);
  ASSERT_EQ(t.user_clusters.size(), 2000u);
  std::vector<double> cluster_share(18, 0);  // share of plays per cluster, the chance baseline
  int64_t plays = 0, in_cluster = 0, skips_in = 0, listens_in = 0, skips_out = 0, listens_out = 0;
  for (const auto& e : *events_) {
    const int k = t.song_cluster[static_cast<size_t>(IdNumber(e[1], "s"))];
    const bool in = t.user_clusters[static_cast<size_t>(IdNumber(e[0], "u"))].count(k) > 0;
    const bool skip = e[2] == "skip";
    (in ? listens_in : listens_out) += 1;
    (in ? skips_in : skips_out) += skip ? 1 : 0;
    if (skip || e[2] == "dislike" || e[2] == "block") continue;
    ++plays;
    in_cluster += in ? 1 : 0;
    cluster_share[static_cast<size_t>(k)] += 1;
  }
  double chance = 0;  // expected in-cluster share if users played the global popularity mix
  for (const auto& m : t.user_clusters)
    for (const auto& [k, w] : m) chance += cluster_share[static_cast<size_t>(k)] / static_cast<double>(plays) / 2000.0;
  const double share = static_cast<double>(in_cluster) / static_cast<double>(plays);
  EXPECT_GT(share, 0.75);
  EXPECT_LT(chance, 0.4);
  EXPECT_LT(static_cast<double>(skips_in) / listens_in, 0.5 * static_cast<double>(skips_out) / listens_out);
}

TEST_F(SyntheticWorldDemo, ost_works_span_genres_and_their_fans_play_them) {
  const Truth t = ReadTruth(dir_->File("world"));
  std::map<std::string, std::set<std::string>> work_genres, work_artists;
  std::map<std::string, std::string> artist_of_song;  // primary artist
  for (const auto& s : ReadRows(Path("catalog/songs.tsv"))) {
    const std::string artist = SplitList(s[2], ';')[0];
    artist_of_song[s[0]] = artist;
    if (s[7].empty()) continue;
    work_genres[s[7]].insert(s[5]);
    work_artists[s[7]].insert(artist);
  }
  ASSERT_GE(work_genres.size(), 5u);
  for (const auto& [work, genres] : work_genres) EXPECT_GE(genres.size(), 2u) << work;
  // Fans of an OST work play its artists far more often than other users do.
  int64_t fan_users = 0, fan_hits = 0, other_users = 0, other_hits = 0;
  std::vector<std::set<std::string>> artists_played(t.user_clusters.size());
  for (const auto& e : *events_) artists_played[static_cast<size_t>(IdNumber(e[0], "u"))].insert(artist_of_song[e[1]]);
  for (const auto& [work, artists] : work_artists) {
    for (size_t u = 0; u < artists_played.size(); ++u) {
      bool hit = false;
      for (const std::string& a : artists) hit = hit || artists_played[u].count(a) > 0;
      const auto& works = t.user_works[u];
      const bool fan = std::find(works.begin(), works.end(), work) != works.end();
      (fan ? fan_users : other_users) += 1;
      (fan ? fan_hits : other_hits) += hit ? 1 : 0;
    }
  }
  ASSERT_GT(fan_users, 50);
  EXPECT_GT(static_cast<double>(fan_hits) / fan_users, 1.5 * static_cast<double>(other_hits) / other_users);
}

TEST_F(SyntheticWorldDemo, follows_link_users_with_overlapping_tastes) {
  const Truth t = ReadTruth(dir_->File("world"));
  int64_t follows = 0, overlapping = 0;
  for (const auto& f : ReadRows(Path("catalog/follows.tsv"))) {
    const auto& a = t.user_clusters[static_cast<size_t>(IdNumber(f[0], "u"))];
    const auto& b = t.user_clusters[static_cast<size_t>(IdNumber(f[1], "u"))];
    bool shared = false;
    for (const auto& [k, w] : a) shared = shared || b.count(k) > 0;
    ++follows;
    overlapping += shared ? 1 : 0;
  }
  ASSERT_GT(follows, 1000);
  EXPECT_GT(static_cast<double>(overlapping) / static_cast<double>(follows), 0.75);
}

}  // namespace
}  // namespace melograph
