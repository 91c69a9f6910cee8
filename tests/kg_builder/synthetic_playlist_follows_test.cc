#include "kg_builder/synthetic_playlist_follows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/line_reader.h"
#include "common/text.h"
#include "kg_builder/synthetic_world.h"
#include "tests/kg_builder/world_rows.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::ReadRows;
using testing::Rows;

int64_t IntOf(const std::string& s) { return ParseInt64(s).value(); }

WorldConfig Small(uint64_t seed) {
  WorldConfig c;
  c.preset = "test";
  c.seed = seed;
  c.users = 1500;
  c.songs = 1200;
  c.events = 6000;
  c.genres = 4;
  c.languages = 2;
  return c;
}

// The other files of a world do not change when playlist follows are drawn.
TEST(SyntheticPlaylistFollows, other_files_are_byte_identical_with_and_without_follows) {
  testing::TempDir dir;
  WorldConfig c = Small(3);
  c.users = 300;
  c.events = 2000;
  GenerateWorld(c, dir.File("with"));
  c.playlist_follows = false;
  GenerateWorld(c, dir.File("without"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("without/catalog/playlist_follows.tsv")));
  int compared = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.File("without"))) {
    if (!e.is_regular_file() || e.path().filename() == "world.txt") continue;
    const std::string rel = std::filesystem::relative(e.path(), dir.File("without")).string();
    EXPECT_EQ(testing::ReadFile(e.path().string()), testing::ReadFile(dir.File("with/" + rel))) << rel;
    ++compared;
  }
  EXPECT_EQ(compared, 10);
  // world.txt only gains the playlist_follows lines.
  std::string with = testing::ReadFile(dir.File("with/world.txt"));
  const size_t begin = with.find("playlist_follows: ");
  const size_t end = with.find("events: ");
  ASSERT_NE(begin, std::string::npos);
  with.erase(begin, end - begin);
  EXPECT_EQ(with, testing::ReadFile(dir.File("without/world.txt")));
}

TEST(SyntheticPlaylistFollows, same_seed_same_bytes_other_seed_differs) {
  testing::TempDir dir;
  WorldConfig c = Small(5);
  c.users = 300;
  c.events = 1500;
  GenerateWorld(c, dir.File("a"));
  GenerateWorld(c, dir.File("b"));
  c.seed = 6;
  GenerateWorld(c, dir.File("c"));
  const std::string a = testing::ReadFile(dir.File("a/catalog/playlist_follows.tsv"));
  EXPECT_GT(ReadRows(dir.File("a/catalog/playlist_follows.tsv")).size(), 50u);
  EXPECT_EQ(a, testing::ReadFile(dir.File("b/catalog/playlist_follows.tsv")));
  EXPECT_NE(a, testing::ReadFile(dir.File("c/catalog/playlist_follows.tsv")));
}

// Planted structure: follows favour playlists of the user's clusters, popular playlists, and
// fall over the whole span (about a fifth after the events' 0.8 quantile).
TEST(SyntheticPlaylistFollows, follows_favour_the_users_clusters_and_popular_playlists) {
  testing::TempDir dir;
  const WorldConfig c = Small(1);
  const WorldSummary summary = GenerateWorld(c, dir.File("w"));
  const std::string w = dir.File("w");
  std::vector<int> song_cluster;
  for (const auto& r : ReadRows(w + "/truth/songs.tsv")) song_cluster.push_back(static_cast<int>(IntOf(r[1])));
  std::vector<std::set<int>> user_clusters;
  for (const auto& r : ReadRows(w + "/truth/users.tsv")) {
    std::set<int> ks;
    for (const std::string& cw : SplitList(r[1], ';')) ks.insert(static_cast<int>(IntOf(cw.substr(0, cw.find(':')))));
    user_clusters.push_back(ks);
  }
  std::map<std::string, int> playlist_cluster;  // majority cluster, lowest id on ties
  std::map<std::string, std::string> creator;
  for (const auto& r : ReadRows(w + "/catalog/playlists.tsv")) {
    std::map<int, int> count;
    for (const std::string& s : SplitList(r[2], ';')) ++count[song_cluster[static_cast<size_t>(IntOf(s.substr(1)))]];
    int best = -1, best_n = 0;
    for (const auto& [k, n] : count)
      if (n > best_n) best = k, best_n = n;
    playlist_cluster[r[0]] = best;
    creator[r[0]] = r[1];
  }
  ASSERT_GT(playlist_cluster.size(), 100u);
  std::vector<int64_t> events;
  for (const auto& r : ReadRows(w + "/events.tsv")) events.push_back(IntOf(r[3]));
  std::sort(events.begin(), events.end());
  const int64_t cutoff = events[static_cast<size_t>(0.8 * static_cast<double>(events.size()))];

  const Rows follows = ReadRows(w + "/catalog/playlist_follows.tsv");
  ASSERT_GT(follows.size(), 1500u);
  EXPECT_EQ(static_cast<int64_t>(follows.size()), summary.playlist_follows);
  int64_t in_cluster = 0, after_cutoff = 0;
  double chance = 0;  // in-cluster share if users followed uniformly random playlists
  std::map<std::string, int64_t> followers;
  std::set<std::pair<std::string, std::string>> pairs;
  std::string last_user;
  int64_t last_ts = 0;
  for (const auto& f : follows) {
    ASSERT_EQ(f.size(), 3u);
    ASSERT_TRUE(playlist_cluster.count(f[1])) << f[1];
    EXPECT_NE(creator[f[1]], f[0]) << "own playlist followed";
    EXPECT_TRUE(pairs.insert({f[0], f[1]}).second) << "followed twice: " << f[0] << " " << f[1];
    const int64_t ts = IntOf(f[2]);
    EXPECT_GE(ts, c.time_start);
    EXPECT_LT(ts, c.time_end());
    if (f[0] == last_user) {
      EXPECT_GE(ts, last_ts) << "a user's follows are in time order";
    }
    last_user = f[0], last_ts = ts;
    const auto& mine = user_clusters[static_cast<size_t>(IntOf(f[0].substr(1)))];
    in_cluster += mine.count(playlist_cluster[f[1]]);
    int64_t matching = 0;
    for (const auto& [p, k] : playlist_cluster) matching += mine.count(k);
    chance += static_cast<double>(matching) / static_cast<double>(playlist_cluster.size());
    after_cutoff += ts >= cutoff ? 1 : 0;
    ++followers[f[1]];
  }
  const auto n = static_cast<double>(follows.size());
  EXPECT_GT(static_cast<double>(in_cluster) / n, 0.75);
  EXPECT_LT(chance / n, 0.5);
  EXPECT_EQ(in_cluster, summary.playlist_follows_in_user_clusters);
  EXPECT_GT(after_cutoff / n, 0.1);
  EXPECT_LT(after_cutoff / n, 0.35);
  // Popularity skew: the most followed tenth of the playlists holds over a quarter of the
  // follows (about 0.1 with equal popularity; 0.38 on the demo world).
  std::vector<int64_t> counts;
  for (const auto& [p, k] : playlist_cluster) counts.push_back(followers[p]);
  std::sort(counts.rbegin(), counts.rend());
  int64_t top = 0;
  for (size_t i = 0; i < counts.size() / 10; ++i) top += counts[i];
  EXPECT_GT(static_cast<double>(top) / n, 0.25);
}

}  // namespace
}  // namespace melograph
