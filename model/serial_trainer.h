// The single-process reference trainer: full-graph training on one machine, for quality work
// and as the serial reference of the distributed worker (worker/), which replaces the full-graph
// propagation by sampled blocks and the table by sharded rows, reusing the same pieces
// (tape, ops, losses, optimisers, model forward passes).
//
// Supported: LIGHTGCN (full-graph propagation every step, `layers` hops over the relations of
// the first hop filter, or target_relation and its reverse). Training examples are the
// target_relation edges user_type -> item_type; each epoch visits them once in an order drawn
// from (seed, epoch). Per step: LightGCN forward over every node, loss on the batch (BPR with
// one degree^negative_power negative per positive, rejecting the user's training items; or
// sampled softmax with in-batch + `negatives` shared degree^negative_power negatives, logQ
// optional), L2 on the batch's input rows, Adam/Adagrad/SGD on the whole table (every row
// receives a gradient through the propagation, so the update is dense).
// Deterministic: every random draw comes from Rng(HashCombine(seed, epoch, step)) and every
// reduction runs in a fixed order, so the same graph and config give identical embeddings
// (tested). `threads` > 1 lets Eigen split matrix products over OpenMP threads by output
// blocks; the reference figures use the thread count stated with them.
// With normalize_embeddings the loss scores unit rows (cosine) and the output rows are unit.
// Output: the layer-mean (propagated) embeddings of every node, i.e. full-neighbourhood,
// layer-wise inference.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "graph/graph.h"
#include "model/optimizer.h"
#include "model/train_config.h"

namespace melograph {

struct EpochStats {
  int epoch = 0;          // 1-based
  int64_t steps = 0;      // total steps so far
  double loss = 0;        // mean batch loss of the epoch
  double seconds = 0;     // wall time since training started (excluding hooks)
  double examples_per_s = 0;
};

struct SerialTrainHooks {
  // Called after every epoch with the current output embeddings (all nodes) when
  // wants_embeddings(epoch) is true; may print or evaluate.
  std::function<bool(int epoch)> wants_embeddings;
  std::function<void(const EpochStats&, const EmbeddingTable* embeddings)> on_epoch;
};

struct SerialTrainResult {
  EmbeddingTable embeddings;  // graph.num_nodes() rows: the output embeddings
  std::vector<EpochStats> epochs;
  int64_t steps = 0;
  double seconds = 0;
};

SerialTrainResult TrainSerial(const Graph& graph, const TrainConfig& config,
                              const SerialTrainHooks& hooks = {});

}  // namespace melograph
