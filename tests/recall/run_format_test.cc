// Run directories: writing with RunShardWriter/FinalizeRun, loading with LoadEmbeddings, and
// every corrupt or mismatched case naming its file. Graph and run: tests/recall/run_fixture.h.
#include "recall/run_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "graph/graph_io.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::FixtureGraph;
using testing::FixtureVector;
using testing::TempDir;
using testing::WriteFixtureRun;

// Expects `fn` to throw FormatError whose message contains every fragment.
template <typename Fn>
void ExpectFormatError(Fn fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "no FormatError thrown";
  } catch (const FormatError& e) {
    for (const std::string& f : fragments)
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

void FlipByte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x40));
}

TEST(RunFormat, load_aligns_rows_with_graph_numbering) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  const EmbeddingMatrix songs = LoadEmbeddings(tmp.File("run"), graph, "song");
  EXPECT_EQ(songs.node_type, "song");
  EXPECT_EQ(songs.first_node, 2);
  EXPECT_EQ(songs.rows, 4);
  EXPECT_EQ(songs.dim, 4);
  for (int64_t i = 0; i < songs.rows; ++i) {
    const std::vector<float> expected = FixtureVector(static_cast<NodeId>(2 + i), 4);
    for (int j = 0; j < 4; ++j)
      EXPECT_EQ(songs.row(i)[j], expected[static_cast<size_t>(j)]) << i << "," << j;
  }
  const EmbeddingMatrix users = LoadEmbeddings(tmp.File("run"), graph, "user");
  EXPECT_EQ(users.first_node, 6);
  EXPECT_EQ(users.rows, 2);
  EXPECT_EQ(users.row(1)[3], FixtureVector(7, 4)[3]);
}

TEST(RunFormat, manifest_records_header_and_non_contiguous_shards) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  const RunReader run(tmp.File("run"));
  EXPECT_EQ(run.info().model, "fixture");
  EXPECT_EQ(run.dim(), 4);
  EXPECT_EQ(run.info().epoch, 3);
  EXPECT_EQ(run.info().step, 120);
  EXPECT_EQ(run.info().seed, 7u);
  EXPECT_EQ(run.info().graph_num_nodes, 8);
  EXPECT_EQ(run.info().graph_fingerprint, GraphFingerprint(graph));
  ASSERT_EQ(run.shards().size(), 2u);
  EXPECT_EQ(run.shards()[0].rows, 4);
  EXPECT_EQ(run.shards()[0].RowsOf("song"), 2);  // songs 2 and 4
  EXPECT_EQ(run.shards()[1].RowsOf("user"), 1);  // user 7
  const std::vector<std::pair<std::string, int64_t>> totals = {
      {"artist", 2}, {"song", 4}, {"user", 2}};
  EXPECT_EQ(run.type_rows(), totals);
  const RunReader::Shard shard = run.OpenShard(1);
  EXPECT_EQ(std::vector<NodeId>(shard.ids.begin(), shard.ids.end()),
            (std::vector<NodeId>{7, 5, 3, 1}));
  EXPECT_EQ(shard.row(0)[0], FixtureVector(7, 4)[0]);
  EXPECT_NO_THROW(run.CheckIds(graph));
}

TEST(RunFormat, truncated_values_file_names_file) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  std::filesystem::resize_file(tmp.File("run/embeddings/shard-1.f32"), 60);
  ExpectFormatError([&] { LoadEmbeddings(tmp.File("run"), graph, "song"); },
                    {"run/embeddings/shard-1.f32", "size 60 bytes, expected 64", "truncated"});
}

TEST(RunFormat, flipped_byte_fails_checksum) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  FlipByte(tmp.File("run/embeddings/shard-0.f32"), 17);
  ExpectFormatError([&] { LoadEmbeddings(tmp.File("run"), graph, "artist"); },
                    {"run/embeddings/shard-0.f32", "CRC-32", "corrupt"});
}

TEST(RunFormat, dimension_mismatch_between_shards_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  const std::string run = tmp.File("run");
  RunInfo info = RunInfo::ForGraph(graph, "", 4, 2);
  RunInfo narrow = info;
  narrow.dim = 3;
  RunShardWriter w0(run, 0, info);
  w0.Add(0, FixtureVector(0, 4));
  EXPECT_THROW(w0.Add(2, FixtureVector(2, 3)), UsageError);  // wrong row length at the boundary
  w0.Commit();
  RunShardWriter w1(run, 1, narrow);
  w1.Add(1, FixtureVector(1, 3));
  w1.Commit();
  ExpectFormatError([&] { FinalizeRun(run, info); },
                    {"run/embeddings/shard-1.pb", "dimension 3", "has 4"});
}

TEST(RunFormat, values_file_of_another_dimension_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  testing::FixtureRunOptions o;
  o.num_shards = 1;
  WriteFixtureRun(tmp.File("run"), graph, o);
  // Replace the values with a dim-3 file of the right row count: size no longer matches.
  testing::WriteFile(tmp.File("run/embeddings/shard-0.f32"), std::string(8 * 3 * 4, '\0'));
  ExpectFormatError([&] { LoadEmbeddings(tmp.File("run"), graph, "song"); },
                    {"shard-0.f32", "size 96 bytes, expected 128", "wrong dimension"});
}

TEST(RunFormat, duplicate_id_across_shards_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  const std::string run = tmp.File("run");
  const RunInfo info = RunInfo::ForGraph(graph, "", 2, 2);
  for (int k = 0; k < 2; ++k) {
    RunShardWriter w(run, k, info);
    for (NodeId v = 0; v < graph.num_nodes(); ++v) {
      if (v % 2 == k || v == 3) w.Add(v, FixtureVector(v, 2));  // song:q (3) in both shards
    }
    w.Commit();
  }
  FinalizeRun(run, info);
  ExpectFormatError([&] { LoadEmbeddings(run, graph, "song"); },
                    {"run/embeddings/shard-1.ids", "row 1", "song:q", "already has a row"});
  ExpectFormatError([&] { RunReader(run).CheckIds(graph); },
                    {"shard-1.ids", "song:q", "already has a row"});
}

TEST(RunFormat, id_out_of_range_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  const std::string run = tmp.File("run");
  // A writer that believes the graph is larger (same fingerprint) writes node 12.
  RunInfo info = RunInfo::ForGraph(graph, "", 2, 1);
  info.graph_num_nodes = 20;
  info.node_types.back().count = 14;
  RunShardWriter w(run, 0, info);
  w.Add(12, FixtureVector(12, 2));
  EXPECT_THROW(w.Add(25, FixtureVector(25, 2)), UsageError);
  w.Commit();
  FinalizeRun(run, info);
  ExpectFormatError(
      [&] { LoadEmbeddings(run, graph, "user"); },
      {"run/embeddings/shard-0.ids", "row 0", "node id 12", "outside the graph's [0, 8)"});
}

TEST(RunFormat, missing_rows_are_reported_with_first_key) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  const std::string run = tmp.File("run");
  const RunInfo info = RunInfo::ForGraph(graph, "", 2, 1);
  RunShardWriter w(run, 0, info);
  for (NodeId v : {2, 5}) w.Add(v, FixtureVector(v, 2));
  w.Commit();
  FinalizeRun(run, info);
  ExpectFormatError([&] { LoadEmbeddings(run, graph, "song"); },
                    {"run/manifest.pb", "'song': 2 of 4 rows missing (first: song:q)"});
  ExpectFormatError([&] { LoadEmbeddings(run, graph, "user"); },
                    {"no rows of node type 'user'", "song"});
}

TEST(RunFormat, run_for_a_different_graph_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  const Graph other =
      MakeGraph({{"user:a", "listened", "song:p"}, {"user:b", "listened", "song:z"}});
  ExpectFormatError([&] { LoadEmbeddings(tmp.File("run"), other, "song"); },
                    {"run/manifest.pb", "different graph", "8 nodes"});
}

TEST(RunFormat, graph_manifest_checksum_is_checked_when_known) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  SaveGraph(graph, tmp.File("g1"), GraphBuildInfo{{"a.tsv"}, {}, "sum", 9, 0});
  SaveGraph(graph, tmp.File("g2"), GraphBuildInfo{{"b.tsv"}, {}, "sum", 9, 0});
  testing::FixtureRunOptions o;
  o.graph_dir = tmp.File("g1");
  WriteFixtureRun(tmp.File("run"), graph, o);
  const RunReader run(tmp.File("run"));
  EXPECT_NE(run.info().graph_manifest_crc32, 0u);
  EXPECT_NO_THROW(run.CheckGraph(graph, tmp.File("g1")));
  ExpectFormatError([&] { run.CheckGraph(graph, tmp.File("g2")); },
                    {"run/manifest.pb", "manifest CRC-32", "g2"});
}

TEST(RunFormat, missing_manifest_or_shard_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  testing::FixtureRunOptions o;
  o.finalize = false;
  const RunInfo info = WriteFixtureRun(tmp.File("run"), graph, o);
  ExpectFormatError([&] { LoadEmbeddings(tmp.File("run"), graph, "song"); },
                    {"run/manifest.pb", "missing"});
  std::filesystem::remove(tmp.File("run/embeddings/shard-1.pb"));
  ExpectFormatError([&] { FinalizeRun(tmp.File("run"), info); },
                    {"run/embeddings/shard-1.pb", "shard 1 of 2 was not written"});
}

TEST(RunFormat, garbage_manifest_is_refused) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  testing::WriteFile(tmp.File("run/manifest.pb"), "\xff\xff\xff garbage");
  ExpectFormatError([&] { RunReader r(tmp.File("run")); }, {"run/manifest.pb"});
}

TEST(RunFormat, writing_twice_gives_identical_bytes) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("a"), graph);
  WriteFixtureRun(tmp.File("b"), graph);
  for (const char* f : {"manifest.pb", "embeddings/shard-0.ids", "embeddings/shard-1.f32"}) {
    EXPECT_EQ(testing::ReadFile(tmp.File(std::string("a/") + f)),
              testing::ReadFile(tmp.File(std::string("b/") + f)))
        << f;
  }
}

}  // namespace
}  // namespace melograph
