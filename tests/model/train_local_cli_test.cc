// `melograph train-local` end to end on a drawn graph: build-graph, train-local (evaluating
// during training), then `melograph eval --run` reads the 1-shard run it wrote. Bad configs
// fail with file:line and a non-zero exit.
#include <gtest/gtest.h>

#include <string>

#include "../test_util.h"

namespace melograph {
namespace {

using testing::RunMelograph;

TEST(TrainLocalCli, trains_writes_a_run_that_eval_reads) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("train.tsv"), testing::TwoCommunityListenTriples());
  std::string test;
  for (const char* c : {"a", "b"})
    for (int u = 0; u < 3; ++u)
      test += std::string("user:") + c + std::to_string(u) + "\tsong:" + c + std::to_string(u) + "\n";
  testing::WriteFile(dir.File("test.tsv"), test);
  testing::WriteFile(dir.File("cfg.pbtxt"),
                     "dim: 8\nepochs: 20\nbatch_size: 4\nlearning_rate: 0.05\nlayers: 2\n"
                     "eval_every_epochs: 10\neval_k: 2\n");
  auto r = RunMelograph("build-graph --triples " + dir.File("train.tsv") + " --out " +
                        dir.File("graph"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunMelograph("train-local --graph " + dir.File("graph") + " --config " +
                   dir.File("cfg.pbtxt") + " --out " + dir.File("run") + " --test " +
                   dir.File("test.tsv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("epoch 10/20 step 30 loss"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("recall@2 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("steps: 60"), std::string::npos) << r.output;
  r = RunMelograph("eval --graph " + dir.File("graph") + " --test " + dir.File("test.tsv") +
                   " --run " + dir.File("run") + " --k 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The held-out song is the only unseen song of the user's community: ranked in the top 2.
  EXPECT_NE(r.output.find("recall@2: 1.0000"), std::string::npos) << r.output;
}

TEST(TrainLocalCli, bad_config_names_file_and_line) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("train.tsv"), testing::TwoCommunityListenTriples());
  testing::WriteFile(dir.File("cfg.pbtxt"), "dim: 8\nbatch_size: 0\n");
  auto r = RunMelograph("build-graph --triples " + dir.File("train.tsv") + " --out " +
                        dir.File("graph"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunMelograph("train-local --graph " + dir.File("graph") + " --config " +
                   dir.File("cfg.pbtxt") + " --out " + dir.File("run"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("cfg.pbtxt:2:1: batch_size: must be >= 1"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace melograph
