// `melograph export` end to end: a saved fixture graph, a fixture run against it, the summary
// lines, and the errors for a wrong graph and an incomplete run.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph/graph_io.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::RunMelograph;
using testing::TempDir;

struct CliFixture {
  TempDir tmp;
  std::string graph_dir = tmp.File("graph");
  std::string run_dir = tmp.File("run");
  CliFixture(bool finalize = true) {
    const Graph graph = testing::FixtureGraph();
    SaveGraph(graph, graph_dir, GraphBuildInfo{{"fixture.tsv"}, {}, "sum", 9, 0});
    testing::FixtureRunOptions o;
    o.graph_dir = graph_dir;
    o.finalize = finalize;
    testing::WriteFixtureRun(run_dir, graph, o);
  }
};

TEST(ExportCli, writes_files_and_prints_summary) {
  CliFixture f;
  const auto r =
      RunMelograph("export " + f.run_dir + " --graph " + f.graph_dir + " --out " +
                   f.tmp.File("out") + " --types song,user --hnsw --hnsw-m 8 --merge --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line :
       {"model: fixture\n", "dim: 4\n", "shards: 2\n", "rows_song: 4\n", "rows_user: 2\n",
        "rows: 6\n", "files: 24\n", "faiss_index: hnsw\n", "merged: yes\n", "threads: 2\n"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << r.output;
  }
  for (const char* file :
       {"manifest.pb", "song/shard-0.npy", "song/shard-1.keys.tsv", "user/shard-1.w2v.txt",
        "user/shard-0.faiss", "song.npy", "song.keys.tsv", "user.w2v.txt", "user.faiss"}) {
    EXPECT_TRUE(std::filesystem::exists(f.tmp.File(std::string("out/") + file))) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(f.tmp.File("out/artist")));
}

TEST(ExportCli, run_for_another_graph_is_refused) {
  CliFixture f;
  const Graph other = MakeGraph({{"user:a", "listened", "song:p"}});
  SaveGraph(other, f.tmp.File("other"));
  const auto r = RunMelograph("export " + f.run_dir + " --graph " + f.tmp.File("other") +
                              " --out " + f.tmp.File("out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("run/manifest.pb: run was trained on graph"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(f.tmp.File("out")));
}

TEST(ExportCli, incomplete_run_and_bad_format_are_refused) {
  CliFixture f(/*finalize=*/false);
  auto r = RunMelograph("export " + f.run_dir + " --graph " + f.graph_dir + " --out " +
                        f.tmp.File("out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("run/manifest.pb: missing"), std::string::npos) << r.output;
  r = RunMelograph("export --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--graph", "--out", "--format", "--types", "--hnsw", "--hnsw-m",
                           "--ef-construction", "--merge", "--threads", "--seed"}) {
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
  }
}

std::string Hex(const std::vector<float>& values) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  for (size_t i = 0; i < values.size() * sizeof(float); ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// numpy (only /usr/bin/python3 has it) loads the per-shard and merged .npy files: dtype, shape
// and every byte of the rows, and the keys TSV has one line per row in the same order.
TEST(ExportCli, numpy_loads_the_exported_matrices) {
  if (testing::Run("/usr/bin/python3 -c 'import numpy'").exit_code != 0)
    GTEST_SKIP() << "numpy is not importable by /usr/bin/python3";
  CliFixture f;
  auto r = RunMelograph("export " + f.run_dir + " --graph " + f.graph_dir + " --out " +
                        f.tmp.File("out") + " --format npy --types song --merge");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string script =
      "import numpy, sys\n"
      "for path in sys.argv[1:]:\n"
      "    a = numpy.load(path, mmap_mode='r')\n"
      "    keys = [l.split('\\t')[2] for l in open(path[:-4] + '.keys.tsv').read().splitlines()]\n"
      "    print(a.dtype, a.shape, len(keys), ','.join(keys), a.tobytes().hex())\n";
  testing::WriteFile(f.tmp.File("load.py"), script);
  r = testing::Run("/usr/bin/python3 " + f.tmp.File("load.py") + " " +
                   f.tmp.File("out/song/shard-1.npy") + " " + f.tmp.File("out/song.npy"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Shard 1 holds songs 5 (song:s) and 3 (song:q), in that order; merged: shard 0 (4, 2) first.
  auto rows = [](std::initializer_list<NodeId> nodes) {
    std::vector<float> v;
    for (NodeId n : nodes) {
      const auto row = testing::FixtureVector(n, 4);
      v.insert(v.end(), row.begin(), row.end());
    }
    return v;
  };
  EXPECT_EQ(r.output, "float32 (2, 4) 2 song:s,song:q " + Hex(rows({5, 3})) + "\n" +
                          "float32 (4, 4) 4 song:r,song:p,song:s,song:q " +
                          Hex(rows({4, 2, 5, 3})) + "\n");
}

// Vectors chosen so the ranking is plain (dim 2):
//   song:p (1, 0)  song:q (0.9, 0.1)  song:r (0.5, 0.5)  song:s (0, 1)   user:a (1, 0.2)
// user:a scores p 1, q 0.92, r 0.6, s 0.2; it listened to p and q.
std::vector<float> PlainVectors(NodeId v, int dim) {
  switch (v) {
    case 2:
      return {1.0f, 0.0f};
    case 3:
      return {0.9f, 0.1f};
    case 4:
      return {0.5f, 0.5f};
    case 5:
      return {0.0f, 1.0f};
    case 6:
      return {1.0f, 0.2f};
    default:
      return {0.1f, 0.1f};
  }
}

TEST(RecallEmbeddingsCli, exact_and_hnsw_top_k_with_recall) {
  TempDir tmp;
  const Graph graph = testing::FixtureGraph();
  SaveGraph(graph, tmp.File("graph"));
  testing::FixtureRunOptions o;
  o.dim = 2;
  o.graph_dir = tmp.File("graph");
  o.vectors = PlainVectors;
  testing::WriteFixtureRun(tmp.File("run"), graph, o);
  const std::string base =
      "recall --graph " + tmp.File("graph") + " --embeddings " + tmp.File("run") + " --user user:a";
  auto r = RunMelograph(base + " --k 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("# exact inner "
                    "product\nrank\tkey\tscore\n1\tsong:p\t1\n2\tsong:q\t0.92\n3\tsong:r\t0.6\n"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("rank\tkey\tscore\tin_exact\n1\tsong:p\t1\tyes\n2\tsong:q\t0."
                          "92\tyes\n3\tsong:r\t0.6\tyes\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("hnsw_recall_at_k: 1.0000\n"), std::string::npos) << r.output;

  r = RunMelograph(base + " --k 3 --exclude-train --exact-only");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("excluded_train_items: 2\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1\tsong:r\t0.6\n2\tsong:s\t0.2\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("hnsw"), std::string::npos) << r.output;

  r = RunMelograph(base + " --k 3 --item-type album");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no node type 'album'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph
