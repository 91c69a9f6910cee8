// Run directories: the embeddings a training run (or a test helper) produces, read by eval,
// export and recall. OWNER: export. Full description: docs/RUN_FORMAT.md.
//
// Layout (sharded: every rank writes its own files; nothing is gathered on one rank):
//   RUN/embeddings/shard-<k>.ids   int32 LE graph NodeIds of the rows of shard k (any order; the
//                                  ids a rank owns are not contiguous after partitioning)
//   RUN/embeddings/shard-<k>.f32   float32 LE rows, row-major, dim floats per id
//   RUN/embeddings/shard-<k>.pb    Protobuf RunShardManifest: run header, row counts per node
//                                  type, file sizes and CRC-32s (written by the shard's rank)
//   RUN/manifest.pb                Protobuf RunManifest (proto/run_manifest.proto): the header
//                                  (format version, model, dim, graph dir + manifest CRC-32 +
//                                  fingerprint, epoch, step, seed) and every shard; written last
//                                  by FinalizeRun, so a run without it is incomplete.
//
// Contract: RunShardWriter checks rows at the boundary (dimension, node id range, finite values)
// and writes every file atomically. Readers validate the manifest, file sizes, checksums, id
// ranges, duplicates across shards and the graph fingerprint, and throw FormatError naming the
// file and the problem; IoError when a file cannot be read. Readers map the data files, so a
// shard is streamed, never copied whole unless LoadEmbeddings is asked for a type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "graph/graph.h"

namespace melograph {

// A dense row-major float matrix: row i belongs to node `first_node + i`.
struct EmbeddingMatrix {
  std::string node_type;
  NodeId first_node = 0;
  int64_t rows = 0;
  int dim = 0;
  std::vector<float> values;  // rows * dim
  const float* row(int64_t i) const { return values.data() + i * dim; }
};

inline constexpr uint32_t kRunFormatMajor = 1;
inline constexpr uint32_t kRunFormatMinor = 0;

// A stable 64-bit summary of a graph: node/edge counts, the type table, relation names and
// counts, and the keys of up to 64 evenly spaced nodes per type. O(types * 64 + relations).
uint64_t GraphFingerprint(const Graph& graph);
// CRC-32 of GRAPHDIR/manifest.pb, or 0 when the graph directory has no manifest.pb.
uint32_t GraphManifestCrc32(const std::string& graph_dir);

// What a run records about itself (the RunHeader of proto/run_manifest.proto).
struct RunInfo {
  std::string model = "unknown";
  int dim = 0;
  int64_t epoch = 0;
  int64_t step = 0;
  uint64_t seed = 0;
  int num_shards = 1;
  std::string graph_dir;
  uint32_t graph_manifest_crc32 = 0;
  uint64_t graph_fingerprint = 0;
  int64_t graph_num_nodes = 0;
  int64_t graph_num_edges = 0;
  std::vector<NodeType> node_types;  // the graph's type table

  // Fills the graph fields from `graph` (and the manifest CRC from graph_dir when given).
  static RunInfo ForGraph(const Graph& graph, const std::string& graph_dir, int dim,
                          int num_shards);
};

// Per-shard facts, as recorded in the manifests.
struct RunShardInfo {
  int index = 0;
  int rank = 0;
  int64_t rows = 0;
  std::string ids_name, values_name;  // relative to the run directory
  int64_t ids_bytes = 0, values_bytes = 0;
  uint32_t ids_crc32 = 0, values_crc32 = 0;
  std::vector<std::pair<std::string, int64_t>> type_rows;  // by node type name
  int64_t RowsOf(const std::string& node_type) const;
};

// Writes one shard of a run: call Add for each owned row, then Commit (which writes the ids,
// values and shard manifest files, each atomically). Creates RUN/embeddings if needed.
class RunShardWriter {
 public:
  RunShardWriter(std::string run_dir, int shard, const RunInfo& info, int rank = -1);
  ~RunShardWriter();
  RunShardWriter(const RunShardWriter&) = delete;
  RunShardWriter& operator=(const RunShardWriter&) = delete;

  // UsageError for a row of the wrong dimension, a node outside the graph or a non-finite value.
  void Add(NodeId node, std::span<const float> row);
  void Commit();
  int64_t rows() const { return rows_; }

 private:
  std::string run_dir_;
  int shard_;
  int rank_;
  RunInfo info_;
  std::vector<int64_t> type_rows_;
  int64_t rows_ = 0;
  std::unique_ptr<AtomicFile> ids_;
  std::unique_ptr<AtomicFile> values_;
  bool committed_ = false;
};

// Combines embeddings/shard-<k>.pb (k < info.num_shards) into RUN/manifest.pb after checking
// that every shard manifest exists and agrees with `info` (dimension, graph, shard count).
// Training calls it on rank 0 after a barrier. FormatError naming the offending file.
void FinalizeRun(const std::string& run_dir, const RunInfo& info);

// Read side: the validated manifest plus mapped shards.
class RunReader {
 public:
  // Reads RUN/manifest.pb; FormatError when missing, unparsable or of another major version.
  explicit RunReader(std::string run_dir);

  const std::string& run_dir() const { return run_dir_; }
  const RunInfo& info() const { return info_; }
  int dim() const { return info_.dim; }
  const std::vector<RunShardInfo>& shards() const { return shards_; }
  // Node types with at least one row, by name, and their total rows.
  const std::vector<std::pair<std::string, int64_t>>& type_rows() const { return type_rows_; }
  int64_t RowsOf(const std::string& node_type) const;
  std::string ManifestPath() const;

  // FormatError unless the run was trained on this graph (fingerprint, and the graph
  // directory's manifest CRC-32 when both are known).
  void CheckGraph(const Graph& graph, const std::string& graph_dir = "") const;
  // One pass over every .ids file: ids in range, of the node types the manifest says, no id in
  // two rows (in one shard or across shards). O(rows) time, num_nodes bits of memory.
  void CheckIds(const Graph& graph) const;

  struct Shard {
    MappedFile ids_file;
    MappedFile values_file;
    std::span<const NodeId> ids;
    std::span<const float> values;
    const float* row(int64_t i) const { return values.data() + i * dim; }
    int dim = 0;
  };
  // Maps shard k and checks sizes (and CRC-32s when verify_checksums).
  Shard OpenShard(int k, bool verify_checksums = true) const;

 private:
  std::string run_dir_;
  RunInfo info_;
  uint32_t manifest_crc32_ = 0;
  std::vector<RunShardInfo> shards_;
  std::vector<std::pair<std::string, int64_t>> type_rows_;

 public:
  uint32_t manifest_crc32() const { return manifest_crc32_; }
};

// Loads every row of one node type (all shards) aligned with the graph's numbering of that
// type. Throws FormatError if a row is missing or the run does not match the graph.
EmbeddingMatrix LoadEmbeddings(const std::string& run_dir, const Graph& graph,
                               const std::string& node_type);

}  // namespace melograph
