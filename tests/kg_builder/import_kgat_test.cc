#include "kg_builder/import_kgat.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace melograph {
namespace {

const std::string kFixture = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kgat";

std::string KgatLines(const ImportResult& r) {
  std::string s;
  for (const auto& t : r.train) s += t.head + "\t" + t.relation + "\t" + t.tail + "\n";
  return s;
}

// tests/data/kgat (n_items = 3: items are entities 0, 1, 2):
//
//   user:0 ──listened──> item:0 ──r0──> entity:3 ──r2──> entity:4
//      └─────listened──> item:1 ──r0──────┘                 ^
//   user:1 ──listened──> item:2 ──r1────────────────────────┘
//   user:2   (a train line with no items)
//
//   train.txt "0 0 1 1": item 1 twice -> once.   test.txt "0 2 2 ": item 2 twice -> once.
//   test.txt "1 0 2": (1,2) is a training pair -> dropped.   kg_final.txt: "0 0 3" twice.
TEST(ImportKgat, fixture_gives_hand_computed_triples_and_test_pairs) {
  const ImportResult r = ImportKgat({kFixture, true});
  EXPECT_EQ(KgatLines(r),
            "user:0\tlistened\titem:0\n"
            "user:0\tlistened\titem:1\n"
            "user:1\tlistened\titem:2\n"
            "item:0\tr0\tentity:3\n"
            "item:1\tr0\tentity:3\n"
            "item:2\tr1\tentity:4\n"
            "entity:3\tr2\tentity:4\n");
  for (const auto& t : r.train) EXPECT_EQ(t.weight, 1.0);
  ASSERT_EQ(r.test.size(), 2u);
  EXPECT_EQ(r.test[0], std::make_pair(std::string("user:0"), std::string("item:2")));
  EXPECT_EQ(r.test[1], std::make_pair(std::string("user:1"), std::string("item:0")));
  const ImportSummary& s = r.summary;
  EXPECT_EQ(s.Count("users"), 2);
  EXPECT_EQ(s.Count("items"), 3);
  EXPECT_EQ(s.Count("train_lines"), 3);
  EXPECT_EQ(s.Count("train_pairs"), 3);
  EXPECT_EQ(s.Count("train_duplicate_items"), 1);
  EXPECT_EQ(s.Count("test_lines"), 2);
  EXPECT_EQ(s.Count("test_pairs"), 2);
  EXPECT_EQ(s.Count("test_users"), 2);
  EXPECT_EQ(s.Count("test_duplicate_items"), 1);
  EXPECT_EQ(s.Count("test_pairs_in_train_dropped"), 1);
  EXPECT_EQ(s.Count("kg_lines"), 5);
  EXPECT_EQ(s.Count("kg_duplicate_triples"), 1);
  EXPECT_EQ(s.Count("kg_triples"), 4);
  EXPECT_EQ(s.Count("kg_relations"), 3);
  EXPECT_EQ(s.Count("kg_entities"), 5);
  EXPECT_EQ(s.Count("train_triples"), 7);
}

TEST(ImportKgat, no_kg_imports_interactions_only) {
  const ImportResult r = ImportKgat({kFixture, false});
  EXPECT_EQ(KgatLines(r),
            "user:0\tlistened\titem:0\n"
            "user:0\tlistened\titem:1\n"
            "user:1\tlistened\titem:2\n");
  EXPECT_EQ(r.summary.Find("kg_triples"), nullptr);
}

TEST(ImportKgat, cli_writes_train_test_and_summary) {
  testing::TempDir dir;
  const auto run =
      testing::RunMelograph("import kgat --in " + kFixture + " --out " + dir.File("out"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(testing::ReadFile(dir.File("out/train.tsv")),
            "# melograph import kgat: items are KG entities 0..n_items-1\n"
            "user:0\tlistened\titem:0\n"
            "user:0\tlistened\titem:1\n"
            "user:1\tlistened\titem:2\n"
            "item:0\tr0\tentity:3\n"
            "item:1\tr0\tentity:3\n"
            "item:2\tr1\tentity:4\n"
            "entity:3\tr2\tentity:4\n");
  EXPECT_EQ(testing::ReadFile(dir.File("out/test.tsv")), "user:0\titem:2\nuser:1\titem:0\n");
  const std::string summary = testing::ReadFile(dir.File("out/import.txt"));
  EXPECT_NE(summary.find("dataset: kgat\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("kg_triples: 4\n"), std::string::npos) << summary;
  EXPECT_NE(run.output.find("test_pairs: 2"), std::string::npos) << run.output;
}

// Writes a KGAT folder with the given files and expects ImportKgat to fail at the position.
void ExpectBadKgat(const std::string& train, const std::string& test, const std::string& kg,
               const std::string& bad_file, int line, int column, const std::string& reason) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("train.txt"), train);
  testing::WriteFile(dir.File("test.txt"), test);
  testing::WriteFile(dir.File("kg_final.txt"), kg);
  try {
    ImportKgat({dir.path(), true});
    FAIL() << "expected an InputError in " << bad_file;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.File(bad_file));
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.reason().find(reason), std::string::npos) << e.what();
  }
}

TEST(ImportKgat, malformed_lines_name_file_line_column_and_reason) {
  const std::string ok_train = "0 0 1\n", ok_test = "0 2\n", ok_kg = "0 0 3\n";
  ExpectBadKgat("0 0 x1\n", ok_test, ok_kg, "train.txt", 1, 5, "item id 'x1' is not an integer");
  ExpectBadKgat("0 1\n-1 0\n", ok_test, ok_kg, "train.txt", 2, 1, "user id -1 is out of range");
  ExpectBadKgat("0 1\n0 2\n", ok_test, ok_kg, "train.txt", 2, 1, "user 0 already listed on line 1");
  ExpectBadKgat(ok_train, "0  2.5\n", ok_kg, "test.txt", 1, 4, "item id '2.5' is not an integer");
  ExpectBadKgat(ok_train, ok_test, "0 0 3\n1 0\n", "kg_final.txt", 2, 4, "expected 3 fields");
  ExpectBadKgat(ok_train, ok_test, "0 0 3 9\n", "kg_final.txt", 1, 7, "expected 3 fields");
  ExpectBadKgat(ok_train, ok_test, "0 r 3\n", "kg_final.txt", 1, 3, "relation 'r' is not an integer");
  ExpectBadKgat(ok_train, ok_test, "0 0 -3\n", "kg_final.txt", 1, 5, "tail entity -3 is out of range");
}

TEST(ImportKgat, missing_input_file_is_named) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("train.txt"), "0 1\n");
  testing::WriteFile(dir.File("test.txt"), "0 2\n");
  try {
    ImportKgat({dir.path(), true});
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.File("kg_final.txt")), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ImportKgat({dir.path(), false}));  // --no-kg does not need it
}

}  // namespace
}  // namespace melograph
