// `melograph eval` and `melograph recall --channel` end to end, through the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

//   user:a ─ song:1 ─┐
//          └ song:2 ─┴─ artist:x ─ song:5
//   user:b ─ song:1 song:2 song:3
//   user:c ─ song:3 ─┐
//          └ song:4 ─┴─ artist:y -appears_in-> anime:z <-ost_of- song:6
// Listeners: song:1..3 two each, song:4 one, song:5 and song:6 none.
// test.tsv: user:a -> song:3; user:c -> song:6 and song:9 (song:9 is not in the graph).
Graph CliGraph() {
  return MakeGraph({{"user:a", "listened", "song:1"},
                    {"user:a", "listened", "song:2"},
                    {"user:b", "listened", "song:1"},
                    {"user:b", "listened", "song:2"},
                    {"user:b", "listened", "song:3"},
                    {"user:c", "listened", "song:3"},
                    {"user:c", "listened", "song:4"},
                    {"song:1", "by_artist", "artist:x"},
                    {"song:2", "by_artist", "artist:x"},
                    {"song:5", "by_artist", "artist:x"},
                    {"song:3", "by_artist", "artist:y"},
                    {"song:4", "by_artist", "artist:y"},
                    {"song:6", "ost_of", "anime:z"},
                    {"artist:y", "appears_in", "anime:z"}});
}

struct CliEnv {
  testing::TempDir dir;
  std::string graph_dir = dir.File("graph");
  std::string test = dir.File("test.tsv");
  CliEnv() {
    SaveGraph(CliGraph(), graph_dir);
    testing::WriteFile(
        test, "# user\titem\nuser:a\tsong:3\r\nuser:c\tsong:6\nuser:c\tsong:9\nuser:c\tsong:6\n");
  }
  std::string Base() const {
    return "eval --graph " + graph_dir + " --test " + test + " --threads 2 ";
  }
};

TEST(EvalCli, mostpop_prints_table_and_metric_lines) {
  CliEnv env;
  const auto r = testing::RunMelograph(env.Base() + "--channel mostpop --k 1,3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // user:a: top-1 song:3 (hit). user:c: song:1, song:2, song:5 (no hit, |test| = 2).
  EXPECT_NE(r.output.find("recall@1: 0.5000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("recall@3: 0.5000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("precision@1: 0.5000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("hit_rate@3: 0.5000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("users: 2\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unseen_pairs: 1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("test_pairs: 3\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cold_recall"), std::string::npos) << r.output;
}

TEST(EvalCli, kg_hop_finds_the_ost_song_and_json_output) {
  CliEnv env;
  const auto r = testing::RunMelograph(env.Base() + "--channel kg-hop --k 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // user:a: song:5 first (kg-hop), misses song:3; user:c: song:6 first, 1 of 2.
  EXPECT_NE(r.output.find("\"recall\": {\"1\": 0.25}"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"scorer\": \"kg-hop\""), std::string::npos) << r.output;
}

TEST(EvalCli, embedding_run_scores_by_inner_product) {
  CliEnv env;
  const Graph graph = LoadGraph(env.graph_dir);
  const NodeId a = *graph.Find("user:a"), c = *graph.Find("user:c");
  const NodeId s3 = *graph.Find("song:3"), s6 = *graph.Find("song:6");
  testing::FixtureRunOptions options;
  options.dim = 2;
  options.graph_dir = env.graph_dir;
  options.vectors = [&](NodeId v, int) {
    if (v == a || v == s3) return std::vector<float>{1, 0};
    if (v == c || v == s6) return std::vector<float>{0, 1};
    return std::vector<float>{0, 0};
  };
  testing::WriteFixtureRun(env.dir.File("run"), graph, options);
  auto r = testing::RunMelograph(env.Base() + "--run " + env.dir.File("run") + " --k 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("recall@1: 0.7500\n"), std::string::npos) << r.output;  // (1 + 1/2) / 2
  EXPECT_NE(r.output.find("ndcg@1: 1.0000\n"), std::string::npos) << r.output;

  // A corrupt run is refused with the file and the failed check named.
  std::string values = testing::ReadFile(env.dir.File("run/embeddings/shard-0.f32"));
  values[3] = static_cast<char>(values[3] ^ 0x40);
  testing::WriteFile(env.dir.File("run/embeddings/shard-0.f32"), values);
  r = testing::RunMelograph(env.Base() + "--run " + env.dir.File("run") + " --k 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("run/embeddings/shard-0.f32"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CRC-32"), std::string::npos) << r.output;
}

TEST(EvalCli, cold_max_selects_the_cold_test_items) {
  // Training listeners: song:3 two, song:6 none, song:9 unseen. kg-hop top-1: user:a song:5
  // (miss), user:c song:6 (hit). --cold-max 0: only user:c has cold items (song:6, song:9):
  // cold recall 1/2. --cold-max 2 (alias --cold-threshold): user:a's song:3 is cold too.
  CliEnv env;
  auto r = testing::RunMelograph(env.Base() + "--channel kg-hop --k 1 --cold-max 0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cold_recall@1: 0.5000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("users_with_cold: 1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cold_max: 0\n"), std::string::npos) << r.output;
  r = testing::RunMelograph(env.Base() + "--channel kg-hop --k 1 --cold-threshold 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cold_recall@1: 0.2500\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("users_with_cold: 2\n"), std::string::npos) << r.output;
}

double MetricValue(const std::string& output, const std::string& key) {
  const size_t at = output.find("\n" + key + ": ");
  if (at == std::string::npos) return -1;
  return std::stod(output.substr(at + key.size() + 3));
}

// The targets on the shared LightGCN Last.fm split, through the whole CLI path:
// import lightgcn -> build-graph -> eval --channel itemcf/usercf --item-type artist.
TEST(EvalCli, lightgcn_split_reaches_the_itemcf_and_usercf_targets) {
  const std::string data = testing::SharedData("lastfm-lightgcn");
  ASSERT_TRUE(std::filesystem::is_directory(data))
      << "shared dataset missing: " << data << " (see /work/shared/data)";
  testing::TempDir dir;
  auto r = testing::RunMelograph("import lightgcn --in " + data + " --out " + dir.File("lfm"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = testing::RunMelograph("build-graph --triples " + dir.File("lfm/train.tsv") + " --out " +
                            dir.File("graph"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string base = "eval --graph " + dir.File("graph") + " --test " +
                           dir.File("lfm/test.tsv") + " --item-type artist --k 20 --threads 2 ";
  r = testing::RunMelograph(base + "--channel itemcf");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The protocol's counts from the dataset README: 1858 test users, 10533 pairs, 41 unseen.
  EXPECT_NE(r.output.find("\nusers: 1858\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\ntest_pairs: 10533\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nunseen_pairs: 41\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nitems: 4476\n"), std::string::npos) << r.output;
  EXPECT_GE(MetricValue(r.output, "recall@20"), 0.26) << r.output;
  r = testing::RunMelograph(base + "--channel usercf");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GE(MetricValue(r.output, "recall@20"), 0.24) << r.output;
}

TEST(EvalCli, malformed_test_line_names_file_line_column_and_reason) {
  CliEnv env;
  testing::WriteFile(env.test, "user:a\tsong:3\nuser:c\tsong6\n");
  auto r = testing::RunMelograph(env.Base() + "--channel mostpop");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(env.test + ":2:8: bad item key 'song6': missing ':'"), std::string::npos)
      << r.output;
  testing::WriteFile(env.test, "user:a\tsong:3\tx\n");
  r = testing::RunMelograph(env.Base() + "--channel mostpop");
  EXPECT_NE(r.output.find(env.test + ":1:1: expected 2 tab-separated fields"), std::string::npos)
      << r.output;
  testing::WriteFile(env.test, "User:a\tsong:3\n");
  r = testing::RunMelograph(env.Base() + "--channel mostpop");
  EXPECT_NE(r.output.find(env.test + ":1:1: bad user key 'User:a'"), std::string::npos) << r.output;
}

TEST(EvalCli, usage_errors) {
  CliEnv env;
  auto r = testing::RunMelograph(env.Base() + "--k 10");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("exactly one of --run or --channel"), std::string::npos) << r.output;
  r = testing::RunMelograph(env.Base() + "--channel nope");
  EXPECT_NE(r.output.find("unknown channel 'nope'"), std::string::npos) << r.output;
  r = testing::RunMelograph(env.Base() + "--channel genre-hot");
  EXPECT_NE(r.output.find("needs relation has_genre"), std::string::npos) << r.output;
  r = testing::RunMelograph(env.Base() + "--channel mostpop --k 0");
  EXPECT_NE(r.output.find("--k"), std::string::npos) << r.output;
}

TEST(RecallCli, user_list_shows_channel_and_reason_path) {
  CliEnv env;
  auto r = testing::RunMelograph("recall --graph " + env.graph_dir +
                                 " --channel artist --user user:a --k 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("1\tsong:5\t2.0000\tartist\tuser:a -listened-> song:1 -by_artist-> artist:x "
                    "-rev_by_artist-> song:5 (0 users)\n"),
      std::string::npos)
      << r.output;
  r = testing::RunMelograph("recall --graph " + env.graph_dir +
                            " --channel mix --mix itemcf:1,artist:1,mostpop:1 --user user:a");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(
                "1\tsong:3\t3.0000\titemcf\tuser:a -listened-> song:1 -similar(0.500)-> song:3"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("3\tsong:4\t1.0000\tmostpop\tsong:4 <-listened- 1 users"),
            std::string::npos)
      << r.output;
  r = testing::RunMelograph("recall --graph " + env.graph_dir + " --channel itemcf --user user:zz");
  EXPECT_NE(r.output.find("--user: no user node 'user:zz'"), std::string::npos) << r.output;
}

TEST(RecallCli, all_users_to_a_file) {
  CliEnv env;
  const std::string out = env.dir.File("lists.tsv");
  const auto r = testing::RunMelograph("recall --graph " + env.graph_dir +
                                       " --channel mostpop --k 2 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(testing::ReadFile(out),
            "# user\trank\titem\tscore\tchannel\n"
            "user:a\t1\tsong:3\t2.0000\tmostpop\n"
            "user:a\t2\tsong:4\t1.0000\tmostpop\n"
            "user:b\t1\tsong:4\t1.0000\tmostpop\n"
            "user:b\t2\tsong:5\t0.0000\tmostpop\n"
            "user:c\t1\tsong:1\t2.0000\tmostpop\n"
            "user:c\t2\tsong:2\t2.0000\tmostpop\n");
}

}  // namespace
}  // namespace melograph
