// The shape of one GNN training step: which relations each hop follows (from the config), and
// how many seeds, nodes, edges and transformed rows a step's sampled blocks hold. The memory
// plan (worker/memory_plan.h) turns a shape into bytes.
//
// HopRelations / UnionOf: the trainer's relation filters, innermost hop (nearest the seeds)
// first; without `hops` in the config every hop follows the target relation and its reverse.
//
// MeasureBatchShape draws `batches` steps the way the trainer does (a local batch of uniformly
// drawn target edges: users and positive items; the softmax's shared negatives, or one per
// example for BPR, from the degree^power tables) and samples their blocks with the serial
// sampler (identical to the distributed one), seeded by (seed, batch): it returns the largest
// sizes seen per hop. Pure in (graph, config, local batch, seed, batches); O(batches x the
// sampled blocks) time. MeasureWalkShape does the same for skip-gram's walks and pairs.
// EstimateBatchShape is the analytic fallback from the partition
// manifest's counts (no graph needed): see memory_plan.h for its formulas.
#pragma once

#include <cstdint>
#include <vector>

#include "model/train_config.h"
#include "proto/partition_manifest.pb.h"
#include "sampler/dist_graph.h"
#include "sampler/relation_table.h"

namespace melograph {

std::vector<RelationSet> HopRelations(const TrainConfig& c, const RelationTable& table, size_t hops);
RelationSet UnionOf(const std::vector<RelationSet>& sets);
// GNN layers of a config (0 for skip-gram).
int GnnLayers(const TrainConfig& c);

struct BatchShape {
  int64_t batch = 0;               // local examples per step
  int64_t negatives = 0;           // shared softmax negatives (per example for BPR)
  double seeds = 0;                // distinct seed nodes
  std::vector<double> nodes;       // nodes[0] = seeds, nodes[k + 1] = the frontier after hop k
  std::vector<double> edges;       // sampled edges of hop k (block L-1-k)
  std::vector<double> transforms;  // hop k: distinct (source, relation) pairs (KGNN's transformed rows)
  // Skip-gram: one epoch's walks over the WHOLE graph (a rank holds its share, by nodes).
  double walks = 0;                // walks of an epoch
  double walk_nodes = 0;           // nodes in them
  double pairs = 0;                // (centre, context) pairs drawn from them
  bool measured = false;           // by sampling (true) or estimated from the manifest
};

BatchShape MeasureBatchShape(const SerialGraph& graph, const TrainConfig& config, int64_t local_batch,
                             uint64_t seed, int batches = 4);
// Skip-gram: walks of up to `starts_per_metapath` evenly spaced start nodes per metapath (one
// repetition each) and their exact pair count, scaled to every start node x walks_per_node.
BatchShape MeasureWalkShape(const Graph& graph, const TrainConfig& config, int64_t local_batch, uint64_t seed,
                            int starts_per_metapath = 256);
BatchShape EstimateBatchShape(const proto::PartitionManifest& partition, const TrainConfig& config);

}  // namespace melograph
