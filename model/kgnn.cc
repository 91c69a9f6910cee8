#include "model/kgnn.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "model/lightgcn.h"
#include "model/ops.h"

namespace melograph {

KgnnModel::KgnnModel(int64_t dim, int layers, std::span<const RelationId> relations, float slope,
                     uint64_t seed, KgnnAggregator aggregator)
    : dim_(dim), layers_(layers), slope_(slope), aggregator_(aggregator) {
  if (dim < 1 || layers < 1) throw UsageError("KGNN: dim and layers must be >= 1");
  if (relations.empty()) throw UsageError("KGNN: no relations");
  for (RelationId r : relations) {
    if (r >= slot_of_relation_.size()) slot_of_relation_.resize(r + 1, -1);
    if (slot_of_relation_[r] < 0) slot_of_relation_[r] = num_relations_++;
  }
  const bool normalized = aggregator == KgnnAggregator::kNormalized;
  per_layer_ = num_relations_ + (normalized ? 0 : 1);
  for (int l = 0; l < layers; ++l) {
    for (int r = 0; r < num_relations_; ++r) {
      const int i = params_.Add("layer" + std::to_string(l) + ".relation" + std::to_string(r), dim, dim, seed);
      if (!normalized) continue;
      float* w = params_.values(i);  // identity: start from LightGCN's propagation
      std::fill(w, w + dim * dim, 0.0f);
      for (int64_t k = 0; k < dim; ++k) w[k * dim + k] = 1.0f;
    }
    if (!normalized) params_.Add("layer" + std::to_string(l) + ".out", 2 * dim, dim, seed);
  }
}

int KgnnModel::Slot(RelationId r) const {
  if (r >= slot_of_relation_.size() || slot_of_relation_[r] < 0)
    throw UsageError("KGNN: relation " + std::to_string(r) + " has no weights in the model");
  return slot_of_relation_[r];
}

std::vector<Var> KgnnModel::WeightVars(Tape& t) const {
  std::vector<Var> vars;
  for (int i = 0; i < params_.num_tensors(); ++i) {
    const auto& ten = params_.tensor(i);
    vars.push_back(t.ExternalLeaf(ten.rows, ten.cols, params_.values(i), true));
  }
  return vars;
}

Var KgnnModel::Forward(Tape& t, const SampledSubgraph& subgraph, Var input,
                       std::span<const Var> weights, std::span<const float> degree) const {
  const std::vector<Block>& blocks = subgraph.blocks;
  if (static_cast<int>(blocks.size()) != layers_)
    throw UsageError("KGNN: the subgraph has " + std::to_string(blocks.size()) +
                     " blocks, the model " + std::to_string(layers_) + " layers");
  if (static_cast<int>(weights.size()) != params_.num_tensors())
    throw UsageError("KGNN: wrong number of weight variables");
  if (t.node(input).rows != static_cast<int64_t>(blocks[0].src.size()))
    throw UsageError("KGNN: input rows differ from the first block's sources");
  const int64_t seeds = static_cast<int64_t>(blocks.back().dst.size());
  Var h = input;
  Var total = SliceRows(t, h, 0, seeds);
  for (int l = 0; l < layers_; ++l) {
    h = Layer(t, blocks[l], h, l, weights, degree);
    total = Add(t, total, SliceRows(t, h, 0, seeds));
  }
  return Scale(t, total, 1.0f / static_cast<float>(layers_ + 1));
}

Var KgnnModel::Layer(Tape& t, const Block& b, Var h, int l, std::span<const Var> weights,
                     std::span<const float> degree) const {
  if (l < 0 || l >= layers_) throw UsageError("KGNN: layer " + std::to_string(l) + " outside [0, " + std::to_string(layers_) + ")");
  if (static_cast<int>(weights.size()) != params_.num_tensors())
    throw UsageError("KGNN: wrong number of weight variables");
  const int64_t n_src = static_cast<int64_t>(b.src.size());
  const int64_t n_dst = static_cast<int64_t>(b.dst.size());
  if (t.node(h).rows != n_src) throw UsageError("KGNN: layer input rows differ from the block's sources");
  const int64_t edges = b.num_edges();
  const bool normalized = aggregator_ == KgnnAggregator::kNormalized;
  if (normalized && degree.empty()) throw UsageError("KGNN: the normalized aggregator needs node degrees");
  const int first = l * per_layer_;
  // Messages h_u W_r are computed only for the (source, relation) pairs some edge uses: per
  // present relation, its distinct source rows are gathered and multiplied once (a relation's
  // edges touch few of the block's sources, so transforming every source row by every relation
  // would cost relations x n_src x dim^2).
  std::vector<int32_t> message_index(static_cast<size_t>(edges)), dst_of_edge, identity;
  std::vector<int> present(static_cast<size_t>(num_relations_), -1);  // slot -> order of first use
  std::vector<int> slot_of_edge(static_cast<size_t>(edges));
  std::vector<int> order;  // slots in order of first use
  for (int64_t e = 0; e < edges; ++e) {
    const int slot = Slot(b.edge_relation[e]);
    slot_of_edge[static_cast<size_t>(e)] = slot;
    if (present[slot] < 0) {
      present[slot] = static_cast<int>(order.size());
      order.push_back(slot);
    }
  }
  std::vector<std::vector<int32_t>> rows_of(order.size());  // per used slot: its distinct sources
  std::vector<int32_t> position(static_cast<size_t>(n_src), -1);
  std::vector<int32_t> stamp(static_cast<size_t>(n_src), -1);
  std::vector<int32_t> offset(order.size(), 0);
  for (size_t k = 0; k < order.size(); ++k) {
    for (int64_t e = 0; e < edges; ++e) {
      if (slot_of_edge[static_cast<size_t>(e)] != order[k]) continue;
      const int32_t src = static_cast<int32_t>(b.edge_src[e]);
      if (stamp[static_cast<size_t>(src)] != static_cast<int32_t>(k)) {
        stamp[static_cast<size_t>(src)] = static_cast<int32_t>(k);
        position[static_cast<size_t>(src)] = static_cast<int32_t>(rows_of[k].size());
        rows_of[k].push_back(src);
      }
      message_index[static_cast<size_t>(e)] = position[static_cast<size_t>(src)];  // offset added below
    }
    if (k + 1 < order.size()) offset[k + 1] = offset[k] + static_cast<int32_t>(rows_of[k].size());
  }
  std::vector<Var> transformed;
  for (size_t k = 0; k < order.size(); ++k)
    transformed.push_back(MatMul(t, Gather(t, h, rows_of[k]), weights[first + order[k]]));
  for (int64_t e = 0; e < edges; ++e)
    message_index[static_cast<size_t>(e)] += offset[static_cast<size_t>(present[slot_of_edge[static_cast<size_t>(e)]])];
  Var h_dst = SliceRows(t, h, 0, n_dst);
  Var neighbours;
  if (edges > 0) {
    Var stacked = transformed.size() == 1 ? transformed[0] : ConcatRows(t, transformed);
    Var messages = Gather(t, stacked, message_index);
    dst_of_edge.resize(static_cast<size_t>(edges));
    for (int64_t i = 0; i < n_dst; ++i)
      for (int64_t e = b.edge_offsets[i]; e < b.edge_offsets[i + 1]; ++e) dst_of_edge[e] = static_cast<int32_t>(i);
    Var logits = RowDot(t, messages, Gather(t, h_dst, dst_of_edge));
    // kNormalized scales the dot products by 1/sqrt(dim), as scaled dot-product attention does:
    // unscaled, the logits of trained rows (norms ~1-2) make the attention peak on one neighbour
    // and cost recall (docs/BENCHMARKS.md, "Knowledge graph earns its place").
    if (normalized) logits = Scale(t, logits, 1.0f / std::sqrt(static_cast<float>(dim_)));
    logits = LeakyRelu(t, logits, slope_);
    std::vector<float> mass;  // kNormalized: per edge, the total LightGCN weight of its dst
    if (normalized) {
      const std::vector<float> w = LightGcnEdgeWeights(b, degree);
      std::vector<float> log_w(w.size());
      mass.assign(w.size(), 0.0f);
      for (int64_t i = 0; i < n_dst; ++i) {
        double total = 0;
        for (int64_t e = b.edge_offsets[i]; e < b.edge_offsets[i + 1]; ++e) total += w[e];
        for (int64_t e = b.edge_offsets[i]; e < b.edge_offsets[i + 1]; ++e) {
          // A zero weight (zero degree) gets a logit far below any other: no attention mass.
          log_w[e] = w[e] > 0 ? std::log(w[e]) : -1e30f;
          mass[e] = static_cast<float>(total);
        }
      }
      logits = Add(t, logits, t.Leaf(edges, 1, log_w, false));
    }
    Var alpha = SegmentSoftmax(t, logits, b.edge_offsets);
    if (normalized) alpha = Mul(t, alpha, t.Leaf(edges, 1, mass, false));
    identity.resize(static_cast<size_t>(edges));
    for (int64_t e = 0; e < edges; ++e) identity[e] = static_cast<int32_t>(e);
    neighbours = SegmentWeightedSum(t, messages, identity, alpha, b.edge_offsets);
  } else {
    neighbours = t.Zeros(n_dst, dim_);
  }
  if (normalized) return neighbours;
  const Var parts[] = {h_dst, neighbours};
  Var out = MatMul(t, ConcatCols(t, parts), weights[first + num_relations_]);
  if (l + 1 < layers_) out = LeakyRelu(t, out, 0.2f);
  return out;
}

void KgnnModel::AccumulateGradients(const Tape& t, std::span<const Var> weights) {
  for (int i = 0; i < params_.num_tensors() && i < static_cast<int>(weights.size()); ++i) {
    if (t.node(weights[i]).grad_offset < 0) continue;
    auto g = t.Grad(weights[i]);
    float* dst = params_.grads(i);
    for (int64_t k = 0; k < g.size(); ++k) dst[k] += g.data()[k];
  }
}

}  // namespace melograph
