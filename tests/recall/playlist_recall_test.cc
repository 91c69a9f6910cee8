#include "recall/playlist_recall.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "recall/evaluator.h"
#include "recall/top_k.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

//   user:a -listened(2)-> song:1, -listened(1)-> song:2, -follows_playlist-> playlist:q
//   user:b -listened(1)-> song:3, -follows_playlist-> playlist:p, -created-> playlist:q
//   user:c -listened(3)-> song:4, -follows_playlist-> playlist:q, -created-> playlist:p
//   playlist:p -contains-> song:1, song:2
//   playlist:q -contains-> song:2, song:3, song:4
//   playlist:r -contains-> song:4                (no creator, no follower)
// Local ids by key bytes: playlists p=0 q=1 r=2, songs 1..4 = 0..3, users a=0 b=1 c=2.
Graph PlaylistWorld() {
  return MakeGraph({{"user:a", "listened", "song:1", 2},       {"user:a", "listened", "song:2", 1},
                    {"user:b", "listened", "song:3", 1},       {"user:c", "listened", "song:4", 3},
                    {"user:a", "follows_playlist", "playlist:q"}, {"user:b", "follows_playlist", "playlist:p"},
                    {"user:c", "follows_playlist", "playlist:q"}, {"user:b", "created", "playlist:q"},
                    {"user:c", "created", "playlist:p"},       {"playlist:p", "contains", "song:1"},
                    {"playlist:p", "contains", "song:2"},      {"playlist:q", "contains", "song:2"},
                    {"playlist:q", "contains", "song:3"},      {"playlist:q", "contains", "song:4"},
                    {"playlist:r", "contains", "song:4"}});
}

// dim 2: songs 1 (1,0), 2 (0,1), 3 (1,1), 4 (2,0); users a (1,2), b (0,1), c (3,-1);
// learned playlist rows p (1,0), q (0,1), r (1,1).
testing::VectorFn Vectors(const Graph& g) {
  return [&g](NodeId v, int) -> std::vector<float> {
    static const std::map<std::string, std::vector<float>> rows = {
        {"song:1", {1, 0}},     {"song:2", {0, 1}},     {"song:3", {1, 1}},     {"song:4", {2, 0}},
        {"user:a", {1, 2}},     {"user:b", {0, 1}},     {"user:c", {3, -1}},    {"playlist:p", {1, 0}},
        {"playlist:q", {0, 1}}, {"playlist:r", {1, 1}}};
    return rows.at(g.Key(v));
  };
}

struct World {
  Graph graph = PlaylistWorld();
  PlaylistGraph playlists = PlaylistGraph::FromGraph(graph);
  Interactions follows = Interactions::FromGraph(graph, "user", "playlist", "follows_playlist");
  Interactions listened = Interactions::FromGraph(graph, "user", "song", "listened");
  testing::TempDir dir;
  World() {
    testing::FixtureRunOptions o;
    o.dim = 2;
    o.vectors = Vectors(graph);
    testing::WriteFixtureRun(dir.File("run"), graph, o);
  }
  std::vector<float> Row(const Scorer& s, int32_t user) const {
    std::vector<float> row(static_cast<size_t>(s.num_items()));
    const int32_t users[] = {user};
    s.ScoreUsers(users, row);
    return row;
  }
};

std::vector<int32_t> TopK(const std::vector<float>& row, std::span<const int32_t> excluded, int k) {
  std::vector<ScoredItem> top;
  SelectTopK(row, excluded, k, top);
  std::vector<int32_t> items;
  for (const ScoredItem& t : top)
    if (t.score != kNoScore) items.push_back(t.item);
  return items;
}

TEST(PlaylistRecall, playlist_graph_reads_songs_and_creators) {
  World w;
  ASSERT_EQ(w.playlists.num_playlists(), 3);
  EXPECT_EQ(std::vector<int32_t>(w.playlists.contains.items_of(1).begin(), w.playlists.contains.items_of(1).end()),
            (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(std::vector<int32_t>(w.playlists.created.users_of(0).begin(), w.playlists.created.users_of(0).end()),
            (std::vector<int32_t>{2}));
  EXPECT_EQ(w.playlists.created.users_of(2).size(), 0u);
}

TEST(PlaylistRecall, vectors_blend_the_mean_of_songs_with_the_creator) {
  World w;
  const EmbeddingMatrix songs = LoadEmbeddings(w.dir.File("run"), w.graph, "song");
  const EmbeddingMatrix users = LoadEmbeddings(w.dir.File("run"), w.graph, "user");
  const EmbeddingMatrix v = PlaylistVectorsFromSongs(w.playlists, songs, users, 0.25f);
  ASSERT_EQ(v.rows, 3);
  ASSERT_EQ(v.dim, 2);
  // p: 0.75 * mean((1,0),(0,1)) + 0.25 * c(3,-1) = (1.125, 0.125)
  EXPECT_FLOAT_EQ(v.row(0)[0], 1.125f);
  EXPECT_FLOAT_EQ(v.row(0)[1], 0.125f);
  // q: 0.75 * mean((0,1),(1,1),(2,0)) + 0.25 * b(0,1) = (0.75, 0.75)
  EXPECT_FLOAT_EQ(v.row(1)[0], 0.75f);
  EXPECT_FLOAT_EQ(v.row(1)[1], 0.75f);
  // r: no creator, its one song (2,0)
  EXPECT_FLOAT_EQ(v.row(2)[0], 2.0f);
  EXPECT_FLOAT_EQ(v.row(2)[1], 0.0f);
  // creator_weight 0: the plain mean of the songs.
  const EmbeddingMatrix mean = PlaylistVectorsFromSongs(w.playlists, songs, users, 0.0f);
  EXPECT_FLOAT_EQ(mean.row(1)[0], 1.0f);
  EXPECT_FLOAT_EQ(mean.row(1)[1], 2.0f / 3.0f);

  const PlaylistEmbeddingScorer scorer(users, v, &w.playlists, "songs");
  // a (1,2): p 1.375, q 2.25, r 2
  const std::vector<float> a = w.Row(scorer, 0);
  EXPECT_FLOAT_EQ(a[0], 1.375f);
  EXPECT_FLOAT_EQ(a[1], 2.25f);
  EXPECT_FLOAT_EQ(a[2], 2.0f);
  // c (3,-1): p is c's own playlist; q 1.5, r 6
  const std::vector<float> c = w.Row(scorer, 2);
  EXPECT_EQ(c[0], kNoScore);
  EXPECT_FLOAT_EQ(c[1], 1.5f);
  EXPECT_FLOAT_EQ(c[2], 6.0f);
  // a's training follow (q) is excluded: r then p.
  EXPECT_EQ(TopK(a, w.follows.items_of(0), 3), (std::vector<int32_t>{2, 0}));
}

TEST(PlaylistRecall, learned_rows_score_by_inner_product) {
  World w;
  const PlaylistEmbeddingScorer scorer(LoadEmbeddings(w.dir.File("run"), w.graph, "user"),
                                       LoadEmbeddings(w.dir.File("run"), w.graph, "playlist"), &w.playlists,
                                       "learned");
  const std::vector<float> a = w.Row(scorer, 0);  // a (1,2) . p (1,0), q (0,1), r (1,1)
  EXPECT_EQ(a, (std::vector<float>{1, 2, 3}));
  const std::vector<float> b = w.Row(scorer, 1);  // b made q
  EXPECT_EQ(b, (std::vector<float>{0, kNoScore, 1}));
}

TEST(PlaylistRecall, popular_baseline_ranks_by_followers_without_own_playlists) {
  World w;
  const PlaylistPopularChannel popular({&w.graph, &w.follows, 1}, &w.playlists);
  EXPECT_EQ(w.Row(popular, 0), (std::vector<float>{1, 2, 0}));
  EXPECT_EQ(w.Row(popular, 1), (std::vector<float>{1, kNoScore, 0}));
  EXPECT_EQ(TopK(w.Row(popular, 0), {}, 3), (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(popular.Explain(0, 1).path, "playlist:q <-follows_playlist- 2 users");
}

TEST(PlaylistRecall, overlap_baseline_sums_played_song_weights_over_sqrt_size) {
  World w;
  const auto overlap = MakePlaylistChannel("playlist-overlap", {&w.graph, &w.follows, 1}, &w.playlists, &w.listened);
  // a: p (2 + 1) / sqrt 2, q 1 / sqrt 3, r shares nothing.
  const std::vector<float> a = w.Row(*overlap, 0);
  EXPECT_FLOAT_EQ(a[0], 3.0f / std::sqrt(2.0f));
  EXPECT_FLOAT_EQ(a[1], 1.0f / std::sqrt(3.0f));
  EXPECT_EQ(a[2], kNoScore);
  // c: p is c's own; q 3 / sqrt 3, r 3 / 1.
  const std::vector<float> c = w.Row(*overlap, 2);
  EXPECT_EQ(c[0], kNoScore);
  EXPECT_FLOAT_EQ(c[1], 3.0f / std::sqrt(3.0f));
  EXPECT_FLOAT_EQ(c[2], 3.0f);
  EXPECT_EQ(TopK(c, {}, 3), (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(overlap->Explain(0, 0).path, "user:a -listened-> song:1 -rev_contains-> playlist:p (+1 more songs)");
  EXPECT_THROW(MakePlaylistChannel("mostpop", {&w.graph, &w.follows, 1}, &w.playlists, &w.listened), UsageError);
}

// Through the evaluator: user a's held-out follow is r. The embedding (songs + creator) ranks
// it first; the overlap baseline cannot rank it (no shared song); popularity puts it after p.
TEST(PlaylistRecall, evaluator_ranks_held_out_follows) {
  World w;
  testing::WriteFile(w.dir.File("test.tsv"), "user:a\tplaylist:r\n");
  const TestSet test = ReadTestSet(w.dir.File("test.tsv"), w.graph, "user", "playlist");
  EvalOptions o;
  o.ks = {1, 2};
  const EmbeddingMatrix users = LoadEmbeddings(w.dir.File("run"), w.graph, "user");
  const PlaylistEmbeddingScorer model(
      users, PlaylistVectorsFromSongs(w.playlists, LoadEmbeddings(w.dir.File("run"), w.graph, "song"), users, 0.25f),
      &w.playlists, "songs");
  const PlaylistPopularChannel popular({&w.graph, &w.follows, 1}, &w.playlists);
  const PlaylistOverlapChannel overlap({&w.graph, &w.follows, 1}, &w.playlists, &w.listened);
  const EvalResult m = Evaluate(w.follows, test, model, o);
  const EvalResult p = Evaluate(w.follows, test, popular, o);
  const EvalResult v = Evaluate(w.follows, test, overlap, o);
  EXPECT_EQ(m.recall, (std::vector<double>{1, 1}));
  EXPECT_EQ(p.recall, (std::vector<double>{0, 1}));
  EXPECT_DOUBLE_EQ(p.ndcg[1], 1.0 / std::log2(3.0));
  EXPECT_EQ(v.recall, (std::vector<double>{0, 0}));
}

TEST(PlaylistRecall, relations_touch_the_playlist_type) {
  const Graph g = PlaylistWorld();
  EXPECT_FALSE(RelationsTouchType(g, {"listened", "rev_listened"}, "playlist"));
  EXPECT_TRUE(RelationsTouchType(g, {"listened", "rev_contains"}, "playlist"));
  EXPECT_TRUE(RelationsTouchType(g, {"*"}, "playlist"));
  EXPECT_FALSE(RelationsTouchType(g, {"*"}, "album"));
}

// Through the binary: eval --target playlist and recall --playlists on the world above.
TEST(PlaylistRecall, cli_eval_target_playlist_and_recall_playlists) {
  testing::TempDir dir;
  const Graph graph = PlaylistWorld();
  SaveGraph(graph, dir.File("graph"));
  testing::FixtureRunOptions o;
  o.dim = 2;
  o.graph_dir = dir.File("graph");
  o.vectors = Vectors(graph);
  testing::WriteFixtureRun(dir.File("run"), graph, o);
  testing::WriteFile(dir.File("test.tsv"), "user:a\tplaylist:r\n");
  const std::string base = "--graph " + dir.File("graph") + " ";
  auto r = testing::RunMelograph("eval " + base + "--test " + dir.File("test.tsv") + " --target playlist --run " +
                                 dir.File("run") + " --creator-weight 0.25 --k 1,2 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The fixture run has no config.pbtxt: auto builds vectors from the songs.
  EXPECT_NE(r.output.find("# model: mean of song vectors + creator x 0.25"), std::string::npos) << r.output;
  for (const char* line : {"model.recall@1: 1.0000\n", "playlist-popular.recall@1: 0.0000\n",
                           "playlist-popular.recall@2: 1.0000\n", "playlist-overlap.recall@2: 0.0000\n"})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << r.output;
  // Learned rows: a (1,2) . p (1,0) = 1 < r (1,1) = 3, so r is still first.
  r = testing::RunMelograph("eval " + base + "--test " + dir.File("test.tsv") + " --target playlist --run " +
                            dir.File("run") + " --playlist-vectors learned --k 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("{\"model\": {"), 0u) << r.output;
  r = testing::RunMelograph("eval " + base + "--test " + dir.File("test.tsv") + " --target playlist --channel mostpop");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("drop --channel"), std::string::npos) << r.output;

  // One user's list: a follows q (excluded); default creator weight 0.1 gives
  // r (2,0).(1,2) = 2 and p (0.75,0.35).(1,2) = 1.45.
  r = testing::RunMelograph("recall " + base + "--playlists --user a --embeddings " + dir.File("run") +
                            " --playlist-vectors songs --k 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1\tplaylist:r\t2.0000\t1\t-\t"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2\tplaylist:p\t1.4500\t2\tuser:c\t"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("playlist:q"), std::string::npos) << r.output;
  r = testing::RunMelograph("recall " + base + "--playlists --user user:c --k 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1\tplaylist:r\t3.0000\t1\t-\tuser:c -listened-> song:4 -rev_contains-> playlist:r\n"),
            std::string::npos)
      << r.output;
  r = testing::RunMelograph("recall " + base + "--playlists --user nobody");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no user node 'user:nobody'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph
