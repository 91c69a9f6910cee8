#include "worker/memory_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/error.h"

namespace melograph {
namespace {

constexpr int64_t kFloat = 4;
constexpr int64_t kRuntimeBytes = 64LL << 20;

int64_t Tables(const proto::TrainConfig& c) { return c.model() == proto::TrainConfig::SGNS ? 2 : 1; }

int64_t OptimizerMultiplier(const proto::TrainConfig& c) {
  switch (c.optimizer()) {
    case proto::TrainConfig::ADAM: return 2;
    case proto::TrainConfig::ADAGRAD: return 1;
    default: return 0;
  }
}

int Layers(const proto::TrainConfig& c) {
  if (c.model() == proto::TrainConfig::SGNS) return 0;
  return c.fanouts_size() > 0 ? c.fanouts_size() : c.layers();
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (bytes >= (1LL << 30)) std::snprintf(buf, sizeof(buf), "%.2f GiB", b / (1LL << 30));
  else if (bytes >= (1LL << 20)) std::snprintf(buf, sizeof(buf), "%.1f MiB", b / (1LL << 20));
  else if (bytes >= (1LL << 10)) std::snprintf(buf, sizeof(buf), "%.1f KiB", b / (1LL << 10));
  else std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(bytes));
  return buf;
}

std::vector<RankMemoryPlan> PlanMemory(const proto::PartitionManifest& partition, const proto::TrainConfig& config) {
  const int64_t n_all = partition.num_nodes();
  const int64_t d = config.dim();
  const int layers = Layers(config);
  // Nodes touched by one mini-batch on one rank: seeds expand by (1 + fanout) per hop.
  const int64_t ranks = std::max<int64_t>(1, partition.num_parts());
  const int64_t local_batch = (config.batch_size() + ranks - 1) / ranks;
  // Seed nodes of one local batch, as the trainer forms them: SGNS has a center, a context and
  // `negatives` per pair; BPR a user, a positive and one negative (plus hard negatives) per
  // example; sampled softmax a user and a positive per example plus ONE shared set of
  // `negatives` for the whole batch.
  int64_t seeds = local_batch;
  const int64_t negatives = std::min<int64_t>(std::max(0, config.negatives()), 1 << 20);
  if (config.model() == proto::TrainConfig::SGNS) {
    seeds = local_batch * (2 + negatives);
  } else if (config.loss() == proto::TrainConfig::SAMPLED_SOFTMAX) {
    seeds = local_batch * (2 + config.hard_negatives()) + negatives;
  } else {
    seeds = local_batch * (3 + config.hard_negatives());
  }
  double nodes = static_cast<double>(seeds), edges = 0;
  for (int h = 0; h < layers; ++h) {
    const int64_t f = h < config.fanouts_size() ? config.fanouts(h) : -1;
    const double grow = f < 0 ? 50.0 : static_cast<double>(f);  // full neighbourhood: assume degree ~50
    // A hop samples at most every stored edge of the graph once.
    const double picks = nodes * grow;
    edges += std::min(picks, static_cast<double>(std::max<int64_t>(partition.num_edges(), 1)));
    // New frontier nodes: `picks` draws over the graph's N nodes hit N (1 - exp(-picks / N))
    // distinct ones in expectation (uniform draws; skewed degrees repeat more, so fewer).
    const double n = static_cast<double>(std::max<int64_t>(n_all, 1));
    nodes = std::min(n, nodes + n * -std::expm1(-picks / n));
  }
  const int64_t batch_nodes = static_cast<int64_t>(nodes);
  // Every rank maps the whole graph too and reads the target relation's rows over all of it
  // (degrees for negative sampling and normalisation): row_ptr (8 B per node), col_idx (4 B)
  // and edge_relation (2 B per stored edge) become resident.
  const int64_t full_graph = (n_all + 1) * 8 + partition.num_edges() * (4 + 2);
  std::vector<RankMemoryPlan> plan;
  for (int p = 0; p < partition.parts_size(); ++p) {
    const auto& part = partition.parts(p);
    RankMemoryPlan r;
    r.rank = p;
    const int64_t emb = part.nodes() * d * kFloat * Tables(config);
    int64_t adjacency = 0;
    for (const auto& f : part.files()) adjacency += f.bytes();
    const int64_t batch = batch_nodes * d * kFloat * (3 + 2 * layers) + static_cast<int64_t>(edges) * 16;
    const int64_t exchange = 2 * 2 * batch_nodes * d * kFloat;
    const int64_t inference = layers > 0 ? (part.nodes() * (layers + 2) + part.halo_nodes()) * d * kFloat : 0;
    r.terms = {{"embeddings", emb},
               {"optimiser", emb * OptimizerMultiplier(config)},
               {"adjacency", adjacency},
               {"id tables", n_all * 20},
               {"full graph", full_graph},
               {"batch", batch},
               {"exchange", exchange},
               {"inference", inference},
               {"runtime", kRuntimeBytes}};
    plan.push_back(std::move(r));
  }
  return plan;
}

std::string FormatMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes) {
  std::string out;
  char line[256];
  if (plan.empty()) return out;
  std::snprintf(line, sizeof(line), "%-6s", "rank");
  out += line;
  for (const auto& t : plan.front().terms) {
    std::snprintf(line, sizeof(line), " %12s", t.name.c_str());
    out += line;
  }
  out += "        total\n";
  int64_t max_total = 0;
  for (const auto& r : plan) {
    std::snprintf(line, sizeof(line), "%-6d", r.rank);
    out += line;
    for (const auto& t : r.terms) {
      std::snprintf(line, sizeof(line), " %12s", FormatBytes(t.bytes).c_str());
      out += line;
    }
    std::snprintf(line, sizeof(line), " %12s%s\n", FormatBytes(r.total()).c_str(),
                  limit_bytes > 0 && r.total() > limit_bytes ? "  OVER LIMIT" : "");
    out += line;
    max_total = std::max(max_total, r.total());
  }
  for (const auto& r : plan) out += "rank" + std::to_string(r.rank) + "_total_bytes: " + std::to_string(r.total()) + "\n";
  out += "max_rank_total_bytes: " + std::to_string(max_total) + "\n";
  if (limit_bytes > 0) {
    out += "limit_bytes: " + std::to_string(limit_bytes) + "\n";
    out += std::string("fits: ") + (max_total <= limit_bytes ? "yes" : "no") + "\n";
  }
  return out;
}

void CheckMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes) {
  if (limit_bytes <= 0) return;
  for (const auto& r : plan) {
    if (r.total() <= limit_bytes) continue;
    const auto largest = std::max_element(r.terms.begin(), r.terms.end(),
                                          [](const MemoryTerm& a, const MemoryTerm& b) { return a.bytes < b.bytes; });
    throw LimitError("rank " + std::to_string(r.rank) + " needs " + FormatBytes(r.total()) + " > " +
                     FormatBytes(limit_bytes) + " (--mem-per-rank); the largest term, " + largest->name + " " +
                     FormatBytes(largest->bytes) + ", does not fit; use more ranks, a smaller dim or --method metis "
                     "for better balance");
  }
}

}  // namespace melograph
