// The no-crash contract of every fuzz target (fuzz/fuzz_util.h), replayed in the dev build:
// each file of fuzz/corpus/<name>/ (the committed seeds, valid and invalid) and of
// tests/data/fuzz_regressions/<name>/ (every input that once crashed a parser or broke a
// round trip) goes through the target's body, which must return normally: the parser either
// accepted the input (and the round-trip checks held) or threw a melograph::Error. A crash
// fails the test through ASan/UBSan; any other exception, including a ContractViolation,
// fails it here with the file name.
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <string>
#include <typeinfo>
#include <vector>

#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "tests/test_util.h"

namespace melograph::fuzz {
namespace {
namespace fs = std::filesystem;

struct Target {
  const char* name;
  void (*fn)(std::string_view);
};

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Runs every file through the target; returns how many files were run.
size_t ReplayFolder(const Target& target, const fs::path& dir) {
  const std::vector<std::string> files = FilesIn(dir);
  for (const std::string& file : files) {
    const std::string bytes = testing::ReadFile(file);
    try {
      target.fn(bytes);
    } catch (const ContractViolation& e) {
      ADD_FAILURE() << file << ": contract violation: " << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": foreign exception " << typeid(e).name() << ": " << e.what();
    }
  }
  return files.size();
}

void ReplaySeeds(const Target& target) {
  const fs::path dir = fs::path(MELOGRAPH_FUZZ_CORPUS_DIR) / target.name;
  // Every target ships seeds: an empty folder would make this test vacuous.
  EXPECT_GE(ReplayFolder(target, dir), 3u) << "too few seeds in " << dir;
}

void ReplayRegressions(const Target& target) {
  ReplayFolder(target, fs::path(MELOGRAPH_FUZZ_REGRESSION_DIR) / target.name);
}

// Plain TESTs (no TEST_P: gtest's parameterised registry is not _GLIBCXX_DEBUG-safe here).
#define MELOGRAPH_FUZZ_REPLAY(name, fn)                                           \
  TEST(FuzzReplay, name##_seed_corpus_keeps_the_contract) { ReplaySeeds({#name, &fn}); } \
  TEST(FuzzReplay, name##_crash_regressions_keep_the_contract) { ReplayRegressions({#name, &fn}); }

MELOGRAPH_FUZZ_REPLAY(triple_reader, FuzzTripleReader)
MELOGRAPH_FUZZ_REPLAY(events_reader, FuzzEventsReader)
MELOGRAPH_FUZZ_REPLAY(catalog_reader, FuzzCatalogReader)
MELOGRAPH_FUZZ_REPLAY(import_hetrec, FuzzImportHetrec)
MELOGRAPH_FUZZ_REPLAY(import_kgat, FuzzImportKgat)
MELOGRAPH_FUZZ_REPLAY(import_lightgcn, FuzzImportLightgcn)
MELOGRAPH_FUZZ_REPLAY(kg_config, FuzzKgConfig)
MELOGRAPH_FUZZ_REPLAY(graph_manifest, FuzzGraphManifest)
MELOGRAPH_FUZZ_REPLAY(partition_manifest, FuzzPartitionManifest)
MELOGRAPH_FUZZ_REPLAY(train_config, FuzzTrainConfig)

// Every fuzz/<name>_fuzz.cc has its replay above.
TEST(FuzzReplay, every_fuzz_target_is_replayed) {
  const std::vector<std::string> listed = {"triple_reader", "events_reader", "catalog_reader", "import_hetrec",
                                           "import_kgat", "import_lightgcn", "kg_config", "graph_manifest",
                                           "partition_manifest", "train_config"};
  for (const auto& entry : fs::directory_iterator(fs::path(MELOGRAPH_FUZZ_CORPUS_DIR).parent_path())) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = "_fuzz.cc";
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string name = file.substr(0, file.size() - suffix.size());
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name << " has no replay test";
  }
}

// The harness itself: a violation must surface (not be swallowed as a parser rejection), and a
// parser rejection must not.
TEST(FuzzHarness, rejection_is_accepted_and_violation_escapes) {
  EXPECT_FALSE(AcceptsOrRejects([] { throw InputError("f", 1, 1, "bad"); }));
  EXPECT_TRUE(AcceptsOrRejects([] {}));
  EXPECT_THROW(AcceptsOrRejects([] { Violation("broken"); }), ContractViolation);
  EXPECT_THROW(AcceptsOrRejects([] { throw std::out_of_range("x"); }), std::out_of_range);
}

TEST(FuzzHarness, sections_split_at_the_record_separator) {
  const auto s = Sections("a\x1e" "b\x1e" "c\x1e" "d", 3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "a");
  EXPECT_EQ(s[1], "b");
  EXPECT_EQ(s[2], "c\x1e" "d");
  EXPECT_EQ(Sections("", 5).size(), 1u);
}

TEST(FuzzHarness, triple_round_trip_detects_a_changed_triple) {
  // A tail ending in '\r' would be written as "...\r\n" and read back without it.
  EXPECT_NO_THROW(CheckTripleRoundTrip({{"user:u1", "listened", "song:s1", 2.5f, true, 7}}, "rt.tsv"));
  EXPECT_THROW(CheckTripleRoundTrip({{"user:u1", "listened", "song:s1\r", 1.0f, false, 0}}, "rt.tsv"),
               ContractViolation);
}

}  // namespace
}  // namespace melograph::fuzz
