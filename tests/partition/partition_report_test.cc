#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "partition/partition_pipeline.h"
#include "partition/partition_report.h"
#include "partition/remote_sampling.h"
#include "partition/vertex_weights.h"
#include "tests/partition/partition_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::TwoCommunities;

// Parses the trailing `key: value` block of a report.
std::map<std::string, std::string> KeyValues(const std::string& report) {
  std::map<std::string, std::string> kv;
  const std::string block = report.substr(report.rfind("\n\n") + 2);
  std::istringstream in(block);
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) kv[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return kv;
}

TEST(PartitionReport, measures_cut_counts_and_imbalance_of_a_hash_split) {
  // Hash K=2 on TwoCommunities: parts {x, a, c} and {y, b, d}; cut 5 of 7.
  const Graph g = TwoCommunities();
  const auto seeds = FindTrainingSeeds(g, "listened");
  const std::vector<BalanceConstraint> cons = {BalanceConstraint::kNodes, BalanceConstraint::kEdges,
                                               BalanceConstraint::kSeeds};
  const VertexWeights w = ComputeVertexWeights(g, cons, seeds, "listened");
  proto::PartitionManifest m;
  MeasurePartitionQuality(g, {0, 1, 0, 1, 0, 1}, 2, w, seeds, &m);
  EXPECT_EQ(m.quality().undirected_edges(), 7);
  EXPECT_EQ(m.quality().edge_cut(), 5);
  EXPECT_DOUBLE_EQ(m.quality().edge_cut_fraction(), 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.quality().csr_cut_fraction(), 10.0 / 14.0);
  ASSERT_EQ(m.parts_size(), 2);
  EXPECT_EQ(m.parts(0).nodes(), 3);
  EXPECT_EQ(m.parts(0).edges(), 2 + 2 + 3);  // x: a b; a: x b; c: y d b
  EXPECT_EQ(m.parts(1).edges(), 7);
  EXPECT_EQ(m.parts(0).seeds(), 2);           // a, c
  EXPECT_EQ(m.parts(0).cut_edges(), 5);
  ASSERT_EQ(m.quality().imbalance_size(), 3);
  EXPECT_DOUBLE_EQ(m.quality().imbalance(0), 1.0);
  EXPECT_DOUBLE_EQ(m.quality().imbalance(1), 1.0);
  EXPECT_DOUBLE_EQ(m.quality().imbalance(2), 1.0);
}

TEST(RemoteSampling, counts_remote_sampled_endpoints_exactly_when_fanouts_cover_degrees) {
  // METIS-like split {x, a, b} | {y, c, d}. From root a (part 0):
  //   hop 1: a -> x, b                 (2 edges, local)
  //   hop 2: x -> a, b ; b -> x, a, c  (5 edges, c remote)
  const Graph g = TwoCommunities();
  const Assignment part = {0, 1, 0, 0, 1, 1};
  const RemoteSampleEstimate a = EstimateRemoteSampleFraction(g, part, {2}, {10, 10}, 5, 1);
  EXPECT_EQ(a.roots, 5);
  EXPECT_EQ(a.sampled_edges, 35);
  EXPECT_EQ(a.remote_edges, 5);
  // From root b: hop 1 x, a, c (c remote); hop 2 x->a,b  a->x,b  c->y,d,b (y, d remote).
  const RemoteSampleEstimate b = EstimateRemoteSampleFraction(g, part, {3}, {10, 10}, 1, 1);
  EXPECT_EQ(b.sampled_edges, 10);
  EXPECT_EQ(b.remote_edges, 3);
  EXPECT_EQ(b.sampled_by_hop, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(b.remote_by_hop, (std::vector<int64_t>{1, 2}));
  EXPECT_DOUBLE_EQ(b.hop_fraction(0), 1.0 / 3);
  EXPECT_EQ(a.sampled_by_hop, (std::vector<int64_t>{10, 25}));
  EXPECT_EQ(a.remote_by_hop, (std::vector<int64_t>{0, 5}));
  // Everything in one part: nothing is remote.
  EXPECT_EQ(EstimateRemoteSampleFraction(g, Assignment(6, 0), {2, 3}, {10, 10}, 50, 1).remote_edges, 0);
}

TEST(RemoteSampling, picks_of_replicated_nodes_are_local) {
  // Same split and root b as above: remote picks c (hop 1), y and d (hop 2).
  const Graph g = TwoCommunities();
  const Assignment part = {0, 1, 0, 0, 1, 1};
  std::vector<uint8_t> replicated(6, 0);
  const RemoteSampleEstimate none = EstimateRemoteSampleFraction(g, part, {3}, {10, 10}, 1, 1, &replicated);
  EXPECT_EQ(none.remote_by_hop, (std::vector<int64_t>{1, 2}));
  replicated[4] = 1;  // c: its hop-1 pick becomes local; the picks below it do not change
  const RemoteSampleEstimate c = EstimateRemoteSampleFraction(g, part, {3}, {10, 10}, 1, 1, &replicated);
  EXPECT_EQ(c.sampled_by_hop, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(c.remote_by_hop, (std::vector<int64_t>{0, 2}));
  replicated.assign(6, 1);
  EXPECT_EQ(EstimateRemoteSampleFraction(g, part, {2, 3}, {10, 10}, 50, 1, &replicated).remote_edges, 0);
}

TEST(RemoteSampling, fanout_caps_the_picks_and_the_seed_fixes_them) {
  const Graph g = testing::PlantedCommunities(2, 40, 20, 11);
  const auto seeds = FindTrainingSeeds(g, "listened");
  std::vector<NodeId> roots;
  for (NodeId v = 0; v < g.num_nodes(); ++v)
    if (seeds[v]) roots.push_back(v);
  Assignment part(static_cast<size_t>(g.num_nodes()));
  for (NodeId v = 0; v < g.num_nodes(); ++v) part[v] = v % 2;
  const auto e1 = EstimateRemoteSampleFraction(g, part, roots, {2, 3}, 100, 9);
  const auto e2 = EstimateRemoteSampleFraction(g, part, roots, {2, 3}, 100, 9);
  EXPECT_EQ(e1.sampled_edges, e2.sampled_edges);
  EXPECT_EQ(e1.remote_edges, e2.remote_edges);
  EXPECT_LE(e1.sampled_edges, 100 * (2 + 2 * 3));
  EXPECT_GT(e1.sampled_edges, 100 * 2);
}

TEST(PartitionReport, ends_with_a_key_value_block_scripts_can_read) {
  testing::TempDir tmp;
  PartitionOptions o;
  o.num_parts = 2;
  o.sample_roots = 100;
  const auto m = PartitionGraph(TwoCommunities(), o, tmp.File("p"));
  const std::string report = FormatPartitionReport(m);
  const auto kv = KeyValues(report);
  EXPECT_EQ(kv.at("method"), "metis");
  EXPECT_EQ(kv.at("parts"), "2");
  EXPECT_EQ(kv.at("edge_cut_fraction"), "0.142857");
  EXPECT_EQ(kv.at("halo_nodes"), "2");
  EXPECT_TRUE(kv.count("remote_sample_fraction"));
  ASSERT_EQ(m.quality().remote_sample_fraction_by_hop_size(), 2);
  EXPECT_TRUE(kv.count("remote_sample_fraction_hop1"));
  EXPECT_TRUE(kv.count("remote_sample_fraction_hop2"));
  EXPECT_FALSE(kv.count("remote_sample_fraction_hop3"));
  // The whole fraction is the picks-weighted mean of the hops'.
  EXPECT_GE(m.quality().remote_sample_fraction(),
            std::min(m.quality().remote_sample_fraction_by_hop(0), m.quality().remote_sample_fraction_by_hop(1)));
  EXPECT_LE(m.quality().remote_sample_fraction(),
            std::max(m.quality().remote_sample_fraction_by_hop(0), m.quality().remote_sample_fraction_by_hop(1)));
  EXPECT_EQ(kv.at("imbalance_nodes"), "1.0000");
  EXPECT_EQ(kv.at("imbalance_edges"), "1.0000");
  EXPECT_EQ(kv.at("imbalance_seeds"), "1.0000");
  EXPECT_EQ(testing::ReadFile(tmp.File("p/report.txt")), report);
}

}  // namespace
}  // namespace melograph
