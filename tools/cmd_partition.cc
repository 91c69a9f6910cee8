// `melograph partition`: graph directory -> partition directory (docs/PARTITION.md).
//
//   melograph partition GRAPHDIR --parts K --out DIR [--method metis|hash|ldg]
//       [--balance nodes,edges,seeds] [--imbalance 1.05] [--seed 1] [--seed-relation listened]
//       [--sample-roots 10000] [--fanouts 10,10] [--ldg-passes 10] [--edge-weights count|traffic]
//       [--metis-ncuts 1] [--metis-coarsening auto] [--replicate 0.01] [--replicate-entries 0.1]
//       [--replicate-by picks-per-entry|picks|degree]
//
// Loads the graph by mmap, partitions it, writes one shard per part plus a Protobuf manifest
// (atomically), and prints the quality report; its last block is `key: value` lines.
#include <filesystem>
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/text.h"
#include "graph/graph_io.h"
#include "partition/partition_pipeline.h"
#include "partition/partition_report.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct PartitionCliOptions {
  std::string graph_dir;
  std::string out;
  int32_t parts = 0;
  std::string method = "metis";
  std::string balance = "nodes,edges,seeds";
  double imbalance = 1.05;
  uint64_t seed = 1;
  std::string seed_relation = "listened";
  int64_t sample_roots = 10000;
  std::string fanouts = "10,10";
  int32_t ldg_passes = 10;
  std::string edge_weights = "count";
  int32_t metis_ncuts = 1;
  std::string metis_coarsening = "auto";
  double replicate = 0.0;
  double replicate_entries = 0.0;
  std::string replicate_by = "picks-per-entry";
};

void RunPartition(const PartitionCliOptions& o) {
  PartitionOptions options;
  options.num_parts = o.parts;
  options.method = ParsePartitionMethod(o.method);
  options.constraints = ParseBalanceList(o.balance);
  options.imbalance = o.imbalance;
  options.seed = o.seed;
  options.seed_relation = o.seed_relation;
  options.sample_roots = o.sample_roots;
  options.ldg_passes = o.ldg_passes;
  options.edge_weights = ParseEdgeWeighting(o.edge_weights);
  options.metis_ncuts = o.metis_ncuts;
  options.metis_coarsening = ParseMetisCoarsening(o.metis_coarsening);
  options.replicate_fraction = o.replicate;
  options.replicate_entries = o.replicate_entries;
  options.replicate_by = ParseReplicateBy(o.replicate_by);
  options.fanouts.clear();
  for (const std::string& f : SplitList(o.fanouts, ',')) {
    const auto v = ParseInt64(Trim(f));
    if (!v || *v < 1 || *v > 1'000'000) throw UsageError("--fanouts: '" + f + "' is not a positive integer");
    options.fanouts.push_back(static_cast<int32_t>(*v));
  }
  if (o.parts < 1) throw UsageError("--parts must be at least 1 (got " + std::to_string(o.parts) + ")");
  const Graph graph = LoadGraph(o.graph_dir);
  // The manifest records the graph directory as an absolute path, so `train` run from any
  // working directory (or another host with the same mount) finds it.
  const std::string graph_dir = std::filesystem::absolute(o.graph_dir).lexically_normal().string();
  const proto::PartitionManifest m = PartitionGraph(graph, options, o.out, graph_dir);
  std::fputs(FormatPartitionReport(m).c_str(), stdout);
}

}  // namespace

void RegisterPartition(CLI::App& app) {
  auto o = std::make_shared<PartitionCliOptions>();
  auto* cmd = app.add_subcommand(
      "partition",
      "Split a graph directory into K shards (owned adjacency in contiguous global ids, keys, 1-hop halo) "
      "with a Protobuf manifest, and report edge cut, balance and the remote fraction of a neighbour "
      "sample (see docs/PARTITION.md).");
  cmd->add_option("graph", o->graph_dir, "Graph directory written by `melograph build-graph`.")->required();
  cmd->add_option("--parts,-k", o->parts, "Number of parts K (1 <= K <= node count).")->required();
  cmd->add_option("--out", o->out, "Partition directory to write (replaced atomically if it exists).")->required();
  cmd->add_option("--method", o->method,
                  "metis: METIS k-way on the undirected projection (best cut; adjacency must fit 32-bit "
                  "indices); hash: id mod K (PGL-style baseline); ldg: one-pass streaming Linear "
                  "Deterministic Greedy (memory per node, for graphs too big for METIS).")
      ->check(CLI::IsMember({"metis", "hash", "ldg"}))
      ->capture_default_str();
  cmd->add_option("--balance", o->balance,
                  "Comma-separated balance constraints: nodes (node count), edges (CSR degree, the "
                  "sampling work), seeds (training seeds, see --seed-relation). METIS and LDG balance "
                  "all of them; every method reports their imbalance.")
      ->capture_default_str();
  cmd->add_option("--imbalance", o->imbalance,
                  "Allowed max part load / mean part load for every constraint (1.05 = 5%; METIS ufactor 50).")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed,
                  "Random seed for METIS, the LDG stream start and the remote-fraction sampling.")
      ->capture_default_str();
  cmd->add_option("--seed-relation", o->seed_relation,
                  "Training seeds are the nodes with out-edges of this relation (the users who listened). "
                  "Without any, the sample roots are all nodes and `seeds` cannot be balanced.")
      ->capture_default_str();
  cmd->add_option("--sample-roots", o->sample_roots,
                  "Number of random training seeds from which the remote sample fraction is measured.")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--fanouts", o->fanouts,
                  "Comma-separated per-hop fanouts of the neighbour sample used for remote_sample_fraction.")
      ->capture_default_str();
  cmd->add_option("--ldg-passes", o->ldg_passes,
                  "LDG streaming passes: 1 is the one-pass algorithm; more re-stream with the previous "
                  "assignment (Nishimura & Ugander 2013), which also repairs capacity overflows.")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--edge-weights", o->edge_weights,
                  "METIS projection edge weights: count (relation entries between the two nodes) or traffic "
                  "(expected neighbour-sampler traffic over the edge, from --fanouts and the training seeds).")
      ->check(CLI::IsMember({"count", "traffic"}))
      ->capture_default_str();
  cmd->add_option("--metis-ncuts", o->metis_ncuts,
                  "METIS computes this many partitionings (different seeds) and keeps the best; time grows "
                  "linearly.")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--metis-coarsening", o->metis_coarsening,
                  "none: METIS coarsens the whole undirected projection (~120 bytes per undirected edge); lp: "
                  "melograph coarsens the graph by size-constrained label propagation first, METIS partitions "
                  "the coarsest level, LP refinement on every level (~10 bytes per edge, better cuts on large "
                  "power-law graphs); auto: lp from 4,000,000 CSR entries up (docs/PARTITION.md).")
      ->check(CLI::IsMember({"none", "lp", "auto"}))
      ->capture_default_str();
  cmd->add_option("--replicate", o->replicate,
                  "Hub replication: at most this share of the nodes keeps a copy of its adjacency on every rank "
                  "(and, with the training config's replicate_embeddings, its embedding row), so samplers pick "
                  "from it in place. 0.01 = 1% of the nodes. The report prints the remote fraction with and "
                  "without them and the copied entries (docs/PARTITION.md).")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_option("--replicate-entries", o->replicate_entries,
                  "Hub replication by memory: the copied rows hold at most this share of the graph's CSR "
                  "entries (each rank maps them all). 0.1 = 10%; with --replicate, both limits apply.")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_option("--replicate-by", o->replicate_by,
                  "Which nodes are copied first: picks-per-entry = most remote picks of a neighbour sample under "
                  "this partition per entry copied (most saved per byte); picks = most remote picks; degree = "
                  "highest CSR degree.")
      ->check(CLI::IsMember({"picks-per-entry", "picks", "degree"}))
      ->capture_default_str();
  cmd->callback([o] { RunPartition(*o); });
}

}  // namespace melograph::cli
