// `mpiexec -np 2 melograph sample --mode walks` end to end: --verify on hash and metis
// partitions (node2vec, weighted, subsampled skip-gram, restart), the throughput lines, the FAIL
// path (a --graph whose weights differ from the partitioned graph) and a bad schema.
#include <gtest/gtest.h>

#include <string>

#include "graph/graph_io.h"
#include "partition/partition_pipeline.h"
#include "tests/sampler/sampler_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

testing::CommandResult MpirunWalks(int ranks, const std::string& args) {
  return testing::Run("timeout 120 " + std::string(MELOGRAPH_MPIEXEC) + " -np " + std::to_string(ranks) +
                      " --oversubscribe --allow-run-as-root " + MELOGRAPH_BINARY + " sample --mode walks " + args);
}

constexpr const char* kSchema =
    "--metapath 'user -listened-> song -by_artist-> artist -by_artist^-1-> song -listened^-1-> user'";

class SampleWalksCli : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_dir_ = dir_.File("graph");
    testing::SaveWorldWithPartitions(60, 3, 2, graph_dir_, [&](const char* method) { return dir_.File(method); });
  }
  testing::TempDir dir_;
  std::string graph_dir_;
};

TEST_F(SampleWalksCli, verify_passes_on_hash_and_metis_partitions) {
  for (const char* method : {"hash", "metis"}) {
    const std::string common = "--partition " + dir_.File(method) + " --graph " + graph_dir_ + " --verify ";
    const auto r = MpirunWalks(2, common + kSchema +
                                      " --walk-length 9 --walks-per-node 2 --p 0.5 --q 2 --weighted --window 3"
                                      " --subsample 0.01 --keep-types user,song --batches 2 --seed 4");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("verify: PASS\n"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("walks: 240\n"), std::string::npos) << r.output;  // 60 users x 2 x 2 passes
    const auto restart = MpirunWalks(2, common +
                                            "--metapath 'song -rev_listened-> user -listened-> song' --restart 0.3"
                                            " --top 5 --walk-length 20 --batches 1");
    EXPECT_EQ(restart.exit_code, 0) << restart.output;
    EXPECT_NE(restart.output.find("verify: PASS\n"), std::string::npos) << restart.output;
    EXPECT_NE(restart.output.find("top_lists: "), std::string::npos) << restart.output;
  }
}

TEST_F(SampleWalksCli, throughput_lines_without_verify) {
  const auto r = MpirunWalks(2, "--partition " + dir_.File("hash") + " " + kSchema + " --walk-length 8 --batches 2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* key : {"ranks: 2\n", "walk_steps: ", "walk_steps_per_s: ", "bytes_sent_per_step: ",
                          "skipgram_pairs_per_s: ", "remote_step_fraction: "})
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
}

TEST_F(SampleWalksCli, verify_fails_with_first_difference_when_the_graph_differs) {
  // Same nodes, edges and relations; every listened weight differs, so weighted walks differ.
  std::vector<KeyEdge> edges;
  const auto world = testing::SmallMusicWorld(60, 3);
  for (NodeId v = 0; v < world->num_nodes(); ++v) {
    for (EdgeIdx e = world->row_ptr()[static_cast<size_t>(v)]; e < world->row_ptr()[static_cast<size_t>(v) + 1]; ++e) {
      const Relation& rel = world->relations()[world->edge_relation()[static_cast<size_t>(e)]];
      const NodeId u = world->col_idx()[static_cast<size_t>(e)];
      if (rel.is_reverse || (rel.symmetric && u < v)) continue;
      const float w = world->edge_weight()[static_cast<size_t>(e)];
      edges.push_back({world->Key(v), rel.name, world->Key(u), rel.name == "listened" ? 11.0f - w * w : w});
    }
  }
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  SaveGraph(MakeGraph(edges, opt), dir_.File("other"));
  const auto r = MpirunWalks(2, "--partition " + dir_.File("metis") + " --graph " + dir_.File("other") + " " +
                                    kSchema + " --weighted --walk-length 6 --verify");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << r.output;
  EXPECT_NE(r.output.find("verify: FAIL rank "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(": pass 0: walk (user:"), std::string::npos) << r.output;
}

TEST_F(SampleWalksCli, bad_schema_is_a_usage_error_on_every_rank) {
  const auto r = MpirunWalks(2, "--partition " + dir_.File("hash") + " --metapath 'user -plays-> song'");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << r.output;
  EXPECT_NE(r.output.find("hop 1: unknown relation 'plays'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph
