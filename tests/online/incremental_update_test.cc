// Incremental updates (online/incremental_update.h): a tiny trained graph + run, new events that
// add one user and one song, and what the updated graph and run must hold.
//
//   user:a -listened-> song:1, song:2            song:1, song:2 -by_artist-> artist:x
//   user:b -listened-> song:2, song:3            song:3, song:4 -by_artist-> artist:y
//   user:c -listened-> song:4                    user:a -friend- user:b (symmetric)
//
// Run (dim 4, 2 shards): songs 1, 2 point along e0 and songs 3, 4 along e1; user a along e0,
// c along e1, b between; artists along e2 / e3.
// New events: user:n (new) full-plays song:3, likes song:4, skips song:1 and plays song:5 (new,
// by artist:y in the catalog); user:c plays song:5; user:a likes song:1 again.
#include "online/incremental_update.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "common/error.h"
#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "online/graph_merge.h"
#include "recall/run_format.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::TempDir;
using testing::WriteFile;

const std::map<std::string, std::vector<float>> kRows = {
    {"song:1", {1.0f, 0.0f, 0.1f, 0.0f}},  {"song:2", {0.9f, 0.1f, 0.0f, 0.0f}},
    {"song:3", {0.0f, 1.0f, 0.0f, 0.1f}},  {"song:4", {0.1f, 0.9f, 0.0f, 0.0f}},
    {"user:a", {1.0f, 0.0f, 0.0f, 0.0f}},  {"user:b", {0.5f, 0.5f, 0.0f, 0.0f}},
    {"user:c", {0.0f, 1.0f, 0.0f, 0.0f}},  {"artist:x", {0.0f, 0.0f, 1.0f, 0.0f}},
    {"artist:y", {0.0f, 0.0f, 0.0f, 1.0f}},
};

struct Fixture {
  TempDir dir;
  std::string graph_dir = dir.File("graph");
  std::string run_dir = dir.File("run");
  std::string events = dir.File("events.tsv");
  std::string catalog = dir.File("catalog");
  std::string out = dir.File("out");

  Fixture() {
    GraphBuildOptions options;
    options.symmetric_relations = {"friend"};
    const Graph g = MakeGraph({{"user:a", "listened", "song:1", std::log1p(2.0f)},
                               {"user:a", "listened", "song:2", 1.0f},
                               {"user:b", "listened", "song:2", 1.0f},
                               {"user:b", "listened", "song:3", 1.0f},
                               {"user:c", "listened", "song:4", 1.0f},
                               {"song:1", "by_artist", "artist:x"},
                               {"song:2", "by_artist", "artist:x"},
                               {"song:3", "by_artist", "artist:y"},
                               {"song:4", "by_artist", "artist:y"},
                               {"user:a", "friend", "user:b"}},
                              options);
    GraphBuildInfo info;
    info.symmetric_relations = {"friend"};
    SaveGraph(g, graph_dir, info);
    RunInfo run = RunInfo::ForGraph(g, graph_dir, 4, 2);
    run.model = "fixture";
    for (int k = 0; k < 2; ++k) {
      RunShardWriter writer(run_dir, k, run);
      for (NodeId v = g.num_nodes() - 1; v >= 0; --v)
        if (v % 2 == k) writer.Add(v, kRows.at(g.Key(v)));
      writer.Commit();
    }
    FinalizeRun(run_dir, run);
    WriteFile(events,
              "# user_id\tsong_id\tevent\ttimestamp\n"
              "n\t3\tfull_play\t100\n"
              "n\t4\tlike\t101\n"
              "n\t1\tskip\t102\n"
              "n\t5\tplay\t103\n"
              "c\t5\tfull_play\t104\n"
              "a\t1\tlike\t105\n");
    WriteFile(catalog + "/songs.tsv",
              "1\tOne\tx\t\t\t\t\t\n2\tTwo\tx\t\t\t\t\t\n3\tThree\ty\t\t\t\t\t\n"
              "4\tFour\ty\t\t\t\t\t\n5\tFive\ty\t\t\t\t2024\t\n");
  }

  UpdateOptions Options(bool with_catalog = true) const {
    UpdateOptions o;
    o.run_dir = run_dir;
    o.graph_dir = graph_dir;
    o.out_dir = out;
    o.delta.events_path = events;
    if (with_catalog) o.delta.catalog_dir = catalog;
    o.fold.fold.steps = 20;
    o.fold.fold.negatives = 8;
    o.fold.fold.seed = 11;
    return o;
  }
};

// key -> row of every row in a run (read through the graph the run belongs to).
std::map<std::string, std::vector<float>> ReadRows(const std::string& run_dir, const Graph& g) {
  std::map<std::string, std::vector<float>> rows;
  const RunReader reader(run_dir);
  for (int k = 0; k < reader.info().num_shards; ++k) {
    const RunReader::Shard shard = reader.OpenShard(k);
    for (size_t i = 0; i < shard.ids.size(); ++i) {
      const float* r = shard.row(static_cast<int64_t>(i));
      rows[g.Key(shard.ids[i])] = std::vector<float>(r, r + reader.dim());
    }
  }
  return rows;
}

float Dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

TEST(IncrementalUpdate, adds_user_song_and_edges_and_keeps_old_rows_bit_identical) {
  Fixture f;
  const UpdateStats st = RunIncrementalUpdate(f.Options());
  EXPECT_EQ(st.events_read, 6);
  EXPECT_EQ(st.new_users, 1);
  EXPECT_EQ(st.new_songs, 1);
  EXPECT_EQ(st.new_other_nodes, 0);
  EXPECT_EQ(st.reweighted_edges, 1);  // a -listened-> 1
  // listened n->3, n->4, n->5, c->5; rejected n->1; catalog song:5 -by_artist-> artist:y.
  EXPECT_EQ(st.new_edges, 6);
  EXPECT_EQ(st.catalog_triples, 1);
  EXPECT_EQ(st.old_rows, 9);
  EXPECT_EQ(st.new_rows, 2);

  const Graph old_graph = LoadGraph(f.graph_dir);
  const Graph g = LoadGraph(f.out + "/graph");
  EXPECT_EQ(g.num_nodes(), old_graph.num_nodes() + 2);
  const NodeId n = *g.Find("user:n"), s5 = *g.Find("song:5"), s1 = *g.Find("song:1");
  EXPECT_FLOAT_EQ(*FindEdgeWeight(g, n, "listened", *g.Find("song:3")), std::log1p(2.0f));
  EXPECT_FLOAT_EQ(*FindEdgeWeight(g, n, "listened", *g.Find("song:4")), std::log1p(5.0f));
  EXPECT_FLOAT_EQ(*FindEdgeWeight(g, n, "rejected", s1), -std::log1p(1.0f));
  EXPECT_FLOAT_EQ(*FindEdgeWeight(g, s5, "by_artist", *g.Find("artist:y")), 1.0f);
  // Old weight log1p(2) stands for P = 2; a like adds 5: log1p(7).
  EXPECT_NEAR(*FindEdgeWeight(g, *g.Find("user:a"), "listened", s1), std::log1p(7.0), 1e-6);
  EXPECT_TRUE(FindEdgeWeight(g, *g.Find("user:a"), "friend", *g.Find("user:b")).has_value());

  const auto old_rows = ReadRows(f.run_dir, old_graph);
  const auto rows = ReadRows(f.out + "/run", g);
  ASSERT_EQ(rows.size(), old_rows.size() + 2);
  for (const auto& [key, row] : old_rows) {
    ASSERT_TRUE(rows.count(key)) << key;
    EXPECT_EQ(std::memcmp(rows.at(key).data(), row.data(), row.size() * sizeof(float)), 0) << key;
  }
  ASSERT_TRUE(rows.count("user:n"));
  ASSERT_TRUE(rows.count("song:5"));
}

TEST(IncrementalUpdate, new_user_scores_played_songs_above_the_others) {
  Fixture f;
  RunIncrementalUpdate(f.Options());
  const Graph g = LoadGraph(f.out + "/graph");
  const auto rows = ReadRows(f.out + "/run", g);
  const auto& n = rows.at("user:n");
  for (const char* played : {"song:3", "song:4"})
    for (const char* other : {"song:1", "song:2"})
      EXPECT_GT(Dot(n, rows.at(played)), Dot(n, rows.at(other))) << played << " vs " << other;
  // The new song sits with artist:y's songs: user:c (who played it) scores it above user:a.
  const auto& s5 = rows.at("song:5");
  EXPECT_GT(Dot(rows.at("user:c"), s5), Dot(rows.at("user:a"), s5));
  EXPECT_GT(Dot(n, s5), Dot(n, rows.at("song:1")));
}

TEST(IncrementalUpdate, updated_run_passes_the_readers_checks_for_the_updated_graph_only) {
  Fixture f;
  RunIncrementalUpdate(f.Options());
  const Graph g = LoadGraph(f.out + "/graph");
  const RunReader reader(f.out + "/run");
  EXPECT_NO_THROW(reader.CheckGraph(g, f.out + "/graph"));
  EXPECT_NO_THROW(reader.CheckIds(g));
  for (const NodeType& t : g.node_types())
    EXPECT_NO_THROW(LoadEmbeddings(f.out + "/run", g, t.name)) << t.name;
  EXPECT_EQ(reader.info().model, "fixture");
  const Graph old_graph = LoadGraph(f.graph_dir);
  EXPECT_THROW(reader.CheckGraph(old_graph, f.graph_dir), FormatError);
  // The old run does not fit the new graph either.
  EXPECT_THROW(RunReader(f.run_dir).CheckGraph(g, f.out + "/graph"), FormatError);
}

TEST(IncrementalUpdate, same_seed_same_bytes_other_seed_other_rows) {
  Fixture f;
  RunIncrementalUpdate(f.Options());
  const std::string a0 = testing::ReadFile(f.out + "/run/embeddings/shard-0.f32");
  const std::string a1 = testing::ReadFile(f.out + "/run/embeddings/shard-1.f32");
  UpdateOptions again = f.Options();
  again.out_dir = f.dir.File("again");
  RunIncrementalUpdate(again);
  EXPECT_EQ(testing::ReadFile(again.out_dir + "/run/embeddings/shard-0.f32"), a0);
  EXPECT_EQ(testing::ReadFile(again.out_dir + "/run/embeddings/shard-1.f32"), a1);
  UpdateOptions other = f.Options();
  other.out_dir = f.dir.File("other");
  other.fold.fold.seed = 12;
  RunIncrementalUpdate(other);
  EXPECT_NE(testing::ReadFile(other.out_dir + "/run/embeddings/shard-0.f32") +
                testing::ReadFile(other.out_dir + "/run/embeddings/shard-1.f32"),
            a0 + a1);
}

TEST(IncrementalUpdate, refresh_existing_recomputes_only_the_named_existing_users) {
  Fixture f;
  UpdateOptions o = f.Options();
  o.refresh_existing = true;
  const UpdateStats st = RunIncrementalUpdate(o);
  EXPECT_EQ(st.refreshed_rows, 2);  // user:a and user:c are named by the events
  const Graph old_graph = LoadGraph(f.graph_dir);
  const Graph g = LoadGraph(f.out + "/graph");
  const auto old_rows = ReadRows(f.run_dir, old_graph);
  const auto rows = ReadRows(f.out + "/run", g);
  EXPECT_NE(rows.at("user:a"), old_rows.at("user:a"));
  EXPECT_NE(rows.at("user:c"), old_rows.at("user:c"));
  EXPECT_EQ(rows.at("user:b"), old_rows.at("user:b"));
  EXPECT_EQ(rows.at("song:1"), old_rows.at("song:1"));
}

TEST(IncrementalUpdate, without_catalog_new_songs_come_from_the_events_alone) {
  Fixture f;
  const UpdateStats st = RunIncrementalUpdate(f.Options(/*with_catalog=*/false));
  EXPECT_EQ(st.new_songs, 1);
  EXPECT_EQ(st.catalog_triples, 0);
  EXPECT_EQ(st.fold.items_with_kg_prior, 0);
  EXPECT_EQ(st.fold.items_with_colisten_prior, 1);
  const Graph g = LoadGraph(f.out + "/graph");
  EXPECT_FALSE(FindEdgeWeight(g, *g.Find("song:5"), "by_artist", *g.Find("artist:y")));
}

TEST(IncrementalUpdate, songs_in_neither_graph_nor_catalog_are_dropped_and_counted) {
  Fixture f;
  WriteFile(f.events, "n\t3\tplay\t1\nn\t99\tplay\t2\nc\t99\tlike\t3\n");
  const UpdateStats st = RunIncrementalUpdate(f.Options());
  EXPECT_EQ(st.unknown_song_events, 2);
  ASSERT_EQ(st.first_unknown_songs.size(), 1u);
  EXPECT_EQ(st.first_unknown_songs[0], "99");
  EXPECT_EQ(st.new_songs, 0);
  EXPECT_FALSE(LoadGraph(f.out + "/graph").Find("song:99"));
}

TEST(IncrementalUpdate, bad_events_are_rejected_with_file_and_line_and_nothing_is_written) {
  Fixture f;
  WriteFile(f.events, "n\t3\tplay\t1\nn\t4\treplay\t2\n");
  try {
    RunIncrementalUpdate(f.Options());
    FAIL() << "unknown event accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), f.events);
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("unknown event 'replay'"), std::string::npos);
  }
  WriteFile(f.events, "# header\nn\t3\tplay\n");
  try {
    RunIncrementalUpdate(f.Options());
    FAIL() << "3-field line accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("found 3"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(f.out));
}

TEST(IncrementalUpdate, a_run_of_another_graph_is_refused) {
  Fixture f;
  const Graph other = MakeGraph({{"user:z", "listened", "song:9"}});
  SaveGraph(other, f.dir.File("other_graph"));
  UpdateOptions o = f.Options();
  o.graph_dir = f.dir.File("other_graph");
  EXPECT_THROW(RunIncrementalUpdate(o), FormatError);
}

TEST(GraphMerge, empty_delta_reproduces_the_graph_with_symmetric_edges) {
  Fixture f;
  const Graph g = LoadGraph(f.graph_dir);
  GraphMergeStats st;
  const Graph m = MergeGraph(g, {}, {"friend", "co_ost", "co_show"}, &st);
  EXPECT_EQ(st.new_nodes, 0);
  EXPECT_EQ(GraphFingerprint(m), GraphFingerprint(g));
  ASSERT_EQ(m.num_edges(), g.num_edges());
  EXPECT_TRUE(std::equal(g.col_idx().begin(), g.col_idx().end(), m.col_idx().begin()));
  EXPECT_TRUE(std::equal(g.edge_weight().begin(), g.edge_weight().end(), m.edge_weight().begin()));
  EXPECT_TRUE(std::equal(g.row_ptr().begin(), g.row_ptr().end(), m.row_ptr().begin()));
}

TEST(GraphMerge, new_nodes_shift_ids_and_old_nodes_are_mapped_by_key) {
  Fixture f;
  const Graph g = LoadGraph(f.graph_dir);
  // "song:0" sorts before every old song, so all song ids (and later types') shift by one.
  const Graph m = MergeGraph(g, {{"user:a", "listened", "song:0", 1.0f, false}}, {});
  const std::vector<NodeId> map = MapOldNodes(g, m);
  for (NodeId v = 0; v < g.num_nodes(); ++v) EXPECT_EQ(m.Key(map[static_cast<size_t>(v)]), g.Key(v));
  EXPECT_NE(map[static_cast<size_t>(*g.Find("song:1"))], *g.Find("song:1"));
}

}  // namespace
}  // namespace melograph
