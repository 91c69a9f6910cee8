// `melograph sample` modes: one function per --mode, each in its own file
// (tools/sample_neighbors.cc, tools/sample_negatives.cc, ...), dispatched by tools/cmd_sample.cc.
//
// Every mode runs on every rank of `mpirun -np K` (K = the partition's part count), takes the
// rank's training seeds (PartitionShard::seeds()) in batches of --batch-size, runs exactly
// --batches batches on every rank (a rank's seeds repeat in later epochs; a rank without seeds
// runs empty batches so the collectives stay matched), and prints on rank 0 either
// `verify: PASS` / `verify: FAIL <first difference>` (--verify; the command then fails) or
// `key: value` throughput lines.
//
// Adding a mode: write `void RunSample<Mode>(const SampleCliOptions&, SampleContext&)` in
// tools/sample_<mode>.cc, declare it here, add its flags to SampleCliOptions and RegisterSample,
// and one row to kSampleModes in tools/cmd_sample.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sampler/dist_graph.h"
#include "worker/communicator.h"

namespace melograph::cli {

struct SampleCliOptions {
  std::string mode = "neighbors";
  std::string partition_dir;
  std::string graph_dir;       // the graph the partition was made from (--verify)
  std::string fanouts = "10,10";
  std::string relations;       // per hop, ';'-separated, '|' within a hop
  bool weighted = false;
  int64_t batch_size = 512;
  int64_t batches = 10;
  uint64_t seed = 1;
  bool verify = false;
  // negatives
  int32_t negatives = 5;
  double power = 0.75;
  std::string positive_relation = "listened";
  std::string hard_relation = "rejected";
  // walks (tools/sample_walks.cc)
  std::string metapath;        // "" = any relation (start nodes: the training seeds)
  int32_t walk_length = 10;
  int32_t walks_per_node = 1;
  double p = 1.0;
  double q = 1.0;
  double restart = 0.0;
  int32_t top = 10;
  int32_t window = 5;
  double subsample = 0.0;
  std::string keep_types;      // skip-gram node types, comma-separated ("" = all)
};

struct SampleContext {
  Communicator& comm;
  const DistGraph& graph;
  const SerialGraph* reference;  // set with --verify
  std::vector<NodeId> seeds;     // this rank's training seeds (graph ids)
  int64_t batches_per_epoch;     // ceil(seeds / batch size), at least 1
  // Batch b of this rank: (epoch, step, seeds).
  int64_t Epoch(int64_t b) const { return b / batches_per_epoch; }
  int64_t Step(int64_t b) const { return b % batches_per_epoch; }
  std::span<const NodeId> Batch(int64_t b, int64_t batch_size) const;
};

// Prints "key: value" on rank 0.
void PrintValue(const SampleContext& ctx, const std::string& key, const std::string& value);
std::string FormatDouble(double v);
// Collective verification verdict: prints `verify: PASS`, or `verify: FAIL <first difference>`
// (lowest failing rank's first difference) and throws so the command exits non-zero.
void ReportVerification(SampleContext& ctx, const std::string& my_first_difference);

void RunSampleNeighbors(const SampleCliOptions& o, SampleContext& ctx);
void RunSampleNegatives(const SampleCliOptions& o, SampleContext& ctx);
void RunSampleWalks(const SampleCliOptions& o, SampleContext& ctx);

}  // namespace melograph::cli
