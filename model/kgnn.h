// Knowledge-aware GNN (KGAT / GraphSAGE family) over sampled blocks whose edges carry relations.
//
// Layer l (block l, outermost first), for destination v with sampled in-edges u -r-> v:
//   m_e     = h_u W_{l,r}                       per-relation message (W_{l,r}: dim x dim)
//   a_e     = leaky_relu(<m_e, h_v>)            attention logit (slope from the config)
//   alpha_e = softmax over v's edges of a_e
//   n_v     = sum_e alpha_e m_e
//   h_v'    = act([h_v | n_v] W_{l,out})        W_{l,out}: 2 dim x dim; act = leaky relu, none on
//                                               the last layer
// The seeds' output is the mean of their rows over the input and every layer (as LightGCN), so
// the ID embedding always reaches the score. A node without sampled neighbours gets n_v = 0.
//
// That is the kConcat aggregator. kNormalized keeps LightGCN's propagation and makes it
// relation-aware:
//   w_e     = c_v / sqrt(deg_u deg_v)           LightGCN's coefficient (model/lightgcn.h; deg
//                                               from the caller, c_v the sampling correction)
//   a_e     = leaky_relu(<m_e, h_v> / sqrt(dim))  scaled dot-product attention logit
//   alpha_e = softmax over v's edges of (a_e + log w_e)
//   h_v'    = (sum_e w_e) * sum_e alpha_e m_e   no W_out, no activation
// With a_e = 0 and W_r = I this is exactly LightGCN over every hop relation; the W_r start at
// the identity, so training departs from LightGCN only where relation transforms and attention
// (which re-weights v's neighbours without changing their total weight) pay off.
// Relations are the graph's RelationIds; a relation without weights in the model (not listed at
// construction) is refused. Dense weights live in a DenseParameters (replicated; their gradients
// are allreduced by the worker); WeightVars exposes them to a tape.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/types.h"
#include "model/optimizer.h"
#include "model/tape.h"
#include "sampler/block.h"

namespace melograph {

enum class KgnnAggregator { kConcat, kNormalized };

class KgnnModel {
 public:
  // `relations`: the graph relation ids the model has weights for.
  KgnnModel(int64_t dim, int layers, std::span<const RelationId> relations, float slope,
            uint64_t seed, KgnnAggregator aggregator = KgnnAggregator::kConcat);

  DenseParameters& params() { return params_; }
  const DenseParameters& params() const { return params_; }
  int layers() const { return layers_; }

  // One tape leaf per dense tensor (reading params() in place), in tensor order.
  std::vector<Var> WeightVars(Tape& t) const;
  KgnnAggregator aggregator() const { return aggregator_; }

  // `input` holds the embeddings of blocks[0].src; `weights` the WeightVars (or any vars of the
  // same shapes). `degree` (indexed by the blocks' node ids) is needed by kNormalized only.
  // Returns |blocks.back().dst| x dim seed embeddings.
  Var Forward(Tape& t, const SampledSubgraph& subgraph, Var input, std::span<const Var> weights,
              std::span<const float> degree = {}) const;
  // One layer l on one block: `h` holds the layer-l rows of block.src; returns the layer-(l+1)
  // rows of block.dst. Forward is these layers in sequence; full-graph inference applies them
  // layer by layer over every node.
  Var Layer(Tape& t, const Block& block, Var h, int l, std::span<const Var> weights,
            std::span<const float> degree = {}) const;
  // Adds the tape's gradients of `weights` into params().grads (after Backward).
  void AccumulateGradients(const Tape& t, std::span<const Var> weights);

 private:
  int Slot(RelationId r) const;
  int64_t dim_;
  int layers_;
  float slope_;
  std::vector<int> slot_of_relation_;  // graph relation id -> model relation index, -1: none
  int num_relations_ = 0;
  KgnnAggregator aggregator_;
  int per_layer_ = 0;       // dense tensors per layer
  DenseParameters params_;  // per layer: W_rel[0..R), then W_out (kConcat only)
};

}  // namespace melograph
