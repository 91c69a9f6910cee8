#include "model/lightgcn.h"

#include <cmath>

#include "common/error.h"
#include "model/ops.h"

namespace melograph {

std::vector<float> LightGcnEdgeWeights(const Block& block, std::span<const float> degree) {
  std::vector<float> w(block.edge_src.size());
  auto deg = [&](NodeId v) {
    if (v < 0 || static_cast<size_t>(v) >= degree.size())
      throw UsageError("LightGCN: node " + std::to_string(v) + " has no degree");
    return static_cast<double>(degree[v]);
  };
  for (size_t i = 0; i < block.dst.size(); ++i) {
    const int64_t first = block.edge_offsets[i], last = block.edge_offsets[i + 1];
    if (first == last) continue;
    const double dv = deg(block.dst[i]);
    const double correction = dv / static_cast<double>(last - first);
    for (int64_t e = first; e < last; ++e) {
      const double du = deg(block.src[block.edge_src[e]]);
      w[e] = du > 0 && dv > 0 ? static_cast<float>(correction / std::sqrt(du * dv)) : 0.0f;
    }
  }
  return w;
}

Var LightGcnForward(Tape& t, const SampledSubgraph& subgraph, Var input,
                    std::span<const float> degree,
                    std::span<const std::vector<float>> edge_weights) {
  const std::vector<Block>& blocks = subgraph.blocks;
  if (blocks.empty()) throw UsageError("LightGCN: the subgraph has no blocks");
  if (t.node(input).rows != static_cast<int64_t>(blocks[0].src.size()))
    throw UsageError("LightGCN: input rows differ from the first block's sources");
  if (!edge_weights.empty() && edge_weights.size() != blocks.size())
    throw UsageError("LightGCN: one edge weight vector per block");
  const int64_t seeds = static_cast<int64_t>(blocks.back().dst.size());
  Var h = input;
  // Seeds are the first rows of every layer; a full-graph block needs no slice.
  auto seed_rows = [&](Var x) { return t.node(x).rows == seeds ? x : SliceRows(t, x, 0, seeds); };
  Var total = seed_rows(h);
  for (size_t l = 0; l < blocks.size(); ++l) {
    const Block& b = blocks[l];
    Var w = edge_weights.empty()
                ? t.Leaf(b.num_edges(), 1, LightGcnEdgeWeights(b, degree), false)
                : t.ExternalLeaf(b.num_edges(), 1, edge_weights[l].data(), false);
    h = SegmentWeightedSum(t, h, b.edge_src, w, b.edge_offsets);
    total = Add(t, total, seed_rows(h));
  }
  return Scale(t, total, 1.0f / static_cast<float>(blocks.size() + 1));
}

}  // namespace melograph
