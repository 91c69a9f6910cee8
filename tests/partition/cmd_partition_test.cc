#include <gtest/gtest.h>

#include "graph/graph_io.h"
#include "partition/partition_view.h"
#include "tests/partition/partition_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::RunMelograph;
using testing::TempDir;

TEST(CmdPartition, partitions_a_graph_directory_and_prints_the_report) {
  TempDir tmp;
  SaveGraph(testing::TwoCommunities(), tmp.File("graph"));
  const auto r = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --out " + tmp.File("parts") +
                              " --sample-roots 50 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("edge_cut_fraction: 0.142857"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("halo_nodes: 2"), std::string::npos) << r.output;
  const auto m = LoadPartitionManifest(tmp.File("parts"));
  EXPECT_EQ(m.method(), "metis");
  EXPECT_EQ(m.seed(), 3u);
  EXPECT_EQ(m.graph_dir(), tmp.File("graph"));
  EXPECT_EQ(LoadShard(tmp.File("parts"), 1).num_owned(), 3);
  EXPECT_EQ(m.metis_coarsening(), "none");  // auto on a tiny graph
  EXPECT_NE(r.output.find("metis_coarsening: none"), std::string::npos) << r.output;
}

TEST(CmdPartition, lp_coarsening_from_the_cli_cuts_only_the_bridge) {
  TempDir tmp;
  SaveGraph(testing::TwoCommunities(), tmp.File("graph"));
  const auto r = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --metis-coarsening lp --imbalance 1.5 --out " +
                              tmp.File("parts") + " --sample-roots 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("edge_cut_fraction: 0.142857"), std::string::npos) << r.output;
  EXPECT_EQ(LoadPartitionManifest(tmp.File("parts")).metis_coarsening(), "lp");
  const auto bad = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --metis-coarsening matching --out " +
                                tmp.File("p2"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--metis-coarsening"), std::string::npos) << bad.output;
  const auto traffic = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --metis-coarsening lp "
                                    "--edge-weights traffic --out " + tmp.File("p3"));
  EXPECT_NE(traffic.exit_code, 0);
  EXPECT_NE(traffic.output.find("supports --edge-weights count only"), std::string::npos) << traffic.output;
}

TEST(CmdPartition, manifest_records_the_graph_directory_as_an_absolute_path) {
  TempDir tmp;
  SaveGraph(testing::TwoCommunities(), tmp.File("graph"));
  const auto r = testing::Run("cd " + tmp.path() + " && " + MELOGRAPH_BINARY +
                              " partition ./graph --parts 2 --method hash --sample-roots 10 --out parts");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LoadPartitionManifest(tmp.File("parts")).graph_dir(), tmp.File("graph"));
}

TEST(CmdPartition, ldg_and_hash_run_from_the_cli) {
  TempDir tmp;
  SaveGraph(testing::TwoCommunities(), tmp.File("graph"));
  for (const char* method : {"hash", "ldg"}) {
    const auto r = RunMelograph("partition " + tmp.File("graph") + " -k 3 --method " + method + " --out " +
                                tmp.File(method) + " --balance nodes --sample-roots 20");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(std::string("method: ") + method), std::string::npos) << r.output;
  }
}

TEST(CmdPartition, clear_errors_for_bad_k_missing_graph_and_bad_flags) {
  TempDir tmp;
  SaveGraph(testing::TwoCommunities(), tmp.File("graph"));
  auto r = RunMelograph("partition " + tmp.File("graph") + " --parts 0 --out " + tmp.File("p"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--parts must be at least 1"), std::string::npos) << r.output;
  r = RunMelograph("partition " + tmp.File("graph") + " --parts 9 --out " + tmp.File("p"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("larger than the graph's 6 nodes"), std::string::npos) << r.output;
  r = RunMelograph("partition " + tmp.File("no_graph") + " --parts 2 --out " + tmp.File("p"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no_graph"), std::string::npos) << r.output;
  r = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --balance nodes,hubs --out " + tmp.File("p"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown balance constraint 'hubs'"), std::string::npos) << r.output;
  r = RunMelograph("partition " + tmp.File("graph") + " --parts 2 --seed-relation played --out " + tmp.File("p"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("'played'"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(tmp.File("p")));
}

TEST(CmdPartition, help_documents_every_flag) {
  const auto r = RunMelograph("partition --help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag : {"--parts", "--out", "--method", "--balance", "--imbalance", "--seed ", "--seed-relation",
                           "--sample-roots", "--fanouts", "--ldg-passes", "--metis-coarsening"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace melograph
