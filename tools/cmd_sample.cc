// `melograph sample`: run a sampler under mpirun on a partition, to verify it against the serial
// reference on the original graph or to measure it (docs/SAMPLER.md).
//
//   mpirun -np K melograph sample --partition DIR [--graph GRAPHDIR] [--mode neighbors|negatives]
//       [--fanouts 10,10] [--relations 'listened;by_artist|in_album'] [--weighted]
//       [--batch-size 512] [--batches 10] [--seed 1] [--verify]
//       [--negatives 5] [--power 0.75] [--positive-relation listened] [--hard-relation rejected]
//       [--metapath SCHEMA] [--walk-length 10] [--walks-per-node 1] [--p 1] [--q 1] [--restart 0] [--top 10]
//       [--window 5] [--subsample 0] [--keep-types user,song]
//
// Modes are functions in tools/sample_<mode>.cc (see tools/sample_modes.h), dispatched here.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "tools/commands.h"
#include "tools/sample_modes.h"
#include "worker/mpi_environment.h"

namespace melograph::cli {
namespace {

struct SampleMode {
  const char* name;
  void (*run)(const SampleCliOptions&, SampleContext&);
};

// The --mode dispatch table: one row per mode.
const SampleMode kSampleModes[] = {
    {"neighbors", RunSampleNeighbors},
    {"negatives", RunSampleNegatives},
    {"walks", RunSampleWalks},
};

void RunSample(const SampleCliOptions& o) {
  const SampleMode* mode = nullptr;
  std::string known;
  for (const SampleMode& m : kSampleModes) {
    known += std::string(known.empty() ? "" : ", ") + m.name;
    if (o.mode == m.name) mode = &m;
  }
  if (!mode) throw UsageError("--mode '" + o.mode + "' is not one of: " + known);
  if (o.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  if (o.batches < 0) throw UsageError("--batches must be >= 0");
  if (o.verify && o.graph_dir.empty()) throw UsageError("--verify needs --graph GRAPHDIR (the partitioned graph)");

  MpiEnvironment env;
  Communicator comm;
  const DistGraph graph = DistGraph::Open(comm, o.partition_dir);
  std::unique_ptr<SerialGraph> reference;
  if (o.verify) {
    reference = std::make_unique<SerialGraph>(SerialGraph::Load(o.graph_dir));
    CheckSameGraph(*reference, graph);
  }
  SampleContext ctx{comm, graph, reference.get(), graph.SeedGraphIds(), 1};
  ctx.batches_per_epoch = std::max<int64_t>(
      1, (static_cast<int64_t>(ctx.seeds.size()) + o.batch_size - 1) / o.batch_size);
  PrintValue(ctx, "mode", o.mode);
  PrintValue(ctx, "ranks", std::to_string(comm.size()));
  PrintValue(ctx, "method", graph.manifest().method());
  mode->run(o, ctx);
  comm.Barrier();
  std::fflush(stdout);
}

}  // namespace

std::span<const NodeId> SampleContext::Batch(int64_t b, int64_t batch_size) const {
  const int64_t n = static_cast<int64_t>(seeds.size());
  const int64_t begin = std::min(n, Step(b) * batch_size);
  const int64_t end = std::min(n, begin + batch_size);
  return std::span<const NodeId>(seeds).subspan(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
}

void PrintValue(const SampleContext& ctx, const std::string& key, const std::string& value) {
  if (ctx.comm.rank() == 0) std::printf("%s: %s\n", key.c_str(), value.c_str());
}

std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void ReportVerification(SampleContext& ctx, const std::string& my_first_difference) {
  const std::vector<std::string> all = ctx.comm.AllgatherStrings(my_first_difference);
  for (size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    const std::string line = "FAIL rank " + std::to_string(r) + ": " + all[r];
    PrintValue(ctx, "verify", line);
    std::fflush(stdout);
    ctx.comm.Barrier();
    throw Error("sample --verify: distributed result differs from the serial reference (" + all[r] + ")");
  }
  PrintValue(ctx, "verify", "PASS");
}

void RegisterSample(CLI::App& app) {
  auto o = std::make_shared<SampleCliOptions>();
  auto* cmd = app.add_subcommand(
      "sample",
      "Run a distributed sampler on a partition under mpirun (one rank per part): verify it against the "
      "serial reference on the original graph (--verify) or print throughput (see docs/SAMPLER.md).");
  cmd->add_option("--partition", o->partition_dir, "Partition directory written by `melograph partition`.")
      ->required();
  cmd->add_option("--graph", o->graph_dir, "The graph directory the partition was made from (for --verify).");
  cmd->add_option("--mode", o->mode, "neighbors: multi-hop neighbour sampling; negatives: alias, in-batch and "
                                      "hard negatives; walks: metapath/node2vec/restart random walks and "
                                      "skip-gram pairs.")
      ->capture_default_str();
  cmd->add_option("--fanouts", o->fanouts, "Comma-separated per-hop fanouts, hop 1 (nearest the seeds) first; -1 = all.")
      ->capture_default_str();
  cmd->add_option("--relations", o->relations,
                  "Per-hop relation filters, ';' between hops, '|' between relation names within a hop, '*' = all "
                  "(e.g. 'listened;by_artist|in_album|ost_of'). Default: every relation at every hop.");
  cmd->add_flag("--weighted", o->weighted, "Pick neighbours proportionally to edge weight (weights <= 0 never).");
  cmd->add_option("--batch-size", o->batch_size, "Seeds per mini-batch.")->capture_default_str();
  cmd->add_option("--batches", o->batches, "Mini-batches per rank (the same on every rank).")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed; every draw hashes it with (epoch, step, hop, node).")
      ->capture_default_str();
  cmd->add_flag("--verify", o->verify,
                "Compare every rank's result with the serial reference on --graph; prints verify: PASS or "
                "verify: FAIL <first difference> and exits non-zero on FAIL.");
  cmd->add_option("--negatives", o->negatives, "negatives mode: negatives per item of each kind.")
      ->capture_default_str();
  cmd->add_option("--power", o->power, "negatives mode: alias weights are degree^power.")->capture_default_str();
  cmd->add_option("--positive-relation", o->positive_relation,
                  "negatives mode: each seed's positive is one uniform neighbour under this relation.")
      ->capture_default_str();
  cmd->add_option("--hard-relation", o->hard_relation,
                  "negatives mode: hard negatives come from the user's row under this relation.")
      ->capture_default_str();
  cmd->add_option("--metapath", o->metapath,
                  "walks mode: schema such as 'user -listened-> song -by_artist-> artist -by_artist^-1-> song "
                  "-listened^-1-> user' (cyclic schemas repeat); default: any relation, from the training seeds.");
  cmd->add_option("--walk-length", o->walk_length, "walks mode: hops per walk.")->capture_default_str();
  cmd->add_option("--walks-per-node", o->walks_per_node, "walks mode: walks from every start node.")
      ->capture_default_str();
  cmd->add_option("--p", o->p, "walks mode: node2vec return parameter.")->capture_default_str();
  cmd->add_option("--q", o->q, "walks mode: node2vec in-out parameter.")->capture_default_str();
  cmd->add_option("--restart", o->restart, "walks mode: probability of jumping back to the start at each hop.")
      ->capture_default_str();
  cmd->add_option("--top", o->top, "walks mode with --restart: visit-count neighbourhood size per start node.")
      ->capture_default_str();
  cmd->add_option("--window", o->window, "walks mode: skip-gram window.")->capture_default_str();
  cmd->add_option("--subsample", o->subsample, "walks mode: word2vec subsampling threshold (0 = off).")
      ->capture_default_str();
  cmd->add_option("--keep-types", o->keep_types, "walks mode: node types kept in skip-gram pairs, comma-separated.");
  cmd->callback([o] { RunSample(*o); });
}

}  // namespace melograph::cli
