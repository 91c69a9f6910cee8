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
// Same files, consuming the graph (left empty): the CSR arrays it alone owns in memory are
// discarded 4 MiB at a time right after each is written, so the page cache that takes the bytes
// reuses their pages. On a VM whose host takes back freed memory, fresh pages are what writing
// costs most (build-graph at 10^7 edges: ~0.2 of ~3 CPU-s, docs/BENCHMARKS.md).
void SaveGraph(Graph&& graph, const std::string& dir, const GraphBuildInfo& info = {});
Graph LoadGraph(const std::string& dir, bool verify_checksums = true);

}  // namespace melograph
