// LightGCN (He et al., SIGIR 2020) propagation over sampled blocks (sampler/block.h).
//
// Layer l (block l, outermost first) computes for each destination v
//   h_v^{l+1} = sum_{edges u->v} c_v / sqrt(deg_u * deg_v) * h_u^l,   c_v = deg_v / sampled_v
// with deg the FULL-graph degree (under the training relations; given as input, indexed by
// graph NodeId) and sampled_v the number of edges into v in the block: c_v = 1 for a full
// neighbourhood, and it keeps a sampled sum an unbiased estimate of the full one otherwise.
// The output for the seeds S = blocks.back().dst is the layer mean
//   (h^0 + h^1 + ... + h^L) / (L + 1)
// taken from the first |S| rows of every layer (the blocks' dst-first ordering puts S first).
// No weights, no nonlinearity: the only parameters are the input embeddings.
// The loss (BPR or sampled softmax) is applied by the caller (model/losses.h).
#pragma once

#include <span>
#include <vector>

#include "model/tape.h"
#include "sampler/block.h"

namespace melograph {

// Per-edge coefficients c_v / sqrt(deg_u deg_v) of one block (0 for a zero degree).
std::vector<float> LightGcnEdgeWeights(const Block& block, std::span<const float> degree);

// `input` holds the embeddings of blocks[0].src (one row each, in order). Returns the
// |blocks.back().dst| x dim layer-mean embeddings of the seeds. `edge_weights`, when not
// empty, gives LightGcnEdgeWeights of every block (precomputed once for a fixed graph).
Var LightGcnForward(Tape& t, const SampledSubgraph& subgraph, Var input,
                    std::span<const float> degree,
                    std::span<const std::vector<float>> edge_weights = {});

}  // namespace melograph
