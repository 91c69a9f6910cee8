// `melograph sample --mode negatives`: alias-table, in-batch and hard negatives
// (sampler/negative_sampler.h) for (user, positive) items built from the rank's training seeds.
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "common/resource.h"
#include "sampler/negative_sampler.h"
#include "sampler/row_pick.h"
#include "tools/sample_modes.h"

namespace melograph::cli {
namespace {

constexpr uint64_t kPositiveTag = 0x706f73ULL;  // "pos"

// Items of a batch: each seed user with one uniform neighbour under the positive relation.
// The users are owned by this rank, so their rows are local.
void MakeItems(const SampleContext& ctx, const RelationSet& positive, uint64_t seed, int64_t epoch, int64_t step,
               std::span<const NodeId> batch, std::vector<NodeId>& users, std::vector<NodeId>& positives,
               std::vector<int64_t>& item_index) {
  users.clear();
  positives.clear();
  item_index.clear();
  for (NodeId u : batch) {
    const RowSpans row = ctx.graph.OwnedRow(u);
    Rng rng(HashCombine(seed, kPositiveTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                        static_cast<uint64_t>(u)));
    PickRowPositions(row, positive, 1, false, rng, [&](int64_t pos) {
      users.push_back(u);
      positives.push_back(ctx.graph.GraphIdOfGlobal(row.neighbor[static_cast<size_t>(pos)]));
      item_index.push_back(u);
    });
  }
}

}  // namespace

void RunSampleNegatives(const SampleCliOptions& o, SampleContext& ctx) {
  if (o.negatives < 1) throw UsageError("--negatives must be at least 1");
  NegativeSamplerOptions options;
  options.seed = o.seed;
  options.power = o.power;
  options.hard_relation = o.hard_relation;
  const RelationSet positive = ctx.graph.relations().Resolve(o.positive_relation);

  double start = WallSeconds();
  const NegativeTables tables = NegativeTables::Build(ctx.graph, options);
  const double build_seconds = ctx.comm.Allreduce(WallSeconds() - start, ReduceOp::kMax);
  DistHardNegativeSampler hard(ctx.graph, options);

  std::unique_ptr<NegativeTables> ref_tables;
  std::unique_ptr<SerialHardNegativeSampler> ref_hard;
  std::string first_difference;
  if (ctx.reference) {
    ref_tables = std::make_unique<NegativeTables>(NegativeTables::Build(*ctx.reference, options));
    ref_hard = std::make_unique<SerialHardNegativeSampler>(*ctx.reference, options);
    if (ref_tables->degrees() != tables.degrees()) first_difference = "global degree counts differ";
  }

  std::vector<NodeId> users, positives;
  std::vector<int64_t> item_index;
  int64_t items = 0, alias_draws = 0, in_batch = 0, hard_count = 0;
  double alias_seconds = 0.0, other_seconds = 0.0;
  for (int64_t b = 0; b < o.batches; ++b) {
    const int64_t epoch = ctx.Epoch(b), step = ctx.Step(b);
    MakeItems(ctx, positive, o.seed, epoch, step, ctx.Batch(b, o.batch_size), users, positives, item_index);
    items += static_cast<int64_t>(users.size());
    start = WallSeconds();
    std::vector<NodeId> drawn(users.size() * static_cast<size_t>(o.negatives));
    for (size_t i = 0; i < users.size(); ++i) {
      const int32_t type = TypeIndexOf(tables.node_types(), positives[i]);
      tables.Draw(static_cast<TypeId>(type), epoch, step, item_index[i], o.negatives,
                  drawn.data() + i * static_cast<size_t>(o.negatives));
    }
    alias_seconds += WallSeconds() - start;
    alias_draws += static_cast<int64_t>(drawn.size());
    start = WallSeconds();
    const std::vector<NodeId> batch_negs = InBatchNegatives(positives, item_index, o.negatives, o.seed, epoch, step);
    const HardNegatives hard_negs = hard.Sample(users, item_index, o.negatives, epoch, step);
    other_seconds += WallSeconds() - start;
    in_batch += static_cast<int64_t>(batch_negs.size());
    hard_count += static_cast<int64_t>(hard_negs.nodes.size());
    if (ref_tables && first_difference.empty()) {
      std::vector<NodeId> expected(drawn.size());
      for (size_t i = 0; i < users.size(); ++i) {
        const int32_t type = TypeIndexOf(ref_tables->node_types(), positives[i]);
        ref_tables->Draw(static_cast<TypeId>(type), epoch, step, item_index[i], o.negatives,
                         expected.data() + i * static_cast<size_t>(o.negatives));
      }
      if (expected != drawn) first_difference = "batch " + std::to_string(b) + ": alias negatives differ";
      else if (ref_hard->Sample(users, item_index, o.negatives, epoch, step) != hard_negs)
        first_difference = "batch " + std::to_string(b) + ": hard negatives differ";
    }
  }
  std::vector<int64_t> sums = {items, alias_draws, in_batch, hard_count, hard.exchange_stats().bytes_sent};
  ctx.comm.Allreduce(std::span<int64_t>(sums), ReduceOp::kSum);
  const double max_alias = ctx.comm.Allreduce(alias_seconds, ReduceOp::kMax);
  const double max_other = ctx.comm.Allreduce(other_seconds, ReduceOp::kMax);
  PrintValue(ctx, "negatives_per_item", std::to_string(o.negatives));
  PrintValue(ctx, "hard_relation", hard.has_relation() ? o.hard_relation : o.hard_relation + " (absent)");
  PrintValue(ctx, "items", std::to_string(sums[0]));
  PrintValue(ctx, "alias_draws", std::to_string(sums[1]));
  PrintValue(ctx, "in_batch_negatives", std::to_string(sums[2]));
  PrintValue(ctx, "hard_negatives", std::to_string(sums[3]));
  if (ctx.reference) {
    ReportVerification(ctx, first_difference);
    return;
  }
  PrintValue(ctx, "alias_build_seconds", FormatDouble(build_seconds));
  PrintValue(ctx, "alias_draws_per_s", FormatDouble(max_alias > 0 ? static_cast<double>(sums[1]) / max_alias : 0.0));
  PrintValue(ctx, "in_batch_and_hard_seconds", FormatDouble(max_other));
  PrintValue(ctx, "bytes_sent", std::to_string(sums[4]));
}

}  // namespace melograph::cli
