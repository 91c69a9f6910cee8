// Test helper: writes a small embedding run in the run format training will produce
// (recall/run_format.h, docs/RUN_FORMAT.md), through RunShardWriter + FinalizeRun.
//
// The default graph (FixtureGraph), node ids in brackets (types by name, ids by bytes):
//
//        user:a [6] --listened--> song:p [2], song:q [3]
//        user:b [7] --listened--> song:q [3], song:r [4], song:s [5]
//        song:p, song:q --by_artist--> artist:x [0];  song:r, song:s --by_artist--> artist:y [1]
//
// so artists are [0, 2), songs [2, 6), users [6, 8).
//
// WriteFixtureRun splits the nodes like a partitioned run: shard k holds the nodes with
// id % num_shards == k, written in DESCENDING id order (the .ids file is needed to place them).
// FixtureVector(v, dim) is a fixed pseudo-random vector per node, so tests can compute expected
// rows; pass another `vectors` function to control scores exactly.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/hash.h"
#include "graph/graph_builder.h"
#include "recall/run_format.h"

namespace melograph::testing {

inline Graph FixtureGraph() {
  return MakeGraph({{"user:a", "listened", "song:p"},
                    {"user:a", "listened", "song:q"},
                    {"user:b", "listened", "song:q"},
                    {"user:b", "listened", "song:r"},
                    {"user:b", "listened", "song:s"},
                    {"song:p", "by_artist", "artist:x"},
                    {"song:q", "by_artist", "artist:x"},
                    {"song:r", "by_artist", "artist:y"},
                    {"song:s", "by_artist", "artist:y"}});
}

inline std::vector<float> FixtureVector(NodeId v, int dim) {
  Rng rng(HashCombine(20240611, static_cast<uint64_t>(v)));
  std::vector<float> row(static_cast<size_t>(dim));
  for (float& x : row) x = static_cast<float>(rng.Normal());
  return row;
}

using VectorFn = std::function<std::vector<float>(NodeId node, int dim)>;

struct FixtureRunOptions {
  int dim = 4;
  int num_shards = 2;
  std::string model = "fixture";
  std::string graph_dir;  // recorded (with its manifest CRC) when the graph was saved there
  VectorFn vectors = FixtureVector;
  bool finalize = true;  // false: leave the run without manifest.pb
};

// Writes a run with a row for every node of `graph`; returns its RunInfo.
inline RunInfo WriteFixtureRun(const std::string& run_dir, const Graph& graph,
                               const FixtureRunOptions& o = {}) {
  RunInfo info = RunInfo::ForGraph(graph, o.graph_dir, o.dim, o.num_shards);
  info.model = o.model;
  info.seed = 7;
  info.epoch = 3;
  info.step = 120;
  for (int k = 0; k < o.num_shards; ++k) {
    RunShardWriter writer(run_dir, k, info);
    for (NodeId v = graph.num_nodes() - 1; v >= 0; --v) {
      if (v % o.num_shards == k) writer.Add(v, o.vectors(v, o.dim));
    }
    writer.Commit();
  }
  if (o.finalize) FinalizeRun(run_dir, info);
  return info;
}

}  // namespace melograph::testing
