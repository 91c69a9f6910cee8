// `melograph sample --mode neighbors`: multi-hop neighbour sampling (sampler/neighbor_sampler.h).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/resource.h"
#include "sampler/neighbor_sampler.h"
#include "tools/sample_modes.h"

namespace melograph::cli {

void RunSampleNeighbors(const SampleCliOptions& o, SampleContext& ctx) {
  NeighborSamplerOptions options;
  options.fanouts = ParseFanouts(o.fanouts);
  options.relations = ctx.graph.relations().ParseHopRelations(o.relations, options.fanouts.size());
  options.weighted = o.weighted;
  options.seed = o.seed;
  DistNeighborSampler sampler(ctx.graph, options);
  std::unique_ptr<SerialNeighborSampler> reference;
  if (ctx.reference) reference = std::make_unique<SerialNeighborSampler>(*ctx.reference, options);

  SampledSubgraph got, expected;
  std::string first_difference;
  int64_t sampled_edges = 0, sampled_nodes = 0;
  double seconds = 0.0;
  ctx.comm.Barrier();
  for (int64_t b = 0; b < o.batches; ++b) {
    const std::span<const NodeId> batch = ctx.Batch(b, o.batch_size);
    const double start = WallSeconds();
    sampler.Sample(batch, ctx.Epoch(b), ctx.Step(b), got);
    seconds += WallSeconds() - start;
    for (const Block& block : got.blocks) sampled_edges += block.num_edges();
    sampled_nodes += got.blocks.empty() ? 0 : static_cast<int64_t>(got.blocks.front().src.size());
    if (reference && first_difference.empty()) {
      reference->Sample(batch, ctx.Epoch(b), ctx.Step(b), expected);
      const std::string d = FirstDifference(expected, got);
      if (!d.empty()) first_difference = "batch " + std::to_string(b) + ": " + d;
    }
  }
  const OwnerComputeStats& s = sampler.exchange_stats();
  std::vector<int64_t> sums = {sampled_edges, sampled_nodes, s.requests, s.remote_requests, s.items, s.remote_items,
                               s.bytes_sent, static_cast<int64_t>(ctx.seeds.size())};
  ctx.comm.Allreduce(std::span<int64_t>(sums), ReduceOp::kSum);
  const double max_seconds = ctx.comm.Allreduce(seconds, ReduceOp::kMax);
  PrintValue(ctx, "fanouts", o.fanouts);
  PrintValue(ctx, "relations", o.relations.empty() ? "*" : o.relations);
  PrintValue(ctx, "weighted", o.weighted ? "yes" : "no");
  PrintValue(ctx, "batch_size", std::to_string(o.batch_size));
  PrintValue(ctx, "batches_per_rank", std::to_string(o.batches));
  PrintValue(ctx, "training_seeds", std::to_string(sums[7]));
  if (ctx.reference) {
    ReportVerification(ctx, first_difference);
    PrintValue(ctx, "sampled_edges", std::to_string(sums[0]));
    return;
  }
  const double edges = static_cast<double>(sums[0]);
  PrintValue(ctx, "sampled_edges", std::to_string(sums[0]));
  PrintValue(ctx, "sampled_input_nodes", std::to_string(sums[1]));
  PrintValue(ctx, "seconds", FormatDouble(max_seconds));
  PrintValue(ctx, "sampled_edges_per_s", FormatDouble(max_seconds > 0 ? edges / max_seconds : 0.0));
  PrintValue(ctx, "sampled_edges_per_s_per_rank",
             FormatDouble(max_seconds > 0 ? edges / max_seconds / ctx.comm.size() : 0.0));
  PrintValue(ctx, "rows", std::to_string(sums[2]));
  PrintValue(ctx, "remote_rows", std::to_string(sums[3]));
  PrintValue(ctx, "remote_fraction", FormatDouble(sums[4] ? static_cast<double>(sums[5]) / static_cast<double>(sums[4]) : 0.0));
  PrintValue(ctx, "bytes_sent", std::to_string(sums[6]));
  PrintValue(ctx, "bytes_sent_per_sampled_edge", FormatDouble(edges > 0 ? static_cast<double>(sums[6]) / edges : 0.0));
  PrintValue(ctx, "exchange_rounds_per_batch", std::to_string(ctx.comm.size() > 1 ? 2 * options.fanouts.size() : 0));
}

}  // namespace melograph::cli
