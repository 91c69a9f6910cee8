// The distributed trainer: `mpirun -np K melograph train --partition DIR --config FILE --out RUN`.
//
// Every rank maps its shard (sampler/dist_graph.h) and owns the embedding rows of its nodes
// (worker/embedding_table.h, with the optimiser state beside them). A step:
//   LIGHTGCN / KGNN: the rank's next batch of training examples (target-relation edges of the
//     users it owns, in an order drawn from (seed, epoch)), negatives (BPR: one degree^power
//     negative per example; sampled softmax: a shared set per batch), a distributed neighbour
//     sample around users, positives and negatives (one exchange per hop), ONE pull of the input
//     rows, forward/backward on the tape (model/), ONE push of the input-row gradients to their
//     owners, who apply the sparse optimiser; KGNN's replicated weights: one allreduce of their
//     gradients, then the same dense step on every rank.
//   SGNS: distributed metapath walks per epoch (sampler/dist_random_walk.h) from the rank's own
//     start nodes, skip-gram pairs, k degree^power negatives per pair of the context's type; centre
//     and context vectors are two sharded tables (one pull and one push each per step).
// The loss of a step is the mean over the GLOBAL batch (each rank scales its backward seed by its
// share), so the learning dynamics do not depend on the rank count. Every random draw is keyed by
// (seed, epoch, step, node or example ids): same seed and rank count give bit-identical embeddings.
//
// Outputs (RUN/): embeddings/ + manifest.pb (recall/run_format.h; full-neighbourhood inference
// over every owned node, each rank writing its own shard), metrics/rank-<k>.csv per epoch
// (worker/train_metrics.h), checkpoints/ (worker/checkpoint.h, every `checkpoint_every_steps` and
// at epoch ends), config.pbtxt and train_info.txt. `resume` continues from the newest usable
// checkpoint; the final embeddings then equal an uninterrupted run's bit for bit.
// Inference: LightGCN and KGNN layer by layer over the whole graph (each layer pulls the rows of
// the owned nodes' neighbours once, then every owned node is computed from its full
// neighbourhood under that layer's relations); SGNS writes the centre vectors.
#pragma once

#include <cstdint>
#include <string>

#include "worker/communicator.h"

namespace melograph {

struct TrainJob {
  std::string partition_dir;
  std::string config_path;
  std::string out_dir;
  std::string graph_dir;        // default: the partition manifest's graph_dir
  std::string test_path;        // for evaluation during training (eval_every_epochs)
  bool resume = false;
  int64_t mem_per_rank = 0;     // bytes; 0 = no check
  int32_t epochs_override = 0;  // > 0 replaces the config's epochs
  int32_t eval_every = -1;      // >= 0 replaces the config's eval_every_epochs (0: never)
  int64_t max_steps = 0;        // > 0: stop (after a checkpoint) once this many steps ran (tests)
  bool quiet = false;           // no progress line
  // GNN models: sample step s + 1 (on the calling thread, which owns every MPI call) while step
  // s's forward/backward runs on a worker thread. Off: one after the other. Same results.
  bool overlap_sampling = true;
};

struct TrainSummary {
  int64_t steps = 0;
  int64_t epochs = 0;
  double seconds = 0;
  double last_loss = 0;
  bool stopped_early = false;  // max_steps reached
  int64_t examples = 0;         // training examples this rank processed (all epochs of this run)
  int64_t bytes_sent = 0;       // payload bytes this rank sent to other ranks in the last epoch
};

// Collective over every rank of `comm`.
TrainSummary RunTraining(Communicator& comm, const TrainJob& job);

}  // namespace melograph
