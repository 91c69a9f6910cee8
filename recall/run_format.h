// Run directories: the embeddings a training run (or a test helper) produces, read by eval,
// export and recall. OWNER: the export work (issue 4). This header is the contract; the
// implementation and the exact file list live in recall/run_format.cc and docs/RUN_FORMAT.md.
//
// Layout (sharded: every rank writes its own files; nothing is gathered on one rank):
//   RUN/manifest.pb           Protobuf RunManifest (proto/run_manifest.proto): format version,
//                             graph directory, dimension, model name, node types, shard list
//                             with row counts, file sizes and CRC-32s.
//   RUN/embeddings/shard-<k>.ids   int32 graph NodeIds of the rows of shard k
//   RUN/embeddings/shard-<k>.f32   float32 rows, row-major, dim floats per id
//
// Contract: readers validate the manifest and checksums and throw FormatError naming the file
// (corrupt, truncated, dimension or id mismatch); IoError when a file cannot be read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// Writes one shard of a run (used by training ranks and by test helpers).
class RunShardWriter;

// Loads every row of one node type (all shards) aligned with the graph's numbering of that
// type. Throws FormatError if a row is missing or the run does not match the graph.
EmbeddingMatrix LoadEmbeddings(const std::string& run_dir, const Graph& graph,
                               const std::string& node_type);

}  // namespace melograph
