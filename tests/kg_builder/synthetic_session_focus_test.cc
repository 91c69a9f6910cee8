// Session moods of the synthetic world (WorldConfig::session_focus, docs/GENERATOR.md
// "Listening"): P = 0 changes nothing, P > 0 concentrates each session on one of the user's
// clusters while the world's global properties still hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"
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
WorldConfig Small(uint64_t seed, double focus) {
  WorldConfig c;
  c.preset = "mood-test";
  c.seed = seed;
  c.users = 400;
  c.songs = 1600;
  c.events = 20000;
  c.genres = 4;
  c.languages = 2;
  c.session_focus = focus;
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

}  // namespace
}  // namespace melograph
