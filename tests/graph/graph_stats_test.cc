#include "graph/graph_stats.h"

#include <gtest/gtest.h>

#include "graph/graph_builder.h"

namespace melograph {
namespace {

// Node ids:  artist:a=0  song:s1=1  song:s2=2  song:s9=3  user:u1=4  user:u2=5  user:u3=6  user:u4=7
//
//   u1 --listened--> s1 --by--> a <--by-- s2 <--listened-- u2      component of 5
//   u2 --listened--> s1
//   u3 --friend-- u4                                               component of 2
//   s9                                                             isolated
//
// Stored degrees: a=2 s1=3 s2=2 s9=0 u1=1 u2=2 u3=1 u4=1  (sum 12)
Graph Fixture() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  GraphBuilder b(opt);
  b.AddEdgeKeys("user:u1", "listened", "song:s1");
  b.AddEdgeKeys("user:u2", "listened", "song:s1");
  b.AddEdgeKeys("user:u2", "listened", "song:s2");
  b.AddEdgeKeys("song:s1", "by", "artist:a");
  b.AddEdgeKeys("song:s2", "by", "artist:a");
  b.AddEdgeKeys("user:u3", "friend", "user:u4");
  b.AddNode("song", "s9");
  return b.Build();
}

TEST(GraphStats, nearest_rank_percentiles) {
  std::vector<int64_t> d = {4, 1, 3, 2};
  const DegreeSummary s = SummariseDegrees(d);
  EXPECT_EQ(s.nodes, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_EQ(s.p50, 2);
  EXPECT_EQ(s.p90, 4);
  EXPECT_EQ(s.p99, 4);
  EXPECT_EQ(s.max, 4);
  std::vector<int64_t> hundred(100);
  for (int i = 0; i < 100; ++i) hundred[i] = 100 - i;  // 1..100 reversed
  const DegreeSummary h = SummariseDegrees(hundred);
  EXPECT_EQ(h.p50, 50);
  EXPECT_EQ(h.p90, 90);
  EXPECT_EQ(h.p99, 99);
  EXPECT_EQ(h.max, 100);
  std::vector<int64_t> none;
  EXPECT_EQ(SummariseDegrees(none).max, 0);
}

TEST(GraphStats, counts_degrees_and_components_of_the_fixture) {
  const GraphStats s = ComputeGraphStats(Fixture());
  EXPECT_EQ(s.num_nodes, 8);
  EXPECT_EQ(s.num_edges, 12);
  ASSERT_EQ(s.types.size(), 3u);
  EXPECT_EQ(s.types[1].name, "song");
  EXPECT_EQ(s.types[1].nodes, 3);
  EXPECT_EQ(s.types[1].degree.p50, 2);  // {0, 2, 3}
  EXPECT_EQ(s.types[1].degree.max, 3);
  EXPECT_DOUBLE_EQ(s.types[1].degree.mean, 5.0 / 3.0);
  EXPECT_EQ(s.types[2].degree.p50, 1);  // {1, 2, 1, 1}
  EXPECT_EQ(s.types[2].degree.max, 2);
  EXPECT_EQ(s.degree.p50, 1);  // sorted {0,1,1,1,2,2,2,3}: 4th
  EXPECT_EQ(s.degree.p90, 3);
  EXPECT_EQ(s.degree.max, 3);
  ASSERT_EQ(s.relations.size(), 5u);  // by, rev_by, friend, listened, rev_listened
  EXPECT_EQ(s.relations[2].name, "friend");
  EXPECT_TRUE(s.relations[2].symmetric);
  EXPECT_EQ(s.relations[2].edges, 2);
  EXPECT_EQ(s.relations[4].name, "rev_listened");
  EXPECT_EQ(s.relations[4].head_type, "song");
  EXPECT_EQ(s.relations[4].edges, 3);
  EXPECT_EQ(s.components, 3);
  EXPECT_EQ(s.largest_component_nodes, 5);
  EXPECT_EQ(s.isolated_nodes, 1);
}

TEST(GraphStats, text_output_has_table_and_stable_keys) {
  const std::string text = FormatGraphStats(ComputeGraphStats(Fixture()));
  for (const char* line : {"num_nodes: 8\n", "num_edges: 12\n", "nodes.song: 3\n", "degree.song.p50: 2\n",
                           "degree.user.max: 2\n", "degree.p90: 3\n", "edges.listened.user.song: 3\n",
                           "edges.rev_by.artist.song: 2\n", "edges.friend.user.user: 2\n", "components: 3\n",
                           "largest_component_nodes: 5\n", "isolated_nodes: 1\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  EXPECT_NE(text.find("rev_listened  song -> user"), std::string::npos) << text;
  EXPECT_NE(text.find("components: 3 (largest 5 nodes, 1 isolated)"), std::string::npos) << text;
}

TEST(GraphStats, json_output_has_the_same_facts) {
  const std::string json = FormatGraphStatsJson(ComputeGraphStats(Fixture()));
  EXPECT_EQ(json.front(), '{');
  for (const char* part : {"\"num_nodes\": 8", "\"components\": 3", "\"largest_component_nodes\": 5",
                           "{\"name\": \"song\", \"nodes\": 3, \"degree\": {\"mean\": 1.67, \"p50\": 2",
                           "\"name\": \"friend\", \"head_type\": \"user\", \"tail_type\": \"user\", \"is_reverse\": "
                           "false, \"symmetric\": true, \"edges\": 2"})
    EXPECT_NE(json.find(part), std::string::npos) << part << "\nin:\n" << json;
}

TEST(GraphStats, components_of_a_long_chain_and_an_empty_graph) {
  // c0 - c1 - ... - c999 (one component, built out of order)
  std::vector<KeyEdge> edges;
  for (int i = 999; i > 0; --i) edges.push_back({"n:c" + std::to_string(i), "next", "n:c" + std::to_string(i - 1)});
  const GraphStats s = ComputeGraphStats(MakeGraph(edges));
  EXPECT_EQ(s.components, 1);
  EXPECT_EQ(s.largest_component_nodes, 1000);
  const GraphStats e = ComputeGraphStats(MakeGraph({}));
  EXPECT_EQ(e.components, 0);
  EXPECT_EQ(e.largest_component_nodes, 0);
}

}  // namespace
}  // namespace melograph
