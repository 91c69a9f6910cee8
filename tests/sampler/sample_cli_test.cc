// `mpiexec -np 2 melograph sample --verify` end to end on hash and metis partitions of a graph
// directory, plus the FAIL path (a --graph whose weights differ from the partitioned graph) and
// the part-count check.
#include <gtest/gtest.h>

#include <string>

#include "graph/graph_io.h"
#include "partition/partition_pipeline.h"
#include "tests/sampler/sampler_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

testing::CommandResult Mpirun(int ranks, const std::string& args) {
  return testing::Run("timeout 120 " + std::string(MELOGRAPH_MPIEXEC) + " -np " + std::to_string(ranks) +
                      " --oversubscribe --allow-run-as-root " + MELOGRAPH_BINARY + " sample " + args);
}

class SampleCli : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_dir_ = dir_.File("graph");
    testing::SaveWorldWithPartitions(80, 5, 2, graph_dir_, [&](const char* method) { return dir_.File(method); });
  }
  testing::TempDir dir_;
  std::string graph_dir_;
};

TEST_F(SampleCli, verify_passes_on_hash_and_metis_partitions) {
  for (const char* method : {"hash", "metis"}) {
    const auto r = Mpirun(2, "--partition " + dir_.File(method) + " --graph " + graph_dir_ +
                                 " --fanouts 4,3 --relations 'listened;by_artist|in_album|rev_listened' --weighted"
                                 " --batch-size 8 --batches 6 --seed 3 --verify");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("verify: PASS\n"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("method: " + std::string(method) + "\n"), std::string::npos) << r.output;
    const auto n = Mpirun(2, "--partition " + dir_.File(method) + " --graph " + graph_dir_ +
                                 " --mode negatives --batch-size 8 --batches 4 --verify");
    EXPECT_EQ(n.exit_code, 0) << n.output;
    EXPECT_NE(n.output.find("verify: PASS\n"), std::string::npos) << n.output;
  }
}

TEST_F(SampleCli, throughput_lines_without_verify) {
  const auto r = Mpirun(2, "--partition " + dir_.File("hash") + " --fanouts 5,5 --batch-size 16 --batches 3");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* key : {"ranks: 2\n", "sampled_edges_per_s: ", "bytes_sent_per_sampled_edge: ", "remote_fraction: "})
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
}

TEST_F(SampleCli, verify_fails_with_first_difference_when_the_graph_differs) {
  // Same nodes, edges and relations, but every listened weight is different.
  std::vector<KeyEdge> edges;
  const auto world = testing::SmallMusicWorld(80, 5);
  for (NodeId v = 0; v < world->num_nodes(); ++v) {
    const auto row = world->out_neighbors(v);
    for (size_t i = 0; i < row.size(); ++i) {
      const EdgeIdx e = world->row_ptr()[static_cast<size_t>(v)] + static_cast<EdgeIdx>(i);
      const Relation& rel = world->relations()[world->edge_relation()[static_cast<size_t>(e)]];
      if (rel.is_reverse || (rel.symmetric && row[i] < v)) continue;
      const float w = world->edge_weight()[static_cast<size_t>(e)];
      edges.push_back({world->Key(v), rel.name, world->Key(row[i]), rel.name == "listened" ? w + 10.0f : w});
    }
  }
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  SaveGraph(MakeGraph(edges, opt), dir_.File("other"));
  const auto r = Mpirun(2, "--partition " + dir_.File("metis") + " --graph " + dir_.File("other") +
                               " --fanouts 3 --relations listened --batch-size 8 --batches 2 --verify");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << r.output;
  EXPECT_NE(r.output.find("verify: FAIL rank "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("edge_weight"), std::string::npos) << r.output;
}

TEST_F(SampleCli, rank_count_must_match_the_part_count) {
  const auto r = Mpirun(1, "--partition " + dir_.File("hash") + " --batches 1");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("has 2 parts but the job runs 1 ranks"), std::string::npos) << r.output;
  const auto m = Mpirun(2, "--partition " + dir_.File("hash") + " --mode nope");
  EXPECT_NE(m.exit_code, 0) << m.output;
  EXPECT_NE(m.output.find("--mode 'nope' is not one of: neighbors, negatives"), std::string::npos) << m.output;
}

}  // namespace
}  // namespace melograph
