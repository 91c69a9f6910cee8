// Memory planning (`melograph plan`, and the check `melograph train` runs before it starts): the
// bytes each rank needs for a partition and a training config, by term.
//
// Terms per rank p (B = 4-byte float, d = config dim, n_p = nodes owned by p, N = all nodes):
//   embeddings   n_p * d * B * tables          (tables = 2 for SGNS: input and output vectors)
//   optimiser    embeddings * {adam: 2, adagrad: 1, sgd: 0}
//   adjacency    the bytes of part p's shard files (mapped; every page is touched by sampling)
//   id tables    N * 20 bytes: global->graph ids (4), the mapped graph->global table (4), the
//                sampler's de-duplication slots (8) and full-graph degrees (4)
//   full graph   (N + 1) * 8 + E * 6: the whole graph's row_ptr, col_idx and edge_relation, mapped
//                by every rank and read over the target relation (measured resident, soak)
//   batch        sampled nodes of one mini-batch: seeds (users + positives + negatives, the
//                softmax negatives shared by the batch), then per hop h the frontier's
//                m = nodes * fanout_h picks add N (1 - exp(-m / N)) distinct nodes (the expected
//                distinct count of m uniform draws over the N nodes; capped at N), times
//                d * B * (3 + 2 * layers): the pulled rows, their gradients, and each layer's
//                activations with gradients on the tape; plus 16 bytes per sampled edge (a hop
//                samples at most every stored edge of the graph)
//   exchange     twice the pulled rows and pushed gradients of a batch (send + receive buffers)
//   inference    full-graph layer-wise inference: owned rows * d * B * (layers + 2) plus the halo's
//                rows * d * B (remote neighbours pulled per layer)
//   runtime      a fixed 64 MiB for the process, MPI and libraries
// The estimate is an upper-bound style sum meant to be within ~15% of measured peak RSS
// (docs/BENCHMARKS.md records the comparison).
//
// Contract: PlanMemory is a pure function of the manifest and config. CheckMemoryPlan throws
// LimitError naming the rank, the limit and the largest term when a rank's total exceeds the
// limit ("rank 2 needs 17.3 GiB > 16 GiB (--mem-per-rank): embeddings 12.0 GiB does not fit ...").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/partition_manifest.pb.h"
#include "proto/train_config.pb.h"

namespace melograph {

struct MemoryTerm {
  std::string name;
  int64_t bytes = 0;
};

struct RankMemoryPlan {
  int rank = 0;
  std::vector<MemoryTerm> terms;
  int64_t total() const {
    int64_t t = 0;
    for (const auto& x : terms) t += x.bytes;
    return t;
  }
};

std::vector<RankMemoryPlan> PlanMemory(const proto::PartitionManifest& partition, const proto::TrainConfig& config);

// Human table plus `rank<k>_total_bytes: N` and `max_rank_total_bytes: N` lines.
std::string FormatMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes);

// Throws LimitError for the first rank over `limit_bytes` (limit <= 0: no limit).
void CheckMemoryPlan(const std::vector<RankMemoryPlan>& plan, int64_t limit_bytes);

// "1.50 GiB", "12.0 MiB", "512 B".
std::string FormatBytes(int64_t bytes);

}  // namespace melograph
