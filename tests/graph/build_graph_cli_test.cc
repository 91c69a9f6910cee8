// End-to-end tests of `melograph build-graph` and `melograph stats` through the binary, and of
// the triple reader's fast weight parsing on the build-graph hot path.
#include <gtest/gtest.h>

#include <cmath>

#include "common/file_util.h"
#include "common/text.h"
#include "graph/graph_io.h"
#include "kg_builder/triple_io.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::RunMelograph;

// user:u1 --listened--> song:s1 --by_artist--> artist:a
// user:u2 --listened--> song:s1 (twice: weights 2 then 5)
// user:u1 --friend-- user:u2
const char kTriples[] =
    "# tiny world\n"
    "user:u1\tlistened\tsong:s1\t3\n"
    "user:u2\tlistened\tsong:s1\t2\n"
    "song:s1\tby_artist\tartist:a\n"
    "user:u2\tlistened\tsong:s1\t5\t1700000000\n";
const char kFriends[] = "user:u2\tfriend\tuser:u1\r\n";

struct World {
  testing::TempDir tmp;
  std::string triples = tmp.File("t.tsv");
  std::string friends = tmp.File("f.tsv");
  std::string graph = tmp.File("g");
  World() {
    testing::WriteFile(triples, kTriples);
    testing::WriteFile(friends, kFriends);
  }
};

float Weight(const Graph& g, const std::string& head, const std::string& tail) {
  const NodeId h = *g.Find(head), t = *g.Find(tail);
  for (EdgeIdx e = g.row_ptr()[h]; e < g.row_ptr()[h + 1]; ++e)
    if (g.col_idx()[e] == t) return g.edge_weight()[e];
  return -1;
}

TEST(BuildGraphCli, builds_a_loadable_graph_and_prints_a_summary) {
  World w;
  const auto r = RunMelograph("build-graph --triples " + w.triples + " " + w.friends + " --out " + w.graph);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"triples_read: 5\n", "nodes: 4\n", "node_types: 3\n", "relations: 5\n",
                           "stored_edges: 8\n", "duplicate_entries_merged: 2\n", "bad_lines_skipped: 0\n"})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  const Graph g = LoadGraph(w.graph);
  EXPECT_EQ(g.num_nodes(), 4);
  EXPECT_FLOAT_EQ(Weight(g, "user:u2", "song:s1"), 7.0f);  // default --duplicates sum
  EXPECT_FLOAT_EQ(Weight(g, "song:s1", "user:u2"), 7.0f);  // rev_listened
  ASSERT_EQ(g.FindRelations("friend").size(), 1u);         // friend is symmetric by default
  EXPECT_TRUE(g.FindRelations("rev_friend").empty());
}

TEST(BuildGraphCli, duplicates_and_symmetric_flags_change_the_graph) {
  World w;
  auto r = RunMelograph("build-graph --triples " + w.triples + " " + w.friends + " --out " + w.graph +
                        " --duplicates max --symmetric ''");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Graph g = LoadGraph(w.graph);
  EXPECT_FLOAT_EQ(Weight(g, "user:u2", "song:s1"), 5.0f);
  EXPECT_EQ(g.FindRelations("rev_friend").size(), 1u);
  r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph + " --duplicates first");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FLOAT_EQ(Weight(LoadGraph(w.graph), "user:u2", "song:s1"), 2.0f);
  r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph + " --duplicates newest");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--duplicates"), std::string::npos) << r.output;
}

TEST(BuildGraphCli, malformed_line_fails_with_position_unless_budgeted) {
  World w;
  testing::WriteFile(w.triples, "user:u1\tlistened\tsong:s1\nuser:u2\tListened\tsong:s1\nuser:u3\tx\ty\n");
  auto r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(w.triples + ":2:9: bad relation 'Listened'"), std::string::npos) << r.output;
  EXPECT_FALSE(PathExists(w.graph));
  r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph + " --max-bad-lines 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(w.triples + ":3:11: bad tail key 'y'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("more than --max-bad-lines 1"), std::string::npos) << r.output;
  r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph + " --max-bad-lines 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped 2 bad line(s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad_lines_skipped: 2\n"), std::string::npos) << r.output;
  EXPECT_EQ(LoadGraph(w.graph).num_edges(), 2);
}

TEST(BuildGraphCli, symmetric_relation_across_types_is_a_usage_error) {
  World w;
  const auto r = RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph + " --symmetric listened");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("relation 'listened' is declared symmetric but joins different node types"),
            std::string::npos)
      << r.output;
}

TEST(BuildGraphCli, stats_prints_table_keys_and_json) {
  World w;
  ASSERT_EQ(RunMelograph("build-graph --triples " + w.triples + " " + w.friends + " --out " + w.graph).exit_code, 0);
  auto r = RunMelograph("stats " + w.graph);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"num_nodes: 4\n", "num_edges: 8\n", "nodes.user: 2\n", "edges.listened.user.song: 2\n",
                           "degree.max: 3\n", "components: 1\n", "largest_component_nodes: 4\n"})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " in\n" << r.output;
  EXPECT_NE(r.output.find("node type"), std::string::npos) << r.output;
  r = RunMelograph("stats --json " + w.graph);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"components\": 1"), std::string::npos) << r.output;
}

TEST(BuildGraphCli, stats_reports_a_corrupt_graph) {
  World w;
  ASSERT_EQ(RunMelograph("build-graph --triples " + w.triples + " --out " + w.graph).exit_code, 0);
  const std::string path = JoinPath(w.graph, "col_idx.i32");
  std::string bytes = testing::ReadFile(path);
  bytes[0] ^= 0x40;
  testing::WriteFile(path, bytes);
  auto r = RunMelograph("stats " + w.graph);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path + ": checksum mismatch"), std::string::npos) << r.output;
  r = RunMelograph("stats " + w.tmp.File("nowhere"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no such directory"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph

namespace melograph {
namespace {

// The triple reader's fast decimal path (kg_builder/triple_io.cc) must give exactly the float
// that from_chars gives, for every shape it accepts and every shape it hands on.
TEST(TripleWeights, fast_decimal_path_matches_from_chars) {
  const std::vector<std::string> weights = {"1", "0", "-0", "2.5", "-1", "0.1", "123.456", "-7.25", "3.14159265358979",
                                            "999999999999999", "0.000000000000001", "1234567890.12345", "1e3", "+2",
                                            ".5", "-.5", "1.5e-3", "16777217", "0.30000000000000004", "1.0000001"};
  testing::TempDir tmp;
  std::string text;
  for (const auto& w : weights) text += "user:a\tr\tsong:b\t" + w + "\n";
  testing::WriteFile(tmp.File("w.tsv"), text);
  TripleReader reader(tmp.File("w.tsv"), nullptr);
  TripleRecord t;
  for (const auto& w : weights) {
    ASSERT_TRUE(reader.Next(t)) << w;
    const auto expect = ParseDouble(w);
    ASSERT_TRUE(expect) << w;
    EXPECT_EQ(t.weight, static_cast<float>(*expect)) << w;
    EXPECT_EQ(std::signbit(t.weight), std::signbit(*expect)) << w;
  }
  EXPECT_FALSE(reader.Next(t));
}

}  // namespace
}  // namespace melograph
