// Memory planning (`melograph plan`, and the check `melograph train` runs before it starts): the
// bytes each rank needs for a partition and a training config, by term.
//
// Terms per rank p (B = 4-byte float, d = config dim, n_p = nodes owned by p, N = all nodes):
//   embeddings   n_p * d * B * tables          (tables = 2 for SGNS: input and output vectors)
//   optimiser    embeddings * {adam: 2, adagrad: 1, sgd: 0}
//   adjacency    the bytes of part p's shard files (mapped; every page is touched by sampling)
//   replicas     hub replicas (partition --replicate*): the replicas/ files (mapped by every rank)
//                plus, with replicate_embeddings, R * d * B * tables * (1 + optimiser multiplier)
//                for their embedding copies
//   id tables    N * 20 bytes: global->graph ids (4), the mapped graph->global table (4), the
//                sampler's de-duplication slots (8) and full-graph degrees (4)
//   full graph   (N + 1) * 8 + E * 6: the whole graph's row_ptr, col_idx and edge_relation, mapped
//                by every rank and read over the target relation (measured resident, soak)
//   dense        KGNN weights: layers * (relations [+ 2 for CONCAT's W_out]) * d^2 * B * 5
//                (values, gradients, Adam's two moments, the allreduce buffer)
//   examples     the rank's training examples (its share, by seeds, of the target relation's
//                edges) * 32 bytes: the epoch's shuffled list, the base list and the shuffle keys;
//                skip-gram: its share (by nodes) of an epoch's (centre, context) pairs * 8 bytes
//   batch        one training step (BatchShape, EstimateTape): the tape's values, gradients
//                and index arrays per layer, the sampled subgraph twice (the next step's is
//                sampled during this one's compute), the pulled input rows and their gradients;
//                skip-gram: a step's pulled rows (both tables, gradients), or, when larger, the
//                epoch start's shuffle (24 B per pair) with its walks (8 B per node, 24 per walk)
//                less the exchange term (no exchange runs during the shuffle)
//   exchange     twice the pulled rows and pushed gradients of a batch (send + receive buffers)
//   inference    full-graph layer-wise inference: (4 * owned + 3 * halo) rows * d * B: the layer
//                being read, the next layer and the running sum (owned rows each), the pulled
//                neighbour rows (owned + halo) and the pull's send and receive buffers (halo each)
//   runtime      a fixed 28 MiB for the process, MPI and libraries (a 2-rank run of a tiny
//                batch peaks at 29.6 MB, ~3 MB of it the terms above)
// Training and inference do not overlap (the trainer releases its tape before inference), so a
// rank's total is the always-resident terms plus the larger of batch + exchange and inference.
//
// Batch shape: measured by sampling a few steps on the graph (batch_shape.h; what `melograph
// plan` and `train --mem-per-rank` do), or estimated from the manifest: seeds = the local batch's distinct users and items (Distinct(n, m) = n (1 -
// exp(-m / n)), the expected distinct count of m uniform draws over n) plus the softmax's shared
// negatives. Hop k from the seeds (config hop L-1-k) has E_k stored edges over A_k active nodes
// (the manifest's relation counts and node types); a frontier of n_k nodes draws
// m = n_k * min(fanout, E_k / A_k) edges (all E_k / A_k for -1, at most E_k), adding
// Distinct(A_k, m) * (1 - n_k / A_k) new nodes.
// Tape per hop k (dst n_k, src n_{k+1}, edges e_k, floats): LightGCN values n_k d + e_k,
// gradients n_k d; KGNN (3 r + 2 e_k + 2 n_k) d for values and gradients each, r = the distinct
// transformed source rows ((source, relation) pairs; estimated as n_{k+1} times the relations
// per head type, at most e_k), plus 8 (5 for
// CONCAT) scalars per edge, and CONCAT's 4 n_k d for [h | n] W_out; then the layer mean's
// (2L + 2) seeds * d, the input gradient, and the loss: sampled softmax 5 (values) / 4 (grads)
// batch x (batch + negatives) logit matrices plus the gathered rows, BPR 6 batch * d.
//
// Contract: PlanMemory is a pure function of the manifest and config. CheckMemoryPlan throws
// LimitError naming the rank, the limit and the largest term when a rank's total exceeds the
// limit ("rank 2 needs 17.3 GiB > 16 GiB (--mem-per-rank): embeddings 12.0 GiB does not fit ...").
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/partition_manifest.pb.h"
#include "proto/train_config.pb.h"
#include "worker/batch_shape.h"

namespace melograph {

enum class MemoryPhase { kAlways, kTraining, kInference };

struct MemoryTerm {
  std::string name;
  int64_t bytes = 0;
  MemoryPhase phase = MemoryPhase::kAlways;
};

struct RankMemoryPlan {
  int rank = 0;
  std::vector<MemoryTerm> terms;
  // Always-resident terms plus the larger phase (training or inference).
  int64_t total() const {
    int64_t always = 0, training = 0, inference = 0;
    for (const auto& x : terms)
      (x.phase == MemoryPhase::kAlways ? always : x.phase == MemoryPhase::kTraining ? training : inference) += x.bytes;
    return always + std::max(training, inference);
  }
};

struct TapeEstimate {
  int64_t value_bytes = 0, grad_bytes = 0, index_bytes = 0;
  int64_t total() const { return value_bytes + grad_bytes + index_bytes; }
};
TapeEstimate EstimateTape(const BatchShape& shape, const proto::TrainConfig& config);

// `shape`: a measured step (MeasureBatchShape); null: estimated from the manifest.
std::vector<RankMemoryPlan> PlanMemory(const proto::PartitionManifest& partition, const proto::TrainConfig& config,
                                       const BatchShape* shape = nullptr);

// Human table plus `rank<k>_total_bytes: N` and `max_rank_total_bytes: N` lines.
std::string FormatMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes);

// Throws LimitError for the first rank over `limit_bytes` (limit <= 0: no limit).
void CheckMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes);

// "1.50 GiB", "12.0 MiB", "512 B".
std::string FormatBytes(int64_t bytes);

}  // namespace melograph
