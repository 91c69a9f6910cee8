#include "kg_builder/catalog_reader.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::kKgWorld;
const std::string kBadCatalog = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/bad_catalog";

bool IsCatalogRelation(std::string_view r) {
  return r != "listened" && r != "rejected" && r != "co_ost" && r != "co_show";
}

// World sketch: tests/data/kg/world/README.md.
TEST(CatalogReader, world_catalog_gives_expected_triples_in_file_order) {
  MemoryTripleSink sink;
  const Catalog c = ReadCatalog(kKgWorld + "/catalog", nullptr, sink);
  std::vector<StoredTriple> expected;
  TripleReader reader(kKgWorld + "/expected_train_cutoff500.tsv", nullptr);
  TripleRecord t;
  while (reader.Next(t))
    if (IsCatalogRelation(t.relation))
      expected.push_back({std::string(t.head), std::string(t.relation), std::string(t.tail), 1.0, kNoTimestamp});
  ASSERT_EQ(sink.triples.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(sink.triples[i], expected[i]) << "triple " << i;
  EXPECT_EQ(sink.count("by_artist"), 6);
  EXPECT_EQ(sink.count("appears_in"), 4);  // duplicate a2 line written once
  EXPECT_EQ(sink.count("follows"), 2);     // duplicate u1->u2 written once
  EXPECT_EQ(c.songs.size(), 4u);
  EXPECT_EQ(c.artists.size(), 3u);
  EXPECT_EQ(c.works.size(), 5u);
  EXPECT_EQ(c.ost_credits.size(), 7u);  // s1: 1, s2: 2, s3: 2x2
  EXPECT_EQ(c.appearances.size(), 4u);
  EXPECT_EQ(c.unknown_song_refs, 1);
  ASSERT_EQ(c.first_unknown_song_refs.size(), 1u);
  EXPECT_EQ(c.first_unknown_song_refs[0],
            kKgWorld + "/catalog/playlists.tsv:2:13: song 's9' is not in songs.tsv");
  EXPECT_EQ(c.files_read.size(), 5u);
}

TEST(CatalogReader, age_buckets) {
  EXPECT_EQ(AgeBucket("0"), "0-17");
  EXPECT_EQ(AgeBucket("17"), "0-17");
  EXPECT_EQ(AgeBucket("18"), "18-24");
  EXPECT_EQ(AgeBucket("24"), "18-24");
  EXPECT_EQ(AgeBucket("25"), "25-34");
  EXPECT_EQ(AgeBucket("54"), "45-54");
  EXPECT_EQ(AgeBucket("64"), "55-64");
  EXPECT_EQ(AgeBucket("65"), "65+");
  EXPECT_EQ(AgeBucket("18-24"), "18-24");  // already a bucket
}

TEST(CatalogReader, work_types) {
  for (const char* t : {"anime", "game", "film", "tv", "show"}) EXPECT_TRUE(IsWorkType(t));
  EXPECT_FALSE(IsWorkType("song"));
  EXPECT_FALSE(IsWorkType("Anime"));
}

struct CatalogBadCase {
  const char* dir;
  const char* file;
  int64_t line;
  int64_t column;
  const char* reason;
};

TEST(CatalogReader, every_malformed_file_names_file_line_column_and_reason) {
  const CatalogBadCase cases[] = {
      {"songs_field_count", "songs.tsv", 1, 1, "expected 7 or 8 tab-separated fields"},
      {"songs_duplicate", "songs.tsv", 2, 1, "duplicate song_id 's1'"},
      {"songs_bad_year", "songs.tsv", 1, 12, "year 'MMXVIII' is not an integer"},
      {"songs_bad_work_type", "songs.tsv", 1, 25, "bad work key 'song:Y': type must be anime"},
      {"songs_work_no_colon", "songs.tsv", 1, 17, "bad work key 'Unnatural': key has no ':'"},
      {"songs_bad_utf8", "songs.tsv", 1, 5, "invalid UTF-8"},
      {"artist_works_bad_key", "artist_works.tsv", 1, 4, "bad work key 'show:': key id is empty"},
      {"users_field_count", "users.tsv", 1, 1, "expected 5 tab-separated fields"},
      {"users_duplicate", "users.tsv", 2, 1, "duplicate user_id 'u1'"},
      {"playlists_duplicate", "playlists.tsv", 2, 1, "duplicate playlist_id 'p1'"},
      {"follows_empty", "follows.tsv", 1, 4, "followed_user_id is empty"},
  };
  for (const CatalogBadCase& c : cases) {
    const std::string dir = kBadCatalog + "/" + c.dir;
    MemoryTripleSink sink;
    try {
      ReadCatalog(dir, nullptr, sink);
      ADD_FAILURE() << "expected an InputError for " << c.dir;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), dir + "/" + c.file);
      EXPECT_EQ(e.line(), c.line) << e.what();
      EXPECT_EQ(e.column(), c.column) << e.what();
      EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.what();
    }
  }
}

TEST(CatalogReader, bad_line_writes_nothing_when_skipped) {
  BadLineBudget budget(1);
  MemoryTripleSink sink;
  const Catalog c = ReadCatalog(kBadCatalog + "/songs_bad_work_type", &budget, sink);
  EXPECT_EQ(budget.count(), 1);
  EXPECT_TRUE(sink.triples.empty());  // the line was rejected before any by_artist was written
  EXPECT_EQ(c.songs.size(), 0u);
}

TEST(CatalogReader, missing_directory_or_songs_file_is_io_error) {
  MemoryTripleSink sink;
  EXPECT_THROW(ReadCatalog(kBadCatalog + "/no_such_dir", nullptr, sink), IoError);
  EXPECT_THROW(ReadCatalog(kBadCatalog, nullptr, sink), IoError);  // a directory without songs.tsv
}

TEST(CatalogReader, follows_over_many_batches_keep_order_duplicates_and_bad_lines) {
  // 500 lines (follows are resolved 64 at a time): runs of one follower, followers that come
  // back, pairs repeated across batches, and skipped bad lines among them. The triples must be
  // each distinct pair once, in the order of its first line, as a line-by-line reading gives.
  testing::TempDir dir;
  testing::WriteFile(dir.File("songs.tsv"), "s1\tt\ta1\tal1\ten\tpop\t2020\n");
  std::string follows;
  std::vector<std::string> want;
  std::set<std::pair<int, int>> pairs;
  std::vector<int64_t> bad_lines;
  for (int line = 1; line <= 500; ++line) {
    const int follower = (line / 7) % 23;  // runs of 7, each follower again every 23 runs
    const int followed = (line * 37) % 41;
    if (line % 97 == 0) {
      follows += "u" + std::to_string(follower) + "\t\n";  // followed_user_id empty
      bad_lines.push_back(line);
      continue;
    }
    follows += "u" + std::to_string(follower) + "\tu" + std::to_string(followed) + "\n";
    if (pairs.insert({follower, followed}).second)
      want.push_back("user:u" + std::to_string(follower) + " follows user:u" +
                     std::to_string(followed));
  }
  testing::WriteFile(dir.File("follows.tsv"), follows);
  BadLineBudget budget(100);
  MemoryTripleSink sink;
  const Catalog c = ReadCatalog(dir.path(), &budget, sink);
  std::vector<std::string> got;
  for (const StoredTriple& t : sink.triples)
    if (t.relation == "follows") got.push_back(t.head + " follows " + t.tail);
  EXPECT_EQ(got, want);
  EXPECT_LT(want.size(), 500u - bad_lines.size());  // duplicates were dropped
  EXPECT_EQ(budget.count(), static_cast<int64_t>(bad_lines.size()));
  EXPECT_EQ(c.user_ids, 41);  // u0..u40: every follower (u0..u22) is also followed
}

}  // namespace
}  // namespace melograph
