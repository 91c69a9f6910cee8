// `melograph plan` end to end: the batch term comes from steps sampled on the partition's graph
// (exact on a graph a step covers whole), from the manifest with --estimate or when the graph
// cannot be read, and --mem-per-rank refuses a rank that does not fit.
#include <gtest/gtest.h>

#include <string>

#include "../test_util.h"

namespace melograph {
namespace {

using testing::RunMelograph;

TEST(PlanCli, batch_shape_is_sampled_on_the_graph_or_estimated) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("train.tsv"), testing::TwoCommunityListenTriples());
  // 200 examples per rank draw every edge: each step covers the whole graph.
  testing::WriteFile(dir.File("cfg.pbtxt"), "model: LIGHTGCN\ndim: 8\nbatch_size: 400\nfanouts: [-1, -1]\n");
  ASSERT_EQ(RunMelograph("build-graph --triples " + dir.File("train.tsv") + " --out " + dir.File("graph")).exit_code, 0);
  auto r = RunMelograph("partition " + dir.File("graph") + " --parts 2 --method hash --out " + dir.File("part"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunMelograph("plan --partition " + dir.File("part") + " --config " + dir.File("cfg.pbtxt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("batch_shape: sampled: 4 steps on"), std::string::npos) << r.output;
  // 6 users + 6 songs; every hop follows all 24 stored listened / rev_listened entries.
  for (const char* line : {"batch_seeds: 12\n", "hop1_nodes: 12\n", "hop1_edges: 24\n", "hop2_nodes: 12\n",
                           "hop2_edges: 24\n", "max_rank_total_bytes: "})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  r = RunMelograph("plan --estimate --partition " + dir.File("part") + " --config " + dir.File("cfg.pbtxt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("batch_shape: estimated from the partition manifest\n"), std::string::npos) << r.output;
  r = RunMelograph("plan --graph " + dir.File("missing") + " --partition " + dir.File("part") + " --config " +
                   dir.File("cfg.pbtxt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(graph not read: "), std::string::npos) << r.output;
  r = RunMelograph("plan --partition " + dir.File("part") + " --config " + dir.File("cfg.pbtxt") + " --mem-per-rank 1M");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("needs"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--mem-per-rank"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph
