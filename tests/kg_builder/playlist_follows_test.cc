#include "kg_builder/playlist_follows.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "kg_builder/kg_builder.h"
#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::kKgWorld;

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> SplitTabs(const std::string& s) {
  std::vector<std::string> fields(1);
  for (char c : s) {
    if (c == '\t')
      fields.emplace_back();
    else
      fields.back() += c;
  }
  return fields;
}

StringInterner Playlists(std::initializer_list<const char*> ids) {
  StringInterner s;
  for (const char* id : ids) s.Intern(id);
  return s;
}

struct Result {
  PlaylistFollowStats stats;
  std::vector<StoredTriple> triples;
  std::string test;
};

Result SplitFollows(const std::string& contents, bool has_cutoff, int64_t cutoff, int64_t max_bad_lines = 0) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("playlist_follows.tsv"), contents);
  const StringInterner playlists = Playlists({"p1", "p2", "p3"});
  BadLineBudget budget(max_bad_lines);
  MemoryTripleSink sink;
  Result r;
  {
    AtomicFile test(dir.File("test_playlists.tsv"));
    r.stats = SplitPlaylistFollows(dir.File("playlist_follows.tsv"), playlists, has_cutoff, cutoff, &budget, sink,
                                   test);
    test.Commit();
  }
  r.triples = sink.triples;
  r.test = testing::ReadFile(dir.File("test_playlists.tsv"));
  return r;
}

//   u1 follows p1 at 300 (and again at 100: the pair's follow time is 100), p2 at 700
//   u2 follows p2 at 500 (= cutoff: held out), p3 at 200, and px (not in playlists.tsv)
TEST(PlaylistFollows, time_split_keeps_earlier_follows_and_holds_out_the_rest) {
  const Result r = SplitFollows(
      "# user_id\tplaylist_id\ttimestamp\n"
      "u1\tp1\t300\n"
      "u2\tp2\t500\n"
      "u1\tp2\t700\r\n"
      "\n"
      "u1\tp1\t100\n"
      "u2\tpx\t10\n"
      "u2\tp3\t200\n",
      true, 500);
  const std::vector<StoredTriple> want = {{"user:u1", "follows_playlist", "playlist:p1", 1.0, 100},
                                          {"user:u2", "follows_playlist", "playlist:p3", 1.0, 200}};
  EXPECT_EQ(r.triples, want);
  EXPECT_EQ(r.test, "user:u2\tplaylist:p2\nuser:u1\tplaylist:p2\n");
  EXPECT_EQ(r.stats.lines, 6);
  EXPECT_EQ(r.stats.pairs, 4);
  EXPECT_EQ(r.stats.training_pairs, 2);
  EXPECT_EQ(r.stats.test_pairs, 2);
  EXPECT_EQ(r.stats.test_users, 2);
  EXPECT_EQ(r.stats.unknown_playlist, 1);
  ASSERT_EQ(r.stats.first_unknown_playlist.size(), 1u);
  EXPECT_NE(r.stats.first_unknown_playlist[0].find("playlist_follows.tsv:7:4: playlist 'px' is not in playlists.tsv"),
            std::string::npos)
      << r.stats.first_unknown_playlist[0];
}

TEST(PlaylistFollows, without_a_cutoff_every_follow_is_training) {
  const Result r = SplitFollows("u1\tp1\t300\nu2\tp2\t900\n", false, 0);
  ASSERT_EQ(r.triples.size(), 2u);
  EXPECT_EQ(r.triples[1], (StoredTriple{"user:u2", "follows_playlist", "playlist:p2", 1.0, 900}));
  EXPECT_EQ(r.test, "");
  EXPECT_EQ(r.stats.test_pairs, 0);
}

TEST(PlaylistFollows, long_files_equal_a_line_by_line_reference) {
  // 3,000 lines (lines are resolved in batches of 64): users in runs that come back, playlists
  // p0-p39 of which p1-p3 exist, repeated pairs with earlier and later times, unknown playlists
  // and malformed lines (skipped by the budget) spread over the batches. The reference
  // resolves one line at a time with std::map.
  std::string contents;
  Rng rng(20261130);
  int64_t malformed = 0;
  int user = 0;
  for (int line = 0; line < 3000; ++line) {
    if (rng.Uniform(6) == 0) user = static_cast<int>(rng.Uniform(50));
    if (rng.Uniform(97) == 0) {
      contents += "u" + std::to_string(user) + "\tp1\tnot-a-time\n";
      ++malformed;
      continue;
    }
    contents += "u" + std::to_string(user) + "\tp" + std::to_string(rng.Uniform(4) == 0 ? rng.Uniform(40) : 1 + rng.Uniform(3)) +
                "\t" + std::to_string(rng.Uniform(1000)) + "\n";
  }
  const Result r = SplitFollows(contents, true, 500, malformed);

  struct Want {
    std::string user, playlist;
    int64_t first;
  };
  std::vector<Want> order;
  std::map<std::pair<std::string, std::string>, size_t> index;
  int64_t lines = 0, unknown = 0;
  std::vector<std::string> first_unknown;
  int64_t line_number = 0;
  for (const std::string& text : SplitLines(contents)) {
    ++line_number;
    const std::vector<std::string> f = SplitTabs(text);
    if (f[2] == "not-a-time") continue;
    ++lines;
    if (f[1] != "p1" && f[1] != "p2" && f[1] != "p3") {
      ++unknown;
      if (first_unknown.size() < 5)
        first_unknown.push_back(":" + std::to_string(line_number) + ":" + std::to_string(f[0].size() + 2) +
                                ": playlist '" + f[1] + "'");
      continue;
    }
    const int64_t t = std::stoll(f[2]);
    const auto [it, inserted] = index.emplace(std::make_pair(f[0], f[1]), order.size());
    if (inserted)
      order.push_back({f[0], f[1], t});
    else
      order[it->second].first = std::min(order[it->second].first, t);
  }
  std::vector<StoredTriple> want_triples;
  std::string want_test;
  for (const Want& w : order) {
    if (w.first >= 500)
      want_test += "user:" + w.user + "\tplaylist:" + w.playlist + "\n";
    else
      want_triples.push_back({"user:" + w.user, "follows_playlist", "playlist:" + w.playlist, 1.0, w.first});
  }
  EXPECT_EQ(r.stats.lines, lines);
  EXPECT_EQ(r.stats.pairs, static_cast<int64_t>(order.size()));
  EXPECT_EQ(r.stats.unknown_playlist, unknown);
  ASSERT_GT(unknown, 100);
  ASSERT_GT(malformed, 10);
  EXPECT_EQ(r.triples, want_triples);
  EXPECT_EQ(r.test, want_test);
  ASSERT_EQ(r.stats.first_unknown_playlist.size(), first_unknown.size());
  for (size_t i = 0; i < first_unknown.size(); ++i)
    EXPECT_NE(r.stats.first_unknown_playlist[i].find(first_unknown[i]), std::string::npos)
        << r.stats.first_unknown_playlist[i] << " vs " << first_unknown[i];
}

TEST(PlaylistFollows, malformed_lines_name_file_line_column_and_reason) {
  const struct {
    const char* line;
    int64_t column;
    const char* reason;
  } cases[] = {
      {"u1\tp1", 1, "expected 3 tab-separated fields (user_id, playlist_id, timestamp), found 2"},
      {"u1\tp1\t5\tx", 1, "found 4"},
      {"\tp1\t5", 1, "user_id is empty"},
      {"u1\t\t5", 4, "playlist_id is empty"},
      {"u1\tp1\t5s", 7, "timestamp '5s' is not an integer"},
      {"u1\tp1\t\xff", 7, "UTF-8"},
  };
  for (const auto& c : cases) {
    try {
      SplitFollows(std::string("u9\tp3\t1\n") + c.line + "\n", true, 500);
      ADD_FAILURE() << "accepted: " << c.line;
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("playlist_follows.tsv:2:" + std::to_string(c.column) + ": "), std::string::npos) << what;
      EXPECT_NE(what.find(c.reason), std::string::npos) << what;
    }
  }
  // Within the bad-line budget the line is skipped and the rest is kept.
  const Result r = SplitFollows("u1\tp1\nu2\tp2\t1\n", true, 500, 1);
  EXPECT_EQ(r.triples.size(), 1u);
}

// build-kg end to end: the tests/data/kg/world catalog plus a playlist_follows.tsv.
TEST(PlaylistFollows, build_kg_writes_follows_playlist_triples_and_test_playlists) {
  testing::TempDir dir;
  std::filesystem::copy(kKgWorld + "/catalog", dir.File("catalog"));
  KgBuildOptions o;
  o.events_path = kKgWorld + "/events.tsv";
  o.catalog_dir = dir.File("catalog");
  o.out_dir = dir.File("plain");
  o.split.has_cutoff = true;
  o.split.cutoff = 500;
  const KgBuildStats plain = BuildKg(o);
  EXPECT_FALSE(plain.has_playlist_follows);
  EXPECT_FALSE(std::filesystem::exists(dir.File("plain/test_playlists.tsv")));
  EXPECT_EQ(FormatKgBuildStats(plain).find("playlist_follow"), std::string::npos);

  testing::WriteFile(dir.File("catalog/playlist_follows.tsv"), "u2\tp1\t400\nu3\tp1\t500\nu3\tnope\t1\n");
  o.out_dir = dir.File("kg");
  const KgBuildStats s = BuildKg(o);
  EXPECT_TRUE(s.has_playlist_follows);
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test_playlists.tsv")), "user:u3\tplaylist:p1\n");
  const std::string train = testing::ReadFile(dir.File("kg/train.tsv"));
  const std::string plain_train = testing::ReadFile(dir.File("plain/train.tsv"));
  // Everything else is as without the file; the follow is appended after the other relations.
  ASSERT_EQ(train.substr(0, plain_train.size()), plain_train);
  EXPECT_NE(train.substr(plain_train.size()).find("user:u2\tfollows_playlist\tplaylist:p1\t1"), std::string::npos)
      << train.substr(plain_train.size());
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), testing::ReadFile(dir.File("plain/test.tsv")));
  const std::string text = FormatKgBuildStats(s);
  EXPECT_NE(text.find("triples.follows_playlist: 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_playlist_pairs: 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("playlist_follows_unknown_playlist: 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace melograph
