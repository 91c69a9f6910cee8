// Export of an embedding run for serving (`melograph export`): per run shard and node type,
//   <type>/shard-<k>.npy        float32 (rows, dim) matrix (recall/export_npy.h)
//   <type>/shard-<k>.keys.tsv   "row<TAB>node_id<TAB>key" per row, row order of the .npy
//   <type>/shard-<k>.w2v.txt    word2vec text (recall/export_word2vec.h)
//   <type>/shard-<k>.faiss      IDMap over Flat(IP), or over HNSW(IP) with `hnsw`; ids are graph
//                               NodeIds, so results of several shard indexes merge directly
// and with `merge` the same four files per type as <type>.npy, <type>.keys.tsv, ... holding the
// rows of every shard (shard order, then row order within the shard), plus manifest.pb
// (proto/export_manifest.proto: every file with rows, dim, bytes and CRC-32).
//
// Contract: the run is validated first (graph fingerprint/manifest CRC, ids in range and unique
// across shards, per-shard sizes and CRC-32s) and FormatError names the bad file. Shards are
// exported concurrently on `threads` threads, each mapping only its own shard: memory is
// O(buffers) per shard plus the faiss index being built (which holds that shard's rows). The
// merge step streams shard by shard; only a merged faiss index holds every row of its type, as a
// single-file index must. The output directory is written under a temporary name and renamed
// when complete. Output bytes do not depend on the thread count (HNSW builds are seeded from
// `seed`, the node type and the shard, and single-threaded).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "recall/run_format.h"

namespace melograph {

struct ExportOptions {
  std::string out_dir;
  std::string graph_dir;                                       // for the graph manifest CRC check
  std::vector<std::string> formats = {"npy", "w2v", "faiss"};  // keys.tsv is always written
  std::vector<std::string> node_types;                         // empty: every type with rows
  bool hnsw = false;
  int hnsw_m = 32;
  int hnsw_ef_construction = 200;
  int hnsw_ef_search = 128;
  uint64_t seed = 0;
  bool merge = false;
  int threads = 0;  // 0: hardware concurrency
};

struct ExportSummary {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t rows = 0;  // rows exported per shard (merged files not counted again)
  std::vector<std::pair<std::string, int64_t>> type_rows;
  int threads = 0;
};

ExportSummary ExportRun(const RunReader& run, const Graph& graph, const ExportOptions& options);

}  // namespace melograph
