#include "model/tape.h"

#include <algorithm>

#include "common/error.h"

namespace melograph {

void Tape::Reset() {
  nodes_.clear();
  values_.clear();
  grads_.clear();
  ints_.clear();
  for (SlotGrad& s : slots_) {
    s.rows.clear();
    s.values.clear();
    s.aggregated.Clear();
  }
}

Var Tape::AddNode(OpKind kind, int64_t rows, int64_t cols, int32_t a, int32_t b, int32_t c) {
  Var v = AddNodeUninit(kind, rows, cols, a, b, c);
  std::fill_n(MutableValue(v), rows * cols, 0.0f);
  return v;
}

Var Tape::AddNodeUninit(OpKind kind, int64_t rows, int64_t cols, int32_t a, int32_t b,
                        int32_t c) {
  Node n;
  n.kind = kind;
  n.rows = rows;
  n.cols = cols;
  n.a = a;
  n.b = b;
  n.c = c;
  n.requires_grad = (a >= 0 && nodes_[a].requires_grad) || (b >= 0 && nodes_[b].requires_grad) ||
                    (c >= 0 && nodes_[c].requires_grad);
  n.value_offset = static_cast<int64_t>(values_.size());
  values_.resize(values_.size() + static_cast<size_t>(rows * cols));
  nodes_.push_back(n);
  return Var{static_cast<int32_t>(nodes_.size() - 1)};
}

Var Tape::Leaf(int64_t rows, int64_t cols, std::span<const float> values, bool requires_grad) {
  if (static_cast<int64_t>(values.size()) != rows * cols)
    throw UsageError("Tape::Leaf: value count does not match rows x cols");
  Var v = AddNodeUninit(OpKind::kLeaf, rows, cols);
  std::copy(values.begin(), values.end(), MutableValue(v));
  nodes_[v.id].requires_grad = requires_grad;
  return v;
}

Var Tape::ExternalLeaf(int64_t rows, int64_t cols, const float* values, bool requires_grad) {
  Node n;
  n.kind = OpKind::kLeaf;
  n.rows = rows;
  n.cols = cols;
  n.external = values;
  n.requires_grad = requires_grad;
  nodes_.push_back(n);
  return Var{static_cast<int32_t>(nodes_.size() - 1)};
}

Var Tape::Zeros(int64_t rows, int64_t cols) { return AddNode(OpKind::kLeaf, rows, cols); }

ConstMatrixMap Tape::Value(Var v) const {
  const Node& n = nodes_[v.id];
  return ConstMatrixMap(ValuePtr(v.id), n.rows, n.cols);
}

ConstMatrixMap Tape::Grad(Var v) const {
  const Node& n = nodes_[v.id];
  if (n.grad_offset < 0) throw UsageError("Tape::Grad: node has no gradient (call Backward)");
  return ConstMatrixMap(grads_.data() + n.grad_offset, n.rows, n.cols);
}

const SparseRowGrad& Tape::SparseGradient(int slot) const {
  if (slot < 0 || slot >= static_cast<int>(slots_.size())) return empty_;
  return slots_[slot].aggregated;
}

void RecordTableGradient(Tape& tape, int32_t slot, const int64_t* ids, int64_t n,
                         const float* grad, int64_t dim) {
  if (slot >= static_cast<int32_t>(tape.slots_.size())) tape.slots_.resize(slot + 1);
  Tape::SlotGrad& s = tape.slots_[slot];
  s.rows.insert(s.rows.end(), ids, ids + n);
  s.values.insert(s.values.end(), grad, grad + n * dim);
  s.aggregated.dim = dim;
}

void Tape::Backward(Var loss, float seed) {
  const Node& l = nodes_[loss.id];
  if (l.rows != 1 || l.cols != 1) throw UsageError("Tape::Backward: loss must be a 1x1 node");
  int64_t total = 0;
  for (Node& n : nodes_) {
    n.grad_offset = -1;
    if (!n.requires_grad) continue;
    n.grad_offset = total;
    total += n.size();
  }
  grads_.assign(static_cast<size_t>(total), 0.0f);
  for (SlotGrad& s : slots_) {
    s.rows.clear();
    s.values.clear();
    s.aggregated.Clear();
  }
  if (!l.requires_grad) return;
  grads_[nodes_[loss.id].grad_offset] = seed;
  // The GatherTable contributions must be recorded in op order (the aggregation contract), but
  // reverse mode visits ops backwards: record per node first, then replay in forward order.
  for (int32_t id = loss.id; id >= 0; --id) {
    if (nodes_[id].requires_grad && nodes_[id].kind != OpKind::kLeaf &&
        nodes_[id].kind != OpKind::kGatherTable)
      BackwardOp(*this, id);
  }
  for (int32_t id = 0; id <= loss.id; ++id) {
    if (nodes_[id].requires_grad && nodes_[id].kind == OpKind::kGatherTable) BackwardOp(*this, id);
  }
  for (SlotGrad& s : slots_) {
    if (!s.rows.empty()) AggregateRows(s.rows, s.values, s.aggregated.dim, &s.aggregated);
  }
}

}  // namespace melograph
