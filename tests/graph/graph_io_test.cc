#include "graph/graph_io.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/anonymous_array.h"
#include "common/crc32.h"
#include "common/error.h"
#include "common/file_util.h"
#include "graph/graph_builder.h"
#include "graph/graph_files.h"
#include "proto/graph_manifest.pb.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// Node ids (types by name, ids by bytes):  artist:a=0  song:s1=1  song:s2=2  user:u1=3  user:u2=4
//
//   u1 --listened(2)--> s1 --by--> a
//   u1 --listened(1)--> s2 --by--> a
//   u2 --listened(5)--> s2
//   u1 --friend-- u2      (symmetric)
Graph TinyStored() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph({{"user:u1", "listened", "song:s1", 2.0f},
                    {"user:u1", "listened", "song:s2", 1.0f},
                    {"user:u2", "listened", "song:s2", 5.0f},
                    {"song:s1", "by", "artist:a", 1.0f},
                    {"song:s2", "by", "artist:a", 1.0f},
                    {"user:u2", "friend", "user:u1", 1.0f}},
                   opt);
}

template <typename T>
std::vector<T> Vec(std::span<const T> s) {
  return std::vector<T>(s.begin(), s.end());
}

void ExpectSameGraph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  EXPECT_EQ(Vec(a.row_ptr()), Vec(b.row_ptr()));
  EXPECT_EQ(Vec(a.col_idx()), Vec(b.col_idx()));
  EXPECT_EQ(Vec(a.edge_relation()), Vec(b.edge_relation()));
  EXPECT_EQ(Vec(a.edge_weight()), Vec(b.edge_weight()));
  ASSERT_EQ(a.node_types().size(), b.node_types().size());
  for (size_t t = 0; t < a.node_types().size(); ++t) {
    EXPECT_EQ(a.node_types()[t].name, b.node_types()[t].name);
    EXPECT_EQ(a.node_types()[t].begin, b.node_types()[t].begin);
    EXPECT_EQ(a.node_types()[t].count, b.node_types()[t].count);
  }
  ASSERT_EQ(a.relations().size(), b.relations().size());
  for (size_t r = 0; r < a.relations().size(); ++r) {
    const Relation &x = a.relations()[r], &y = b.relations()[r];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.head_type, y.head_type);
    EXPECT_EQ(x.tail_type, y.tail_type);
    EXPECT_EQ(x.is_reverse, y.is_reverse);
    EXPECT_EQ(x.symmetric, y.symmetric);
    EXPECT_EQ(x.inverse, y.inverse);
    EXPECT_EQ(x.edge_count, y.edge_count);
  }
  for (NodeId v = 0; v < a.num_nodes(); ++v) {
    EXPECT_EQ(a.Key(v), b.Key(v));
    EXPECT_EQ(b.Find(a.Key(v)), v);
  }
}

// Expects LoadGraph(dir) to throw FormatError whose message names `file` and contains `reason`.
void ExpectFormatError(const std::string& dir, const std::string& file, const std::string& reason,
                       bool verify = true) {
  try {
    LoadGraph(dir, verify);
    FAIL() << "expected a FormatError naming " << file;
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(JoinPath(dir, file)), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what;
  }
}

proto::GraphManifest ReadManifestFile(const std::string& dir) {
  proto::GraphManifest m;
  EXPECT_TRUE(m.ParseFromString(ReadWholeFile(JoinPath(dir, "manifest.pb"))));
  return m;
}

TEST(GraphIo, round_trip_preserves_every_array_key_and_relation) {
  testing::TempDir tmp;
  const Graph g = TinyStored();
  const std::string dir = tmp.File("g");
  SaveGraph(g, dir);
  ExpectSameGraph(g, LoadGraph(dir));
  ExpectSameGraph(g, LoadGraph(dir, /*verify_checksums=*/false));
  EXPECT_EQ(LoadGraph(dir).Find("user:u2"), 4);
  EXPECT_EQ(LoadGraph(dir).KeyId(1), "s1");
}

TEST(GraphFiles, a_released_array_is_written_whole_and_discarded_piece_by_piece) {
  // Three 4 MiB pieces and a partial fourth: the file and its CRC hold every value, and the
  // array's whole pages read zero afterwards (its partial last page stays).
  const size_t n = 3 * kReleasePieceBytes / sizeof(int32_t) + 1000;
  AnonymousArray<int32_t> a(n);
  std::vector<int32_t> want(n);
  for (size_t i = 0; i < n; ++i) a[i] = want[i] = static_cast<int32_t>(i * 3 + 1);
  testing::TempDir tmp;
  const proto::GraphFile record = WriteArrayFile(tmp.File("a.i32"), "a.i32", "int32",
                                                 std::span<const int32_t>(a.data(), n), &a);
  EXPECT_EQ(record.element_count(), static_cast<int64_t>(n));
  EXPECT_EQ(record.size_bytes(), static_cast<int64_t>(n * sizeof(int32_t)));
  EXPECT_EQ(record.crc32(), Crc32(want.data(), n * sizeof(int32_t)));
  const std::string bytes = ReadWholeFile(tmp.File("a.i32"));
  ASSERT_EQ(bytes.size(), n * sizeof(int32_t));
  EXPECT_EQ(std::memcmp(bytes.data(), want.data(), bytes.size()), 0);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[n / 2], 0);
  EXPECT_EQ(a[n - 1], want[n - 1]);  // 4,000 bytes into its page: not a whole page
  // Without `release` (or with an array that does not hold the values) nothing is discarded.
  AnonymousArray<int32_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = want[i];
  WriteArrayFile(tmp.File("b.i32"), "b.i32", "int32", std::span<const int32_t>(b.data(), n));
  WriteArrayFile(tmp.File("c.i32"), "c.i32", "int32", std::span<const int32_t>(b.data(), n - 1),
                 &b);
  EXPECT_EQ(b[n / 2], want[n / 2]);
  EXPECT_EQ(ReadWholeFile(tmp.File("b.i32")), bytes);
}

// The arrays and every 97th key (ExpectSameGraph's per-node lookups are quadratic under the dev
// preset's checked iterators at this size).
void ExpectSameCsr(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  EXPECT_TRUE(Vec(a.row_ptr()) == Vec(b.row_ptr()));
  EXPECT_TRUE(Vec(a.col_idx()) == Vec(b.col_idx()));
  EXPECT_TRUE(Vec(a.edge_relation()) == Vec(b.edge_relation()));
  EXPECT_TRUE(Vec(a.edge_weight()) == Vec(b.edge_weight()));
  for (NodeId v = 0; v < a.num_nodes(); v += 97) EXPECT_EQ(a.Key(v), b.Key(v));
}

// A graph whose CSR arrays span several 4 MiB pieces: 1,000 nodes of 1,100 entries each
// (1.1 M), made straight from arrays held by AnonymousArrays, as GraphBuilder::Build makes them.
Graph PiecesGraph() {
  constexpr NodeId kNodes = 1000;
  constexpr EdgeIdx kDegree = 1100;
  AnonymousArray<EdgeIdx> row_ptr(kNodes + 1);
  AnonymousArray<NodeId> col(static_cast<size_t>(kNodes * kDegree));
  AnonymousArray<RelationId> rel(col.size());
  AnonymousArray<float> weight(col.size());
  for (NodeId v = 0; v <= kNodes; ++v) row_ptr[v] = v * kDegree;
  for (size_t e = 0; e < col.size(); ++e) {
    col[e] = static_cast<NodeId>((e * 7919) % kNodes);
    rel[e] = static_cast<RelationId>(e % 2);
    weight[e] = 0.5f + static_cast<float>(e % 13);
  }
  std::vector<std::string> ids;
  for (NodeId v = 0; v < kNodes; ++v) ids.push_back("n" + std::to_string(v));
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<TypeDictionary> dictionaries;
  dictionaries.push_back(TypeDictionary::Build(views));
  return Graph({NodeType{"node", 0, kNodes}},
               {Relation{"likes", 0, 0, false, false, 1, kNodes * kDegree / 2},
                Relation{"rev_likes", 0, 0, true, false, 0, kNodes * kDegree / 2}},
               ArrayRef<EdgeIdx>(std::move(row_ptr)), ArrayRef<NodeId>(std::move(col)),
               ArrayRef<RelationId>(std::move(rel)), ArrayRef<float>(std::move(weight)),
               NodeDictionary(std::move(dictionaries)));
}

TEST(TypeDictionary, sorted_permutation_for_ids_in_any_order_and_in_byte_order) {
  const std::vector<std::string_view> shuffled = {"n10", "n2", "m", "n1", "n"};
  const TypeDictionary d = TypeDictionary::Build(shuffled);
  EXPECT_EQ(std::vector<NodeId>(d.sorted.begin(), d.sorted.end()),
            (std::vector<NodeId>{2, 4, 3, 0, 1}));
  for (NodeId i = 0; i < 5; ++i) EXPECT_EQ(d.Find(shuffled[static_cast<size_t>(i)]), i);
  EXPECT_EQ(d.Find("n3"), std::nullopt);
  const std::vector<std::string_view> in_order = {"m", "n", "n1", "n10",
                                                  "n2"};  // the builder's case
  const TypeDictionary e = TypeDictionary::Build(in_order);
  EXPECT_EQ(std::vector<NodeId>(e.sorted.begin(), e.sorted.end()),
            (std::vector<NodeId>{0, 1, 2, 3, 4}));
  EXPECT_EQ(e.Find("n10"), 3);
  EXPECT_EQ(e.Id(4), "n2");
}

TEST(GraphIo, consuming_save_writes_the_same_files_and_leaves_the_graph_empty) {
  testing::TempDir tmp;
  Graph consumed = PiecesGraph();
  ASSERT_GT(consumed.num_edges() * sizeof(NodeId), kReleasePieceBytes);
  SaveGraph(consumed, tmp.File("kept"));                    // the const overload: nothing discarded
  const Graph::SoleArrays arrays = consumed.sole_arrays();  // built here, one owner: all four
  EXPECT_NE(arrays.row_ptr, nullptr);
  EXPECT_NE(arrays.col_idx, nullptr);
  EXPECT_NE(arrays.edge_relation, nullptr);
  EXPECT_NE(arrays.edge_weight, nullptr);
  SaveGraph(std::move(consumed), tmp.File("consumed"));
  EXPECT_EQ(consumed.num_nodes(), 0);  // NOLINT(bugprone-use-after-move): specified as empty
  EXPECT_EQ(consumed.num_edges(), 0);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp.File("kept"))) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(entry.path(), tmp.File("kept")).string();
    EXPECT_EQ(ReadWholeFile(entry.path().string()),
              ReadWholeFile(JoinPath(tmp.File("consumed"), rel)))
        << rel;
    ++files;
  }
  EXPECT_EQ(files, 9);  // manifest.pb/.txt, 4 CSR arrays, 3 files per node type
  const Graph kept = LoadGraph(tmp.File("kept"));
  ExpectSameCsr(kept, LoadGraph(tmp.File("consumed")));

  // Mapped files (a loaded graph) and shared storage (a copy) are written whole, not discarded.
  Graph loaded = LoadGraph(tmp.File("kept"));
  EXPECT_EQ(loaded.sole_arrays().edge_weight, nullptr);
  SaveGraph(std::move(loaded), tmp.File("reloaded"));
  ExpectSameCsr(kept, LoadGraph(tmp.File("reloaded")));
  Graph original = TinyStored();
  EXPECT_NE(original.sole_arrays().col_idx, nullptr);
  const Graph copy = original;
  EXPECT_EQ(original.sole_arrays().col_idx, nullptr);
  SaveGraph(std::move(original), tmp.File("shared"));
  ExpectSameGraph(TinyStored(), copy);
  ExpectSameGraph(copy, LoadGraph(tmp.File("shared")));
}

TEST(GraphIo, writes_the_documented_files_and_manifest_fields) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  GraphBuildInfo info;
  info.inputs = {"a.tsv", "b.tsv.gz"};
  info.symmetric_relations = {"friend"};
  info.duplicate_policy = "max";
  info.triples_read = 6;
  info.bad_lines_skipped = 1;
  SaveGraph(TinyStored(), dir, info);
  for (const char* f : {"manifest.pb", "manifest.txt", "row_ptr.i64", "col_idx.i32", "edge_relation.u16",
                        "edge_weight.f32", "nodes/artist.ids", "nodes/artist.offsets.i64", "nodes/artist.sorted.i32",
                        "nodes/song.ids", "nodes/user.ids", "nodes/user.offsets.i64", "nodes/user.sorted.i32"})
    EXPECT_TRUE(PathExists(JoinPath(dir, f))) << f;
  const proto::GraphManifest m = ReadManifestFile(dir);
  EXPECT_EQ(m.version().tool(), "melograph");
  EXPECT_EQ(m.version().major(), 1u);
  EXPECT_EQ(m.kind(), "graph");
  EXPECT_EQ(m.num_nodes(), 5);
  EXPECT_EQ(m.num_edges(), 12);  // 5 directed edges twice + friend both ways
  ASSERT_EQ(m.node_types_size(), 3);
  EXPECT_EQ(m.node_types(2).name(), "user");
  EXPECT_EQ(m.node_types(2).begin(), 3);
  EXPECT_EQ(m.node_types(2).key_bytes(), 4);  // "u1u2"
  ASSERT_EQ(m.relations_size(), 5);
  EXPECT_EQ(m.relations(4).name(), "rev_listened");
  EXPECT_EQ(m.relations(4).head_type_name(), "song");
  EXPECT_EQ(m.relations(4).tail_type_name(), "user");
  EXPECT_EQ(m.relations(4).edge_count(), 3);
  EXPECT_TRUE(m.relations(2).symmetric());
  ASSERT_EQ(m.files_size(), 4 + 3 * 3);
  for (const auto& f : m.files()) {
    const std::string path = JoinPath(dir, f.name());
    EXPECT_EQ(FileSize(path), f.size_bytes()) << f.name();
    EXPECT_EQ(Crc32File(path), f.crc32()) << f.name();
  }
  EXPECT_EQ(m.files(1).name(), "col_idx.i32");
  EXPECT_EQ(m.files(1).element_count(), 12);
  EXPECT_EQ(m.files(1).size_bytes(), 48);
  EXPECT_EQ(m.build().inputs_size(), 2);
  EXPECT_EQ(m.build().duplicate_policy(), "max");
  EXPECT_EQ(m.build().triples_read(), 6);
  EXPECT_EQ(m.build().bad_lines_skipped(), 1);
}

TEST(GraphIo, save_replaces_an_existing_directory_and_leaves_no_temporaries) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(MakeGraph({{"user:x", "follows", "user:y"}}), dir);
  SaveGraph(TinyStored(), dir);
  EXPECT_EQ(LoadGraph(dir).num_nodes(), 5);
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename(), "g");
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(GraphIo, empty_graph_round_trips) {
  testing::TempDir tmp;
  SaveGraph(MakeGraph({}), tmp.File("g"));
  const Graph g = LoadGraph(tmp.File("g"));
  EXPECT_EQ(g.num_nodes(), 0);
  EXPECT_EQ(g.num_edges(), 0);
}

TEST(GraphIo, truncated_col_idx_is_reported_even_without_checksums) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  std::filesystem::resize_file(JoinPath(dir, "col_idx.i32"), 40);
  ExpectFormatError(dir, "col_idx.i32", "truncated (40 bytes, manifest says 48)");
  ExpectFormatError(dir, "col_idx.i32", "truncated", /*verify=*/false);
}

TEST(GraphIo, flipped_byte_fails_the_checksum_and_loads_when_not_verifying) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  const std::string path = JoinPath(dir, "edge_weight.f32");
  std::string bytes = testing::ReadFile(path);
  bytes[5] ^= 0x01;
  testing::WriteFile(path, bytes);
  ExpectFormatError(dir, "edge_weight.f32", "checksum mismatch");
  EXPECT_EQ(LoadGraph(dir, /*verify_checksums=*/false).num_edges(), 12);
}

TEST(GraphIo, corrupt_dictionary_is_named) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  const std::string path = JoinPath(dir, "nodes/song.ids");
  std::string bytes = testing::ReadFile(path);
  bytes[0] = 'x';
  testing::WriteFile(path, bytes);
  ExpectFormatError(dir, "nodes/song.ids", "checksum mismatch");
}

TEST(GraphIo, deleted_file_is_reported_missing) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  std::filesystem::remove(JoinPath(dir, "nodes/user.sorted.i32"));
  ExpectFormatError(dir, "nodes/user.sorted.i32", "missing");
  std::filesystem::remove(JoinPath(dir, "manifest.pb"));
  ExpectFormatError(dir, "manifest.pb", "manifest is missing");
}

TEST(GraphIo, garbage_manifest_is_rejected) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  testing::WriteFile(JoinPath(dir, "manifest.pb"), "this is not a manifest\n");
  ExpectFormatError(dir, "manifest.pb", "manifest is corrupt");
  testing::WriteFile(JoinPath(dir, "manifest.pb"), "");  // parses as an empty message
  ExpectFormatError(dir, "manifest.pb", "not a melograph graph manifest");
}

TEST(GraphIo, wrong_format_version_is_rejected) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  proto::GraphManifest m = ReadManifestFile(dir);
  m.mutable_version()->set_major(2);
  m.mutable_version()->set_minor(3);
  testing::WriteFile(JoinPath(dir, "manifest.pb"), m.SerializeAsString());
  ExpectFormatError(dir, "manifest.pb", "graph format version 2.3 is not supported");
}

TEST(GraphIo, manifest_inconsistent_with_itself_is_rejected) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("g");
  SaveGraph(TinyStored(), dir);
  proto::GraphManifest m = ReadManifestFile(dir);
  m.set_num_edges(13);
  testing::WriteFile(JoinPath(dir, "manifest.pb"), m.SerializeAsString());
  ExpectFormatError(dir, "manifest.pb", "relation edge counts sum to 12, manifest says 13");
  m = ReadManifestFile(dir);
  m.set_num_edges(12);
  m.mutable_files()->DeleteSubrange(0, 1);  // row_ptr.i64
  testing::WriteFile(JoinPath(dir, "manifest.pb"), m.SerializeAsString());
  ExpectFormatError(dir, "manifest.pb", "file 'row_ptr.i64' is not listed");
}

TEST(GraphIo, missing_directory_is_an_io_error_and_bad_type_names_are_refused) {
  testing::TempDir tmp;
  EXPECT_THROW(LoadGraph(tmp.File("nope")), IoError);
  GraphBuilder b;
  b.AddEdge("we/ird", "1", "r", "user", "2");
  EXPECT_THROW(SaveGraph(b.Build(), tmp.File("g")), UsageError);
  EXPECT_FALSE(PathExists(tmp.File("g")));
}

}  // namespace
}  // namespace melograph
