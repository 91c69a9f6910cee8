#include "worker/memory_plan.h"

#include <algorithm>
#include <string>
#include <cmath>
#include <cstdio>

#include "common/error.h"

namespace melograph {
namespace {

constexpr int64_t kFloat = 4;
constexpr int64_t kRuntimeBytes = 28LL << 20;

int64_t Tables(const proto::TrainConfig& c) { return c.model() == proto::TrainConfig::SGNS ? 2 : 1; }

int64_t OptimizerMultiplier(const proto::TrainConfig& c) {
  switch (c.optimizer()) {
    case proto::TrainConfig::ADAM: return 2;
    case proto::TrainConfig::ADAGRAD: return 1;
    default: return 0;
  }
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

TapeEstimate EstimateTape(const BatchShape& s, const proto::TrainConfig& c) {
  TapeEstimate e;
  const double d = c.dim();
  const int layers = static_cast<int>(s.edges.size());
  if (c.model() == proto::TrainConfig::SGNS || layers == 0) return e;
  const double seeds = s.seeds, b = static_cast<double>(s.batch), neg = static_cast<double>(s.negatives);
  const bool kgnn = c.model() == proto::TrainConfig::KGNN;
  const bool normalized = kgnn && c.kgnn_aggregator() == proto::TrainConfig::NORMALIZED_ATTENTION;
  double values = 0, grads = 0, ints = 0;
  for (int k = 0; k < layers; ++k) {
    const double dst = s.nodes[static_cast<size_t>(k)];
    const double edges = s.edges[static_cast<size_t>(k)];
    if (!kgnn) {
      values += dst * d + edges;  // layer output, edge coefficients
      grads += dst * d;
      ints += edges + dst;        // edge sources, offsets
      continue;
    }
    // Per relation the distinct source rows are gathered and transformed; their concatenation;
    // the per-edge messages and the per-edge destination rows (attention); the destination
    // slice and the layer output; the per-edge attention scalars.
    const double rows = std::min(edges, s.transforms[static_cast<size_t>(k)]);
    const double matrices = (3 * rows + 2 * edges + 2 * dst) * d;
    values += matrices + (normalized ? 8 : 5) * edges;
    grads += matrices + (normalized ? 6 : 5) * edges;
    if (!normalized) {  // [h | n] W_out and its activation
      values += 4 * dst * d;
      grads += 4 * dst * d;
    }
    ints += rows + 3 * edges + 2 * dst;
  }
  // Layer mean over the seeds: L + 1 slices, L additions, one scale; the input's gradient.
  values += (2 * layers + 2) * seeds * d;
  grads += (2 * layers + 2) * seeds * d + s.nodes.back() * d;
  if (c.loss() == proto::TrainConfig::SAMPLED_SOFTMAX) {
    // batch x (batch + negatives) logits: products, concatenation, log-q shift, temperature,
    // and the in-batch mask leaf; the gathered user, positive and negative rows (twice: rows
    // and their normalised / scored copies).
    const double logits = b * (b + neg);
    values += 5 * logits + 2 * (2 * b + neg) * d;
    grads += 4 * logits + 2 * (2 * b + neg) * d;
  } else {
    values += 6 * b * d + 4 * b;
    grads += 6 * b * d + 4 * b;
  }
  e.value_bytes = static_cast<int64_t>(values * kFloat);
  e.grad_bytes = static_cast<int64_t>(grads * kFloat);
  e.index_bytes = static_cast<int64_t>(ints * 8);
  return e;
}

std::vector<RankMemoryPlan> PlanMemory(const proto::PartitionManifest& partition, const proto::TrainConfig& config,
                                       const BatchShape* measured) {
  const int64_t n_all = partition.num_nodes();
  const int64_t d = config.dim();
  const int layers = GnnLayers(config);
  const BatchShape shape = measured ? *measured : EstimateBatchShape(partition, config);
  const TapeEstimate tape = EstimateTape(shape, config);
  // The sampled subgraph of a step (src/dst ids 8 B, offsets 8 B per destination; source
  // index, relation and weight 12 B per edge), twice: the next step's is sampled during this
  // one's compute.
  double subgraph = 0;
  for (size_t k = 0; k < shape.edges.size(); ++k)
    subgraph += 16 * shape.nodes[k] + 8 * shape.nodes[k + 1] + 12 * shape.edges[k];
  const double input_rows = shape.nodes.empty() ? shape.seeds : shape.nodes.back();  // rows pulled for a step
  int64_t batch = 0;
  if (config.model() == proto::TrainConfig::SGNS) {
    // A step: pulled rows of both tables, their gradients and the per-pair scratch; or, at the
    // epoch's start, the walks being turned into shuffled pairs (computed per rank below).
    batch = static_cast<int64_t>(shape.seeds * static_cast<double>(d) * kFloat * 3);
  } else {
    batch = tape.total() + static_cast<int64_t>(2 * subgraph + 2 * input_rows * static_cast<double>(d) * kFloat);
  }
  const int64_t exchange = static_cast<int64_t>(2 * 2 * input_rows * static_cast<double>(d) * kFloat);
  // KGNN dense weights: values, gradients, Adam's two moments and the allreduce buffer.
  int64_t dense = 0;
  if (config.model() == proto::TrainConfig::KGNN) {
    int64_t relations = 0;
    for (int k = 0; k < layers; ++k) {
      const int config_hop = layers - 1 - k;
      relations = std::max<int64_t>(relations, config.hops_size() > config_hop ? config.hops(config_hop).relation_size()
                                                                                : 2);
    }
    const bool concat = config.kgnn_aggregator() != proto::TrainConfig::NORMALIZED_ATTENTION;
    dense = layers * (relations + (concat ? 2 : 0)) * d * d * kFloat * 5;
  }
  // Every rank maps the whole graph too and reads the target relation's rows over all of it
  // (degrees for negative sampling and normalisation): row_ptr (8 B per node), col_idx (4 B)
  // and edge_relation (2 B per stored edge) become resident.
  const int64_t full_graph = (n_all + 1) * 8 + partition.num_edges() * (4 + 2);
  // Training examples (the target relation's edges): a rank's share, by its share of the seeds.
  double target_edges = 0;
  int64_t all_seeds = 0;
  for (const auto& rel : partition.relations())
    if (rel.name() == config.target_relation()) target_edges += static_cast<double>(rel.edge_count());
  for (const auto& part : partition.parts()) all_seeds += part.seeds();
  // Hub replicas (partition --replicate*): every rank maps their rows and, with
  // replicate_embeddings, keeps their embedding rows with optimiser state in every table.
  int64_t replica_files = 0;
  for (const auto& f : partition.files())
    if (f.name().rfind("replicas/", 0) == 0) replica_files += f.bytes();
  const int64_t replica_rows =
      config.replicate_embeddings() ? partition.replication().nodes() * d * kFloat * Tables(config) : 0;
  const int64_t replicas = replica_files + replica_rows * (1 + OptimizerMultiplier(config));
  std::vector<RankMemoryPlan> plan;
  for (int p = 0; p < partition.parts_size(); ++p) {
    const auto& part = partition.parts(p);
    RankMemoryPlan r;
    r.rank = p;
    const int64_t emb = part.nodes() * d * kFloat * Tables(config);
    int64_t adjacency = 0;
    for (const auto& f : part.files()) adjacency += f.bytes();
    const int64_t inference = layers > 0 ? (4 * part.nodes() + 3 * part.halo_nodes()) * d * kFloat : 0;
    const double share = all_seeds > 0 ? static_cast<double>(part.seeds()) / static_cast<double>(all_seeds)
                                       : 1.0 / static_cast<double>(std::max(1, partition.parts_size()));
    int64_t examples = layers > 0 ? static_cast<int64_t>(target_edges * share * 32) : 0;
    int64_t rank_batch = batch;
    if (config.model() == proto::TrainConfig::SGNS) {
      // The rank's share (by nodes) of the epoch's pairs stays (8 bytes each); the shuffle at the
      // epoch's start adds its keys and output (24 bytes per pair) while the walks (8 bytes per
      // node: gathered and copied, 24 per walk) are alive.
      const double node_share = static_cast<double>(part.nodes()) / static_cast<double>(std::max<int64_t>(1, n_all));
      examples = static_cast<int64_t>(node_share * shape.pairs * 8);
      // No exchange runs during the shuffle: batch + exchange is the larger of the two moments.
      const int64_t shuffle = static_cast<int64_t>(node_share * (shape.pairs * 24 + shape.walk_nodes * 8 + shape.walks * 24));
      rank_batch = std::max(batch, shuffle - exchange);
    }
    r.terms = {{"embeddings", emb, MemoryPhase::kAlways},
               {"optimiser", emb * OptimizerMultiplier(config), MemoryPhase::kAlways},
               {"adjacency", adjacency, MemoryPhase::kAlways},
               {"replicas", replicas, MemoryPhase::kAlways},
               {"id tables", n_all * 20, MemoryPhase::kAlways},
               {"full graph", full_graph, MemoryPhase::kAlways},
               {"dense", dense, MemoryPhase::kAlways},
               {"examples", examples, MemoryPhase::kAlways},
               {"batch", rank_batch, MemoryPhase::kTraining},
               {"exchange", exchange, MemoryPhase::kTraining},
               {"inference", inference, MemoryPhase::kInference},
               {"runtime", kRuntimeBytes, MemoryPhase::kAlways}};
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
  out += "        total   (total = the resident terms + the larger of batch + exchange and inference)\n";
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
