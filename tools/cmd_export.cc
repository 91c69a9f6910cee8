// `melograph export`: embedding run -> files for serving (docs/RUN_FORMAT.md).
//
//   melograph export RUN --graph GRAPHDIR --out DIR [--format npy,w2v,faiss] [--types song,user]
//       [--hnsw [--hnsw-m 32 --ef-construction 200]] [--merge] [--threads N] [--seed S]
//
// Validates the run against the graph, exports every shard concurrently (one thread per shard)
// and prints a `key: value` summary on stdout.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/resource.h"
#include "common/text.h"
#include "graph/graph_io.h"
#include "recall/exporter.h"
#include "recall/run_format.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct ExportFlags {
  std::string run;
  std::string graph;
  std::string out;
  std::string formats = "npy,w2v,faiss";
  std::string types;
  bool hnsw = false;
  int hnsw_m = 32;
  int ef_construction = 200;
  bool merge = false;
  int threads = 0;
  uint64_t seed = 0;
};

void RunExport(const ExportFlags& f) {
  const double start = WallSeconds();
  const RunReader run(f.run);
  const Graph graph = LoadGraph(f.graph);
  ExportOptions options;
  options.out_dir = f.out;
  options.graph_dir = f.graph;
  options.formats = SplitList(f.formats, ',');
  if (options.formats.empty()) throw UsageError("--format: give at least one of npy, w2v, faiss");
  options.node_types = SplitList(f.types, ',');
  options.hnsw = f.hnsw;
  options.hnsw_m = f.hnsw_m;
  options.hnsw_ef_construction = f.ef_construction;
  options.merge = f.merge;
  options.threads = f.threads;
  options.seed = f.seed;
  const ExportSummary s = ExportRun(run, graph, options);

  std::string out = "export: " + f.out + "\n";
  out += "run: " + f.run + "\n";
  out += "model: " + run.info().model + "\n";
  out += "dim: " + std::to_string(run.dim()) + "\n";
  out += "shards: " + std::to_string(run.shards().size()) + "\n";
  for (const auto& [type, rows] : s.type_rows)
    out += "rows_" + type + ": " + std::to_string(rows) + "\n";
  out += "rows: " + std::to_string(s.rows) + "\n";
  out += "files: " + std::to_string(s.files) + "\n";
  out += "bytes: " + std::to_string(s.bytes) + "\n";
  out += "faiss_index: " + std::string(f.hnsw ? "hnsw" : "flat") + "\n";
  out += "merged: " + std::string(f.merge ? "yes" : "no") + "\n";
  out += "threads: " + std::to_string(s.threads) + "\n";
  const double seconds = WallSeconds() - start;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  out += std::string("seconds: ") + buf + "\n";
  std::snprintf(buf, sizeof buf, "%.0f", seconds > 0 ? static_cast<double>(s.rows) / seconds : 0.0);
  out += std::string("rows_per_s: ") + buf + "\n";
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void RegisterExport(CLI::App& app) {
  auto f = std::make_shared<ExportFlags>();
  auto* cmd = app.add_subcommand("export",
                                 "Export an embedding run for serving: per shard and node type a "
                                 "NumPy .npy matrix with a row->key "
                                 "TSV, word2vec text and a Faiss inner-product index, plus a "
                                 "Protobuf manifest (docs/RUN_FORMAT.md).");
  cmd->add_option("run", f->run, "Embedding run directory (RUN/manifest.pb and RUN/embeddings/).")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--graph", f->graph,
                  "Graph directory the run was trained on (checked by fingerprint).")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", f->out, "Export directory to write (replaced atomically if it exists).")
      ->required();
  cmd->add_option(
         "--format", f->formats,
         "Comma-separated formats: npy (float32 matrix), w2v (word2vec text), faiss (index). "
         "<type>/shard-<k>.keys.tsv is always written.")
      ->capture_default_str();
  cmd->add_option("--types", f->types,
                  "Comma-separated node types to export (default: every type in the run).");
  cmd->add_flag(
      "--hnsw", f->hnsw,
      "Build HNSW inner-product Faiss indexes (approximate, for large catalogues) instead of exact "
      "flat ones.");
  cmd->add_option("--hnsw-m", f->hnsw_m, "HNSW graph degree M (with --hnsw).")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  cmd->add_option("--ef-construction", f->ef_construction,
                  "HNSW construction beam width (with --hnsw).")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  cmd->add_flag("--merge", f->merge,
                "Also write one file set per node type (<type>.npy, .keys.tsv, .w2v.txt, .faiss) "
                "holding every "
                "shard, streamed shard by shard, for single-file consumers.");
  cmd->add_option("--threads", f->threads, "Shards exported at once (0: one per core).")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--seed", f->seed,
                  "Seed of the HNSW level generator (hashed with node type and shard).")
      ->capture_default_str();
  cmd->callback([f] { RunExport(*f); });
}

}  // namespace melograph::cli
