// Graph directories: save a Graph as flat binary files plus a Protobuf manifest, and load one
// back by mmap (no parsing). See docs/FORMATS.md for the file list.
//
// Contract: SaveGraph writes into a temporary directory and renames it into place, so a crash
// leaves the previous graph. LoadGraph validates the manifest (format version, counts, file
// sizes, CRC-32 checksums when verify_checksums) and throws FormatError naming the file and what
// is wrong for a corrupt or truncated directory, IoError when it cannot be read.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace melograph {

// Parameters recorded in the manifest (how the graph was built).
struct GraphBuildInfo {
  std::vector<std::string> inputs;             // triple files
  std::vector<std::string> symmetric_relations;
  std::string duplicate_policy = "sum";
  int64_t triples_read = 0;
  int64_t bad_lines_skipped = 0;
};

void SaveGraph(const Graph& graph, const std::string& dir, const GraphBuildInfo& info = {});
Graph LoadGraph(const std::string& dir, bool verify_checksums = true);

}  // namespace melograph
