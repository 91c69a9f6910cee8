// Disk full while writing an output: `melograph build-graph`, `partition` and `export` writing
// into a small tmpfs that a filler file has made full must fail with a clear error (exit
// non-zero, "No space left on device", the output path named) and leave the previous output
// byte-for-byte intact, with no temporary "*.tmp.*" left behind (AtomicFile / AtomicDirectory,
// common/file_util.h). Freeing the space lets the same command succeed again.
// Skips with a message where mounting a tmpfs is not permitted (tests/cluster/tmpfs_disk.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "graph/graph_io.h"
#include "tests/cluster/tmpfs_disk.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {
namespace fs = std::filesystem;
using testing::RunMelograph;
using testing::SmallTmpfs;
using testing::TempDir;

// Every regular file under `dir`: relative path -> contents.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      files[fs::relative(e.path(), dir).string()] = testing::ReadFile(e.path().string());
  return files;
}

std::vector<std::string> Leftovers(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path().string());
  return found;
}

// Writes `out` with `command` (which must name `out`), fills the disk, runs `command` again
// and checks the failure and that `out` is intact; then frees the disk and reruns.
void CheckDiskFull(SmallTmpfs& disk, const std::string& out, const std::string& command) {
  const auto first = RunMelograph(command);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = Snapshot(out);
  ASSERT_FALSE(before.empty());

  ASSERT_GT(disk.Fill(), 0);
  EXPECT_LT(disk.FreeBytes(), 4096) << "the filler did not fill the disk";
  const auto full = RunMelograph(command);
  EXPECT_NE(full.exit_code, 0) << full.output;
  EXPECT_NE(full.output.find("melograph: error: "), std::string::npos) << full.output;
  EXPECT_NE(full.output.find("No space left on device"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find(disk.path()), std::string::npos) << "the error names no path:\n" << full.output;
  EXPECT_EQ(Snapshot(out), before) << "previous output changed";
  EXPECT_TRUE(Leftovers(disk.path()).empty()) << Leftovers(disk.path()).front();

  disk.Unfill();
  const auto again = RunMelograph(command);
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = std::make_unique<SmallTmpfs>(tmp_.File("disk"), 4 << 20);
    if (!disk_->mounted()) GTEST_SKIP() << disk_->skip_reason();
  }
  TempDir tmp_;
  std::unique_ptr<SmallTmpfs> disk_;
};

const char kTriples[] = MELOGRAPH_TEST_DATA_DIR "/kg/world/expected_train_cutoff500.tsv";

TEST_F(DiskFull, build_graph_fails_clearly_and_keeps_the_previous_graph) {
  CheckDiskFull(*disk_, disk_->File("graph"),
                std::string("build-graph --triples ") + kTriples + " --out " + disk_->File("graph"));
}

TEST_F(DiskFull, partition_fails_clearly_and_keeps_the_previous_partition) {
  const auto g = RunMelograph(std::string("build-graph --triples ") + kTriples + " --out " + tmp_.File("graph"));
  ASSERT_EQ(g.exit_code, 0) << g.output;
  CheckDiskFull(*disk_, disk_->File("part"),
                "partition " + tmp_.File("graph") + " --parts 2 --method hash --out " + disk_->File("part"));
}

TEST_F(DiskFull, export_fails_clearly_and_keeps_the_previous_export) {
  const Graph graph = testing::FixtureGraph();
  SaveGraph(graph, tmp_.File("graph"), GraphBuildInfo{{"fixture.tsv"}, {}, "sum", 9, 0});
  testing::FixtureRunOptions o;
  o.graph_dir = tmp_.File("graph");
  testing::WriteFixtureRun(tmp_.File("run"), graph, o);
  CheckDiskFull(*disk_, disk_->File("export"),
                "export " + tmp_.File("run") + " --graph " + tmp_.File("graph") + " --out " + disk_->File("export"));
}

TEST_F(DiskFull, helper_fills_and_frees_the_disk) {
  const int64_t free_before = disk_->FreeBytes();
  EXPECT_GT(free_before, 3 << 20);
  EXPECT_GE(disk_->Fill(), free_before - 65536);
  EXPECT_LT(disk_->FreeBytes(), 4096);
  disk_->Unfill();
  EXPECT_EQ(disk_->FreeBytes(), free_before);
}

}  // namespace
}  // namespace melograph
