// The whole `melograph partition` stage on an in-memory graph: check options, find training
// seeds, weigh vertices, partition (METIS, hash or LDG), renumber into contiguous per-part
// ranges, measure quality (cut, balance, remote 2-hop sample fraction), write the shards and
// the Protobuf manifest atomically into `out_dir`.
//
// Contract: UsageError for K < 1, K > node count, imbalance < 1, empty fanouts, non-positive
// sample roots or a balance constraint of total weight 0; LimitError when METIS's 32-bit
// sizes do not fit (suggesting --method ldg). `out_dir` is replaced only when complete.
// Deterministic for (graph, options).
#pragma once

#include <string>

#include "graph/graph.h"
#include "partition/partition_types.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

// Runs the partitioner only (no files): for benchmarks and tests.
Assignment ComputeAssignment(const Graph& graph, const PartitionOptions& options);

// Full stage; returns the manifest written to out_dir/manifest.pb (also out_dir/report.txt).
proto::PartitionManifest PartitionGraph(const Graph& graph, const PartitionOptions& options,
                                        const std::string& out_dir, const std::string& graph_dir_label = "");

}  // namespace melograph
