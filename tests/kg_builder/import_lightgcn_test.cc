#include "kg_builder/import_lightgcn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/text.h"
#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// A tiny split (CRLF, 1-based ids, one weight in scientific notation, a trust file mixing
// space and tab):
//
//   train: user:1 ──> artist:1 (3.2466e+05), artist:2 (10);  user:2 ──> artist:1 (5)
//   test:  user:2 ──> artist:3 (7);  user:3 ──> artist:2 (1)   (artist:3 and user:3 are cold)
//   friends: user:1 ── user:2,  user:1 ── user:3
void WriteSplit(const testing::TempDir& dir) {
  testing::WriteFile(dir.File("data1.txt"), "1\t2\t10\r\n1\t1\t3.2466e+05\r\n2\t1\t5\r\n");
  testing::WriteFile(dir.File("test1.txt"), "2\t3\t7\r\n3\t2\t1\r\n");
  testing::WriteFile(dir.File("trustnetwork.txt"), "1 2\r\n2\t1\r\n1 3\r\n3 1\r\n");
}

// HetRec ids behind the tiny split. Split user u = u-th smallest HetRec user (10, 20, 30).
// Votes: item 1 <- (1,1,~324660): artist 100 and (2,1,5): artist 100   => 100
//        item 2 <- (1,2,10): artists 200 and 300 (both 10), (3,2,1): 200 => 200
//        item 3 <- (2,3,7): artist 400                                  => 400
void WriteHetrec(const testing::TempDir& dir) {
  testing::WriteFile(
      dir.File("h/artists.dat"),
      "id\tname\turl\tpictureURL\n100\tA\tu\t\n200\tB\tu\t\n300\tC\tu\t\n400\tD\tu\t\n");
  testing::WriteFile(dir.File("h/tags.dat"), "tagID\ttagValue\r\n1\trock\r\n2\tcaf\xE9\r\n");
  testing::WriteFile(dir.File("h/user_artists.dat"),
                     "userID\tartistID\tweight\r\n10\t100\t324663\r\n10\t200\t10\r\n10\t300\t10\r\n"
                     "20\t100\t5\r\n20\t400\t7\r\n30\t200\t1\r\n");
  testing::WriteFile(
      dir.File("h/user_taggedartists.dat"),
      "userID\tartistID\ttagID\tday\tmonth\tyear\r\n10\t100\t1\t1\t1\t2010\r\n"
      "20\t100\t1\t1\t1\t2010\r\n10\t400\t2\t1\t1\t2010\r\n10\t300\t1\t1\t1\t2010\r\n");
}

using testing::LogCountWeight;
using testing::WeightedLines;

TEST(ImportLightgcn, tiny_split_is_kept_exactly) {
  testing::TempDir dir;
  WriteSplit(dir);
  const ImportResult r = ImportLightgcn({dir.path(), true, "", false});
  EXPECT_EQ(WeightedLines(r), "user:1\tlistened\tartist:1\t" + LogCountWeight(324660) + "\n" +
                          "user:1\tlistened\tartist:2\t" + LogCountWeight(10) + "\n" +
                          "user:2\tlistened\tartist:1\t" + LogCountWeight(5) + "\n" +
                          "user:1\tfriend\tuser:2\t1\n"
                          "user:1\tfriend\tuser:3\t1\n");
  const std::vector<std::pair<std::string, std::string>> test = {{"user:2", "artist:3"},
                                                                 {"user:3", "artist:2"}};
  EXPECT_EQ(r.test, test);
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("train_pairs"), 3);
  EXPECT_EQ(s.Count("train_users"), 2);
  EXPECT_EQ(s.Count("test_pairs"), 2);
  EXPECT_EQ(s.Count("test_items_not_in_train"), 1);
  EXPECT_EQ(s.Count("test_users_without_train"), 1);
  EXPECT_EQ(s.Count("listen_counts_not_integer_text"), 1);
  EXPECT_EQ(s.Count("friend_pairs"), 2);
  EXPECT_EQ(s.Count("users"), 3);
  EXPECT_EQ(s.Count("items"), 3);
  EXPECT_EQ(r.listen_counts[0].count, 324660);

  const ImportResult binary = ImportLightgcn({dir.path(), false, "", true});
  for (const auto& t : binary.train) EXPECT_EQ(t.weight, 1.0);
  EXPECT_EQ(binary.train.size(), 3u);  // --no-friends
}

TEST(ImportLightgcn, hetrec_mapping_attaches_tags_by_vote) {
  testing::TempDir dir;
  WriteSplit(dir);
  WriteHetrec(dir);
  const ImportResult r = ImportLightgcn({dir.path(), true, dir.File("h"), false});
  std::string tagged;
  for (const auto& t : r.train)
    if (t.relation == "tagged")
      tagged += t.head + " " + t.tail + " " + std::to_string(t.weight) + "\n";
  EXPECT_EQ(tagged, "artist:1 tag:rock 2.000000\nartist:3 tag:caf\xC3\xA9 1.000000\n");
  const std::vector<std::pair<std::string, std::string>> names = {
      {"artist:1", "A"}, {"artist:2", "B"}, {"artist:3", "D"}};
  EXPECT_EQ(r.names, names);
  ASSERT_EQ(r.side_files.size(), 1u);
  EXPECT_EQ(r.side_files[0].first, "hetrec_map.tsv");
  EXPECT_EQ(r.side_files[0].second,
            "# split key\tHetRec 2011 id\nuser:1\t10\nuser:2\t20\nuser:3\t30\n"
            "artist:1\t100\nartist:2\t200\nartist:3\t400\n");
  EXPECT_EQ(r.summary.Count("mapped_items"), 3);
  EXPECT_EQ(r.summary.Count("mapping_unresolved_items"), 0);
  EXPECT_EQ(r.summary.Count("mapping_artist_collisions"), 0);
  EXPECT_EQ(r.summary.Count("train_tagged"), 2);
}

void ExpectBadLightgcn(const std::string& file, const std::string& contents, int line, int column,
               const std::string& reason) {
  testing::TempDir dir;
  WriteSplit(dir);
  testing::WriteFile(dir.File(file), contents);
  try {
    ImportLightgcn({dir.path(), true, "", false});
    FAIL() << "expected an InputError in " << file << " for " << contents;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.File(file));
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.reason().find(reason), std::string::npos) << e.what();
  }
}

TEST(ImportLightgcn, malformed_lines_name_file_line_column_and_reason) {
  ExpectBadLightgcn("data1.txt", "1\t2\t10\r\n1\t2\r\n", 2, 4, "expected 3 fields");
  ExpectBadLightgcn("data1.txt", "1 2 10\r\n", 1, 7, "expected 3 fields");
  ExpectBadLightgcn("data1.txt", "1\t2\t1e+x\r\n", 1, 5, "listen count '1e+x' is not a finite number");
  ExpectBadLightgcn("data1.txt", "1\t2\tnan\r\n", 1, 5, "is not a finite number");
  ExpectBadLightgcn("data1.txt", "1\t2\t0.5\r\n", 1, 5, "listen count 0.5 is below 1");
  ExpectBadLightgcn("data1.txt", "0\t2\t3\r\n", 1, 1, "user id 0 is out of range");
  ExpectBadLightgcn("data1.txt", "1\t2\t3\r\n4\t4\t4\r\n1\t2\t5\r\n", 3, 1,
            "user-item pair repeats line 1");
  ExpectBadLightgcn("test1.txt", "9\t9\t1\r\n1\t2\t4\r\n", 2, 1, "pair also in data1.txt line 1");
  ExpectBadLightgcn("trustnetwork.txt", "1 2\r\n1 2 3\r\n", 2, 5, "expected 2 fields");
  ExpectBadLightgcn("trustnetwork.txt", "1 two\r\n", 1, 3, "user id 'two' is not an integer");
}

TEST(ImportLightgcn, missing_input_file_is_named) {
  testing::TempDir dir;
  WriteSplit(dir);
  std::filesystem::remove(dir.File("test1.txt"));
  try {
    ImportLightgcn({dir.path(), true, "", false});
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.File("test1.txt")), std::string::npos) << e.what();
  }
}

std::string SharedDir(const std::string& name) {
  const std::string dir = testing::SharedData(name);
  EXPECT_TRUE(std::filesystem::is_directory(dir))
      << "shared dataset missing: " << dir << " (see /work/shared/data)";
  return dir;
}

// The (user, item) pairs of a split file, read independently of the importer.
std::set<std::pair<std::string, std::string>> FilePairs(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::set<std::pair<std::string, std::string>> pairs;
  std::string user, item, weight;
  while (in >> user >> item >> weight) pairs.emplace("user:" + user, "artist:" + item);
  return pairs;
}

TEST(ImportLightgcn, shared_split_counts_match_readme_and_files) {
  const std::string dir = SharedDir("lastfm-lightgcn");
  const ImportResult r = ImportLightgcn({dir, true, "", false});
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("train_pairs"), 42135);
  EXPECT_EQ(s.Count("train_users"), 1878);
  EXPECT_EQ(s.Count("train_items"), 4476);
  EXPECT_EQ(s.Count("test_pairs"), 10533);
  EXPECT_EQ(s.Count("test_users"), 1858);
  EXPECT_EQ(s.Count("test_items"), 3285);
  EXPECT_EQ(s.Count("test_items_not_in_train"), 13);
  EXPECT_EQ(s.Count("test_rows_item_not_in_train"), 41);
  EXPECT_EQ(s.Count("test_users_without_train"), 2);
  EXPECT_EQ(s.Count("listen_counts_not_integer_text"), 4);
  EXPECT_EQ(s.Count("friend_links"), 25434);
  EXPECT_EQ(s.Count("friend_pairs"), 25434 / 2);
  EXPECT_EQ(s.Count("friend_links_without_reverse"), 0);
  EXPECT_EQ(s.Count("users"), 1892);
  EXPECT_EQ(s.Count("items"), 4489);
  std::set<std::pair<std::string, std::string>> train, test(r.test.begin(), r.test.end());
  for (const auto& t : r.train) {
    if (t.relation != "listened") continue;
    train.emplace(t.head, t.tail);
    if (t.head == "user:1868" && t.tail == "artist:492") {
      EXPECT_EQ(t.weight, 1.0 + std::log(324660.0));  // written 3.2466e+05
    }
  }
  EXPECT_EQ(train.size(), 42135u);
  EXPECT_EQ(train, FilePairs(dir + "/data1.txt"));
  EXPECT_EQ(test, FilePairs(dir + "/test1.txt"));
}

TEST(ImportLightgcn, shared_hetrec_mapping_resolves_every_item) {
  const std::string dir = SharedDir("lastfm-lightgcn");
  const ImportResult r = ImportLightgcn({dir, false, SharedDir("lastfm-hetrec2011"), false});
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("hetrec_users"), 1892);
  EXPECT_EQ(s.Count("mapped_items"), 4489);
  EXPECT_EQ(s.Count("mapping_unresolved_items"), 0);
  EXPECT_EQ(s.Count("mapping_ambiguous_items"), 0);
  EXPECT_EQ(s.Count("mapping_artist_collisions"), 0);
  EXPECT_EQ(s.Count("train_tagged"), 60200);  // computed independently (Python voting)
  EXPECT_EQ(s.Count("tagged_items"), 4362);
  std::map<std::string, std::string> names(r.names.begin(), r.names.end());
  EXPECT_EQ(names["artist:1"], "MALICE MIZER");
  EXPECT_EQ(names["artist:4489"], "Alva Noto + Ryuichi Sakamoto");
  bool found = false;
  for (const auto& t : r.train)
    if (t.head == "artist:1" && t.tail == "tag:j-rock") {
      found = true;
      EXPECT_EQ(t.weight, 5.0);
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace melograph
