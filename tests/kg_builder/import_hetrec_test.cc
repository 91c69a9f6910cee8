#include "kg_builder/import_hetrec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "common/text.h"
#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// A tiny HetRec folder, byte-faithful to the real quirks (CRLF except artists.dat, Latin-1
// tags.dat, '"' in a name, an empty pictureURL, a private-use character, a bogus year and a
// tagged artistID missing from artists.dat):
//
//   user:2 ──listened 100──> artist:1 ("Weird Al" Yankovic) ──tagged 2──> tag:pop
//     │  └───listened 1────> artist:2 (OSKÃO)         └──────tagged 1──> tag:fußball
//   friend
//     │
//   user:5 ──listened 7────> artist:3 (Glee Cast U+F800)
//   (user 2 tagged artist:99 'pop', but 99 is not in artists.dat)
std::map<std::string, std::string> TinyFiles() {
  return {
      {"artists.dat",
       "id\tname\turl\tpictureURL\n"
       "1\t\"Weird Al\" "
       "Yankovic\thttp://www.last.fm/music/%22Weird+Al%22+Yankovic\thttp://p/1.jpg\n"
       "2\tOSK\xC3\x83O\thttp://www.last.fm/music/OSK%C3%83O\t\n"
       "3\tGlee Cast\xEF\xA0\x80\thttp://www.last.fm/music/Glee+Cast\thttp://p/3.jpg\n"},
      {"tags.dat",
       "tagID\ttagValue\r\n1\tpop\r\n7982\tfu\xDF"
       "ball\r\n"},
      {"user_artists.dat", "userID\tartistID\tweight\r\n2\t1\t100\r\n2\t2\t1\r\n5\t3\t7\r\n"},
      {"user_friends.dat", "userID\tfriendID\r\n2\t5\r\n5\t2\r\n"},
      {"user_taggedartists.dat",
       "userID\tartistID\ttagID\tday\tmonth\tyear\r\n"
       "2\t1\t1\t1\t4\t2009\r\n"
       "5\t1\t1\t1\t5\t2010\r\n"
       "5\t1\t7982\t1\t1\t1956\r\n"
       "2\t99\t1\t1\t4\t2009\r\n"},
  };
}

void WriteFolder(const testing::TempDir& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, contents] : files) testing::WriteFile(dir.File(name), contents);
}

using testing::LogCountWeight;
using testing::WeightedLines;

TEST(ImportHetrec, tiny_folder_gives_hand_computed_triples) {
  testing::TempDir dir;
  WriteFolder(dir, TinyFiles());
  HetrecOptions o;
  o.dir = dir.path();
  o.test_fraction = 0;
  const ImportResult r = ImportHetrec(o);
  EXPECT_EQ(WeightedLines(r), "user:2\tlistened\tartist:1\t" + LogCountWeight(100) +
                          "\n"
                          "user:2\tlistened\tartist:2\t1\n"
                          "user:5\tlistened\tartist:3\t" +
                          LogCountWeight(7) +
                          "\n"
                          "user:2\tfriend\tuser:5\t1\n"
                          "artist:1\ttagged\ttag:pop\t2\n"
                          "artist:1\ttagged\ttag:fu\xC3\x9F"
                          "ball\t1\n");
  EXPECT_TRUE(r.test.empty());
  ASSERT_EQ(r.names.size(), 3u);
  EXPECT_EQ(r.names[0].second, "\"Weird Al\" Yankovic");
  EXPECT_EQ(r.names[1].second, "OSK\xC3\x83O");
  EXPECT_EQ(r.names[2].second, "Glee Cast\xEF\xA0\x80");
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("tagged_artists_not_in_artists_dat"), 1);
  EXPECT_EQ(s.Count("tag_assignments_unknown_artist"), 1);
  EXPECT_EQ(s.Count("tag_assignments_bogus_year"), 1);
  EXPECT_EQ(s.Count("tags_latin1_decoded"), 1);
  EXPECT_EQ(s.Count("friend_pairs"), 1);
  EXPECT_EQ(*s.Find("unknown_artists"), "dropped");

  o.keep_unknown_artists = true;
  o.tags = true;
  const ImportResult kept = ImportHetrec(o);
  EXPECT_EQ(kept.train.back().head, "artist:99");
  EXPECT_EQ(kept.train.back().tail, "tag:pop");
  EXPECT_EQ(kept.summary.Count("train_tagged"), 3);
}

TEST(ImportHetrec, tiny_split_keeps_one_training_artist_per_user) {
  testing::TempDir dir;
  WriteFolder(dir, TinyFiles());
  HetrecOptions o;
  o.dir = dir.path();
  o.test_fraction = 0.5;  // user 2: round(0.5*2) = 1 test; user 5: min(round(0.5), 0) = 0
  o.tags = o.friends = false;
  const ImportResult r = ImportHetrec(o);
  ASSERT_EQ(r.test.size(), 1u);
  EXPECT_EQ(r.test[0].first, "user:2");
  EXPECT_EQ(r.train.size(), 2u);
  EXPECT_EQ(r.summary.Count("test_users"), 1);
}

TEST(ImportHetrec, cli_writes_output_folder) {
  testing::TempDir dir;
  WriteFolder(dir, TinyFiles());
  const auto run =
      testing::RunMelograph("import hetrec-lastfm --in " + dir.path() + " --out " +
                            dir.File("out") + " --test-fraction 0 --no-tags --no-friends");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(testing::ReadFile(dir.File("out/train.tsv")),
            "# melograph import hetrec-lastfm: seed 1, test fraction 0\n"
            "user:2\tlistened\tartist:1\t" +
                LogCountWeight(100) +
                "\nuser:2\tlistened\tartist:2\n"
                "user:5\tlistened\tartist:3\t" +
                LogCountWeight(7) + "\n");
  EXPECT_EQ(testing::ReadFile(dir.File("out/test.tsv")), "");
  EXPECT_EQ(
      testing::ReadFile(dir.File("out/listen_counts.tsv")),
      "# user\titem\tlisten_count\tsplit\n"
      "user:2\tartist:1\t100\ttrain\nuser:2\tartist:2\t1\ttrain\nuser:5\tartist:3\t7\ttrain\n");
  EXPECT_NE(testing::ReadFile(dir.File("out/import.txt")).find("listen_pairs: 3\n"),
            std::string::npos);
  const auto bad = testing::RunMelograph("import hetrec-lastfm --in " + dir.path() + " --out " +
                                         dir.File("out2") + " --test-fraction 1");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--test-fraction must be in [0, 1)"), std::string::npos) << bad.output;
}

// Replaces one file of the tiny folder and expects an InputError at the given position.
void ExpectBadHetrec(const std::string& file, const std::string& contents, int line, int column,
               const std::string& reason) {
  testing::TempDir dir;
  auto files = TinyFiles();
  files[file] = contents;
  WriteFolder(dir, files);
  HetrecOptions o;
  o.dir = dir.path();
  try {
    ImportHetrec(o);
    FAIL() << "expected an InputError in " << file << " for " << contents;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.File(file));
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.reason().find(reason), std::string::npos) << e.what();
  }
}

TEST(ImportHetrec, malformed_lines_name_file_line_column_and_reason) {
  const std::string ua = "userID\tartistID\tweight\r\n";
  ExpectBadHetrec("user_artists.dat", ua + "2\t1\r\n", 2, 4, "expected 3 fields");
  ExpectBadHetrec("user_artists.dat", ua + "2\t1\t5\t9\r\n", 2, 7, "expected 3 fields");
  ExpectBadHetrec("user_artists.dat", ua + "2\t1\t12x\r\n", 2, 5, "listen count '12x' is not an integer");
  ExpectBadHetrec("user_artists.dat", ua + "2\t1\t0\r\n", 2, 5, "listen count 0 is out of range");
  ExpectBadHetrec("user_artists.dat", ua + "2\t1\t5\r\n3\t1\t5\r\n2\t1\t6\r\n", 4, 1,
            "user-artist pair repeats line 2");
  ExpectBadHetrec("user_artists.dat", "user\tartist\tweight\r\n", 1, 1, "expected header");
  ExpectBadHetrec("artists.dat", "id\tname\turl\tpictureURL\n1\tab\xFF\tu\tp\n", 2, 5,
            "artist name is not valid UTF-8");
  ExpectBadHetrec("artists.dat", "id\tname\turl\tpictureURL\n1\ta\tu\n", 2, 6, "expected 4 fields");
  ExpectBadHetrec("tags.dat", "tagID\ttagValue\r\n1\tpop\r\n2\tpop\r\n", 3, 3, "tag value 'pop' repeats");
  ExpectBadHetrec("user_friends.dat", "userID\tfriendID\r\n2\tfive\r\n", 2, 3,
            "friendID 'five' is not an integer");
  const std::string uta = "userID\tartistID\ttagID\tday\tmonth\tyear\r\n";
  ExpectBadHetrec("user_taggedartists.dat", uta + "2\t1\t1\t1\t13\t2009\r\n", 2, 9,
            "month 13 is out of range [1, 12]");
  ExpectBadHetrec("user_taggedartists.dat", uta + "2\t1\t42\t1\t4\t2009\r\n", 2, 5,
            "tag id 42 is not in tags.dat");
}

TEST(ImportHetrec, missing_input_file_is_named) {
  testing::TempDir dir;
  auto files = TinyFiles();
  files.erase("user_taggedartists.dat");
  WriteFolder(dir, files);
  HetrecOptions o;
  o.dir = dir.path();
  try {
    ImportHetrec(o);
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.File("user_taggedartists.dat")), std::string::npos)
        << e.what();
  }
  o.tags = false;  // --no-tags does not need it
  EXPECT_NO_THROW(ImportHetrec(o));
}

std::string SharedHetrec() {
  const std::string dir = testing::SharedData("lastfm-hetrec2011");
  EXPECT_TRUE(std::filesystem::is_directory(dir))
      << "shared dataset missing: " << dir << " (see /work/shared/data)";
  return dir;
}

TEST(ImportHetrec, shared_data_counts_match_readme) {
  HetrecOptions o;
  o.dir = SharedHetrec();
  o.seed = 7;
  const ImportResult r = ImportHetrec(o);
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("users"), 1892);
  EXPECT_EQ(s.Count("artists"), 17632);
  EXPECT_EQ(s.Count("listen_pairs"), 92834);
  EXPECT_EQ(s.Count("listen_count_min"), 1);
  EXPECT_EQ(s.Count("listen_count_max"), 352698);
  EXPECT_EQ(s.Count("listened_artists_not_in_artists_dat"), 0);
  // Sum over users of min(round(0.2 n), n - 1), computed independently with awk.
  EXPECT_EQ(s.Count("test_pairs"), 18568);
  EXPECT_EQ(s.Count("train_listened"), 92834 - 18568);
  EXPECT_EQ(s.Count("test_users"), 1883);  // users with >= 3 artists
  EXPECT_EQ(s.Count("friend_links"), 25434);
  EXPECT_EQ(s.Count("friend_pairs"), 12717);
  EXPECT_EQ(s.Count("friend_links_without_reverse"), 0);
  EXPECT_EQ(s.Count("friend_self_loops_skipped"), 0);
  EXPECT_EQ(s.Count("tags"), 11946);
  EXPECT_EQ(s.Count("tags_latin1_decoded"), 8);
  EXPECT_EQ(s.Count("tag_assignments"), 186479);
  EXPECT_EQ(s.Count("tag_assignments_repeated"), 0);
  EXPECT_EQ(s.Count("tag_assignments_bogus_year"), 5);
  EXPECT_EQ(s.Count("tagged_artists_not_in_artists_dat"), 390);
  EXPECT_EQ(s.Count("tag_assignments_unknown_artist"), 1538);
  EXPECT_EQ(s.Count("tagged_pairs_unknown_artist"), 1313);
  EXPECT_EQ(s.Count("train_tagged"), 109750 - 1313);  // distinct (artist, tag) pairs kept
  EXPECT_EQ(s.Count("tagged_artists"), 12133);
  EXPECT_EQ(s.Count("train_triples"), 74266 + 12717 + 108437);
  int64_t friends = 0;
  bool pop = false, tropicalia = false;
  for (const auto& t : r.train) {
    if (t.relation == "friend") {
      ++friends;
      EXPECT_LT(std::stoll(t.head.substr(5)), std::stoll(t.tail.substr(5))) << t.head;
    }
    if (t.head == "artist:289" && t.tail == "tag:pop") {
      pop = true;
      EXPECT_EQ(t.weight, 108.0);  // the most applied (artist, tag) pair
    }
    if (t.head == "artist:5750" && t.tail == "tag:tropic\xC3\xA1lia") tropicalia = true;  // Latin-1
  }
  EXPECT_EQ(friends, 12717);
  EXPECT_TRUE(pop);
  EXPECT_TRUE(tropicalia);
  // Tag 7982 'fußball' is Latin-1 in tags.dat (no user applied it, so it is in no triple).
  int64_t non_ascii = 0;
  const auto tags = ReadHetrecTags(o.dir, &non_ascii);
  EXPECT_EQ(tags.at(7982),
            "fu\xC3\x9F"
            "ball");
  EXPECT_EQ(tags.at(11213), "die \xC3\x84rzte");
  EXPECT_EQ(non_ascii, 8);
  std::map<std::string, std::string> names(r.names.begin(), r.names.end());
  EXPECT_EQ(names["artist:7335"], "OSK\xC3\x83O");  // mojibake kept as is
  ASSERT_EQ(r.listen_counts.size(), 92834u);
  EXPECT_EQ(r.listen_counts[0].user, "user:2");
  EXPECT_EQ(r.listen_counts[0].item, "artist:51");
  EXPECT_EQ(r.listen_counts[0].count, 13883);
}

TEST(ImportHetrec, shared_split_is_partition_deterministic_and_seeded) {
  HetrecOptions o;
  o.dir = SharedHetrec();
  o.tags = o.friends = false;
  o.seed = 11;
  const ImportResult a = ImportHetrec(o);
  const ImportResult b = ImportHetrec(o);
  o.seed = 12;
  const ImportResult c = ImportHetrec(o);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  EXPECT_EQ(a.test.size(), c.test.size());  // per-user sizes do not depend on the seed
  // Partition: train listened + test = every user_artists pair, with no overlap.
  std::set<std::pair<std::string, std::string>> all, split;
  for (const auto& l : a.listen_counts) all.emplace(l.user, l.item);
  for (const auto& t : a.train) EXPECT_TRUE(split.emplace(t.head, t.tail).second);
  for (const auto& p : a.test) EXPECT_TRUE(split.insert(p).second) << p.first << " " << p.second;
  EXPECT_EQ(all, split);
  EXPECT_EQ(all.size(), 92834u);
  // Per user: test size min(round(0.2 n), n - 1).
  std::map<std::string, int64_t> n, n_test;
  for (const auto& l : a.listen_counts) ++n[l.user];
  for (const auto& p : a.test) ++n_test[p.first];
  for (const auto& [user, count] : n)
    EXPECT_EQ(n_test[user], std::min<int64_t>(std::llround(0.2 * count), count - 1)) << user;
}

}  // namespace
}  // namespace melograph
