// Export: .npy header bytes, word2vec text round trip and errors, and ExportRun's per-shard and
// merged files on the fixture run (tests/recall/run_fixture.h).
//
// numpy is not installed on the build machine (python3 -c 'import numpy' fails), so the .npy
// header is checked byte for byte against what numpy.save writes for a float32 (3, 4) array.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/file_util.h"
#include "proto/export_manifest.pb.h"
#include "recall/export_npy.h"
#include "recall/export_word2vec.h"
#include "recall/exporter.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::FixtureGraph;
using testing::FixtureVector;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFixtureRun;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<float> NpyValues(const std::string& path, NpyInfo& info) {
  const std::string bytes = ReadFile(path);
  info = ParseNpyHeader(bytes, path, static_cast<int64_t>(bytes.size()));
  std::vector<float> values(static_cast<size_t>(info.rows * info.dim));
  std::memcpy(values.data(), bytes.data() + info.data_offset, values.size() * sizeof(float));
  return values;
}

TEST(ExportNpy, header_matches_numpy_save_byte_for_byte) {
  // numpy.save(f, np.zeros((3, 4), dtype='<f4')) writes exactly these 128 header bytes.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                               std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  EXPECT_EQ(NpyHeader(3, 4), expected);
  EXPECT_EQ(NpyHeader(123456789, 64).size() % 64, 0u);
  const NpyInfo info = ParseNpyHeader(NpyHeader(5, 7), "x.npy");
  EXPECT_EQ(info.rows, 5);
  EXPECT_EQ(info.dim, 7);
  EXPECT_EQ(info.data_offset, 128);
}

TEST(ExportNpy, malformed_headers_name_the_file) {
  EXPECT_THROW(ParseNpyHeader("PK\x03\x04 not numpy", "a.npy"), FormatError);
  std::string f8 = NpyHeader(2, 2);
  f8.replace(f8.find("<f4"), 3, "<f8");
  try {
    ParseNpyHeader(f8, "b.npy");
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "b.npy: .npy dtype is '<f8', expected '<f4'");
  }
  try {
    ParseNpyHeader(NpyHeader(2, 2), "c.npy", 128 + 12);
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "c.npy: size 140 bytes, shape (2, 2) needs 144: truncated");
  }
}

TEST(ExportWord2Vec, round_trip_is_exact_and_escapes_spaces) {
  TempDir tmp;
  const float a[3] = {0.1f, -2.5e-7f, 3.0f};
  const float b[3] = {1.0f / 3.0f, 0.0f, -1e30f};
  std::string text = Word2VecHeader(2, 3);
  AppendWord2VecRow(text, "artist:Kenshi Yonezu", a, 3);
  AppendWord2VecRow(text, "song:100%", b, 3);
  EXPECT_EQ(Lines(text)[0], "2 3");
  EXPECT_EQ(Lines(text)[1], "artist:Kenshi%20Yonezu 0.1 -2.5e-07 3");
  EXPECT_EQ(Lines(text)[2].substr(0, 13), "song:100%25 0");
  testing::WriteFile(tmp.File("v.txt"), text);
  const Word2VecTable table = ReadWord2VecText(tmp.File("v.txt"));
  EXPECT_EQ(table.dim, 3);
  EXPECT_EQ(table.keys, (std::vector<std::string>{"artist:Kenshi Yonezu", "song:100%"}));
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(table.values[static_cast<size_t>(j)], a[j]);
    EXPECT_EQ(table.values[static_cast<size_t>(3 + j)], b[j]);
  }
}

TEST(ExportWord2Vec, malformed_files_give_file_line_column_reason) {
  TempDir tmp;
  struct Case {
    std::string text;
    int64_t line, column;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"2\n", 1, 1, "header must be '<rows> <dim>' with rows >= 0 and dim > 0"},
      {"1 2\nsong:a 1\n", 2, 1, "expected a word and 2 values, found 1 values"},
      {"1 2\nsong:a 1 x5\n", 2, 10, "value 'x5' is not a finite number"},
      {"1 2\nsong:a 1 inf\n", 2, 10, "value 'inf' is not a finite number"},
      {"2 2\nsong:a 1 2\n", 1, 1, "header announces 2 rows, file has 1"},
  };
  for (const Case& c : cases) {
    testing::WriteFile(tmp.File("bad.txt"), c.text);
    try {
      ReadWord2VecText(tmp.File("bad.txt"));
      ADD_FAILURE() << c.text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), tmp.File("bad.txt"));
      EXPECT_EQ(e.line(), c.line) << c.text;
      EXPECT_EQ(e.column(), c.column) << c.text;
      EXPECT_EQ(e.reason(), c.reason);
    }
  }
}

TEST(Exporter, writes_per_shard_files_matching_the_run) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  const RunReader run(tmp.File("run"));
  ExportOptions o;
  o.out_dir = tmp.File("out");
  o.threads = 2;
  const ExportSummary s = ExportRun(run, graph, o);
  EXPECT_EQ(s.rows, 8);
  EXPECT_EQ(s.files, 3 * 2 * 4);  // 3 types x 2 shards x (keys, npy, w2v, faiss)

  // song/shard-1: songs 5 and 3, in the shard's (descending) order.
  EXPECT_EQ(Lines(ReadFile(tmp.File("out/song/shard-1.keys.tsv"))),
            (std::vector<std::string>{"0\t5\tsong:s", "1\t3\tsong:q"}));
  NpyInfo info;
  const std::vector<float> values = NpyValues(tmp.File("out/song/shard-1.npy"), info);
  EXPECT_EQ(info.rows, 2);
  EXPECT_EQ(info.dim, 4);
  EXPECT_EQ(std::vector<float>(values.begin(), values.begin() + 4), FixtureVector(5, 4));
  EXPECT_EQ(std::vector<float>(values.begin() + 4, values.end()), FixtureVector(3, 4));
  const Word2VecTable w2v = ReadWord2VecText(tmp.File("out/song/shard-1.w2v.txt"));
  EXPECT_EQ(w2v.keys, (std::vector<std::string>{"song:s", "song:q"}));
  EXPECT_EQ(w2v.values, values);

  proto::ExportManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(ReadFile(tmp.File("out/manifest.pb"))));
  EXPECT_EQ(manifest.dim(), 4);
  EXPECT_EQ(manifest.files_size(), 24);
  for (const auto& f : manifest.files()) {
    EXPECT_EQ(static_cast<uint32_t>(Crc32File(tmp.File("out/" + f.path()))), f.crc32()) << f.path();
    EXPECT_EQ(FileSize(tmp.File("out/" + f.path())), f.bytes()) << f.path();
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.File("out/song.npy")));  // no --merge
}

TEST(Exporter, merge_concatenates_shards_in_order) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  const RunReader run(tmp.File("run"));
  ExportOptions o;
  o.out_dir = tmp.File("out");
  o.node_types = {"song"};
  o.formats = {"npy", "w2v"};
  o.merge = true;
  ExportRun(run, graph, o);
  EXPECT_FALSE(std::filesystem::exists(tmp.File("out/user")));
  EXPECT_FALSE(std::filesystem::exists(tmp.File("out/song/shard-0.faiss")));
  EXPECT_EQ(
      Lines(ReadFile(tmp.File("out/song.keys.tsv"))),
      (std::vector<std::string>{"0\t4\tsong:r", "1\t2\tsong:p", "2\t5\tsong:s", "3\t3\tsong:q"}));
  NpyInfo merged_info, s0_info, s1_info;
  const std::vector<float> merged = NpyValues(tmp.File("out/song.npy"), merged_info);
  std::vector<float> concat = NpyValues(tmp.File("out/song/shard-0.npy"), s0_info);
  const std::vector<float> s1 = NpyValues(tmp.File("out/song/shard-1.npy"), s1_info);
  concat.insert(concat.end(), s1.begin(), s1.end());
  EXPECT_EQ(merged_info.rows, 4);
  EXPECT_EQ(merged, concat);
  EXPECT_EQ(ReadWord2VecText(tmp.File("out/song.w2v.txt")).values, merged);
}

TEST(Exporter, output_bytes_do_not_depend_on_thread_count) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  testing::FixtureRunOptions ro;
  ro.num_shards = 3;
  WriteFixtureRun(tmp.File("run"), graph, ro);
  const RunReader run(tmp.File("run"));
  for (int threads : {1, 3}) {
    ExportOptions o;
    o.out_dir = tmp.File("out" + std::to_string(threads));
    o.hnsw = true;
    o.hnsw_m = 4;
    o.merge = true;
    o.threads = threads;
    o.seed = 11;
    ExportRun(run, graph, o);
  }
  for (const char* f :
       {"manifest.pb", "song/shard-2.faiss", "user.faiss", "artist/shard-0.npy", "song.w2v.txt"}) {
    EXPECT_EQ(ReadFile(tmp.File(std::string("out1/") + f)),
              ReadFile(tmp.File(std::string("out3/") + f)))
        << f;
  }
}

TEST(Exporter, corrupt_shard_names_file_and_leaves_no_output) {
  TempDir tmp;
  const Graph graph = FixtureGraph();
  WriteFixtureRun(tmp.File("run"), graph);
  {
    std::fstream f(tmp.File("run/embeddings/shard-1.f32"),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('\x7f');
  }
  const RunReader run(tmp.File("run"));
  ExportOptions o;
  o.out_dir = tmp.File("out");
  try {
    ExportRun(run, graph, o);
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("run/embeddings/shard-1.f32: CRC-32"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.File("out")));
  o.formats = {"npy", "parquet"};
  EXPECT_THROW(ExportRun(run, graph, o), UsageError);
}

}  // namespace
}  // namespace melograph
