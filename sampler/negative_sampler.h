// Negative sampling for link prediction and BPR: popularity-smoothed negatives from alias tables,
// in-batch negatives, and hard negatives from the negative (skip/dislike) relation.
//
// * NegativeTables: one alias table (sampler/alias_table.h) per node type over that type's nodes,
//   weight degree(v)^power (word2vec's 0.75 by default), where degree counts v's CSR entries in
//   `degree_relations` (every relation by default). Distributed build: every rank counts the
//   degrees of the nodes it owns into a vector over all graph ids, one Allreduce(sum) of those
//   integers gives every rank the exact global counts, and every rank builds the same table as
//   the serial build (bit-identical: same integers, same arithmetic). Draws are local.
//   Draw(type, item_index, k): Rng(HashCombine(seed, tag, epoch, step, item_index)) -> k ids.
// * InBatchNegatives: for item i, k positives of other items j of the batch (uniform over j
//   with positives[j] != positives[i]; kInvalidNode when no such j exists).
// * Hard negatives: for item i of user u, up to k distinct nodes of u's `hard_relation` row
//   (default `rejected`, user -> song), uniformly without replacement, all when fewer. The
//   distributed version asks u's owner in one OwnerCompute round for the whole batch (collective);
//   a hub replica of u on the asking rank answers in place.
// Determinism: every draw is a function of (seed, epoch, step, item_index, draw number) and the
// graph only; item_index must identify the item uniquely within a step across ranks (e.g. the
// user's graph id or the example's global index). Never rank or thread ids.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sampler/alias_table.h"
#include "sampler/dist_graph.h"
#include "sampler/owner_compute.h"
#include "sampler/relation_table.h"

namespace melograph {

struct NegativeSamplerOptions {
  uint64_t seed = 1;
  double power = 0.75;
  RelationSet degree_relations;              // default: every relation
  std::string hard_relation = "rejected";
};

class NegativeTables {
 public:
  static NegativeTables Build(const SerialGraph& graph, const NegativeSamplerOptions& options);
  // Collective (one Allreduce over the node range).
  static NegativeTables Build(const DistGraph& graph, const NegativeSamplerOptions& options);

  const std::vector<TypeRange>& node_types() const { return types_; }
  // Global degree counts under degree_relations, indexed by graph id.
  const std::vector<int64_t>& degrees() const { return degrees_; }
  const AliasTable& table(TypeId type) const { return tables_[type]; }
  // k negatives of `type` for one item, written to out[0..k). UsageError if the type has no node
  // of positive weight.
  void Draw(TypeId type, int64_t epoch, int64_t step, int64_t item_index, int32_t k, NodeId* out) const;
  std::vector<NodeId> Draw(TypeId type, std::span<const int64_t> item_index, int32_t k, int64_t epoch,
                           int64_t step) const;

 private:
  static NegativeTables FromDegrees(std::vector<int64_t> degrees, std::vector<TypeRange> types,
                                    const NegativeSamplerOptions& options);
  uint64_t seed_ = 1;
  std::vector<TypeRange> types_;
  std::vector<int64_t> degrees_;
  std::vector<AliasTable> tables_;
};

// Result: out[i*k + j] is negative j of item i.
std::vector<NodeId> InBatchNegatives(std::span<const NodeId> positives, std::span<const int64_t> item_index,
                                     int32_t k, uint64_t seed, int64_t epoch, int64_t step);

// Hard negatives of a batch: offsets (users.size() + 1) into nodes (graph ids).
struct HardNegatives {
  std::vector<int64_t> offsets;
  std::vector<NodeId> nodes;
  bool operator==(const HardNegatives&) const = default;
};

class SerialHardNegativeSampler {
 public:
  SerialHardNegativeSampler(const SerialGraph& graph, const NegativeSamplerOptions& options);
  bool has_relation() const { return !relation_.ids.empty(); }
  HardNegatives Sample(std::span<const NodeId> users, std::span<const int64_t> item_index, int32_t k,
                       int64_t epoch, int64_t step) const;

 private:
  const SerialGraph& graph_;
  uint64_t seed_;
  RelationSet relation_;
};

class DistHardNegativeSampler {
 public:
  DistHardNegativeSampler(const DistGraph& graph, const NegativeSamplerOptions& options);
  bool has_relation() const { return !relation_.ids.empty(); }
  // Collective.
  HardNegatives Sample(std::span<const NodeId> users, std::span<const int64_t> item_index, int32_t k,
                       int64_t epoch, int64_t step);
  const OwnerComputeStats& exchange_stats() const { return exchange_.stats(); }

 private:
  struct Request {
    NodeId global;
    int32_t k;
    int64_t item_index;
  };
  const DistGraph& graph_;
  uint64_t seed_;
  RelationSet relation_;
  struct Context {
    int64_t epoch;
    int64_t step;
  };
  OwnerCompute<Request, NodeId, Context> exchange_;
};

}  // namespace melograph
