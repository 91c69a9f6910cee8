// Fault 4 of issue 7 for training: the disk fills up while `melograph train` writes a checkpoint.
// The job must fail with a clear error naming the path, leave the previous checkpoint and run
// byte-identical and no temporary files, and `--resume` must succeed once space is freed.
// Skips where a tmpfs cannot be mounted (tests/cluster/tmpfs_disk.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "tests/cluster/tmpfs_disk.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

namespace fs = std::filesystem;

// Every regular file under `dir` (except the filler) and its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != ".filler")
      out[fs::relative(e.path(), dir).string()] = testing::ReadFile(e.path().string());
  return out;
}

TEST(DiskFullTrain, checkpoint_on_a_full_disk_fails_clearly_and_keeps_the_previous_state) {
  testing::TempDir tmp;
  testing::SmallTmpfs disk(tmp.File("disk"), 4 << 20);
  if (!disk.mounted()) GTEST_SKIP() << disk.skip_reason();
  const std::string w = tmp.path();
  auto ok = [](const std::string& args) {
    const auto r = testing::RunMelograph(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  };
  ok("build-graph --triples " MELOGRAPH_TEST_DATA_DIR "/kg/world/expected_train_cutoff500.tsv --out " + w + "/graph");
  ok("partition " + w + "/graph --parts 1 --method hash --sample-roots 10 --out " + w + "/part");
  // dim 256: one checkpoint file (rows + two Adam states) is tens of KiB, far above what is left.
  testing::WriteFile(w + "/cfg.pbtxt",
                     "model: LIGHTGCN\ndim: 256\nepochs: 1\nbatch_size: 8\nloss: BPR\nfanouts: [2]\n"
                     "hops { relation: 'listened' relation: 'rev_listened' }\nseed: 3\n");
  const std::string run = disk.File("run");
  const std::string train = "train --partition " + w + "/part --config " + w + "/cfg.pbtxt --quiet --out " + run;
  ok(train);
  const auto before = Snapshot(run);
  ASSERT_FALSE(before.empty());

  // Leave 12 KiB: enough for the small text files rewritten at start, not for a checkpoint.
  ASSERT_GT(disk.Fill(), 0);
  const std::string filler = disk.File(".filler");
  fs::resize_file(filler, fs::file_size(filler) - 12 * 1024);
  const auto full = testing::RunMelograph(train + " --resume --epochs 2");
  EXPECT_NE(full.exit_code, 0) << full.output;
  EXPECT_NE(full.output.find("No space left on device"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find(run), std::string::npos) << "the error names no path:\n" << full.output;
  auto after = Snapshot(run);
  // The small text files rewritten at start describe the new command (epochs 2); everything else
  // (checkpoint, run, metrics) must be untouched.
  for (const char* rewritten : {"config.pbtxt", "train_info.txt"}) {
    EXPECT_EQ(after.count(rewritten), 1u) << rewritten;
    after.erase(rewritten);
  }
  auto expected = before;
  expected.erase("config.pbtxt");
  expected.erase("train_info.txt");
  EXPECT_EQ(after.size(), expected.size());
  for (const auto& [name, bytes] : expected) EXPECT_TRUE(after.count(name) && after[name] == bytes) << name << " changed";
  for (const auto& [name, bytes] : after) EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;

  disk.Unfill();
  const auto again = testing::RunMelograph(train + " --resume --epochs 2");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("resuming from checkpoint step"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("epochs: 2"), std::string::npos) << again.output;
}

}  // namespace
}  // namespace melograph
