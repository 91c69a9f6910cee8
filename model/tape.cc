#include "model/tape.h"

#include <algorithm>

#include "common/error.h"

namespace melograph {

void Tape::Reset() {
  nodes_.clear();
  int64_t used = 0;
  for (const Chunk& c : chunks_) used += c.used;
  if (chunk_ > 0) {
    // The step overflowed its first chunk: keep one chunk of the whole step's size instead
    // (freed before the new one is allocated, so no two copies coexist), with a quarter more
    // room so that the next, slightly larger step does not overflow again. The room costs
    // address space only: pages that are never written are never resident.
    chunks_.clear();
    Chunk c;
    c.mem = MappedFloats(static_cast<size_t>(std::max(used + used / 4, kMinChunkFloats)));
    chunks_.push_back(std::move(c));
  }
  for (Chunk& c : chunks_) c.used = 0;
  chunk_ = 0;
  grads_size_ = 0;
  ints_.clear();
  for (SlotGrad& s : slots_) {
    s.rows.clear();
    s.values.clear();
    s.aggregated.Clear();
  }
}

void Tape::Release() {
  std::vector<Node>().swap(nodes_);
  chunks_.clear();
  chunk_ = 0;
  grads_ = MappedFloats();
  grads_size_ = 0;
  std::vector<int64_t>().swap(ints_);
  std::vector<SlotGrad>().swap(slots_);
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
  n.value = AllocateValue(rows * cols);
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

float* Tape::AllocateValue(int64_t n) {
  while (chunk_ < chunks_.size() && chunks_[chunk_].size() - chunks_[chunk_].used < n) {
    if (chunks_[chunk_].used == 0 && chunk_ + 1 == chunks_.size()) break;  // replace below
    ++chunk_;
  }
  if (chunk_ == chunks_.size() || chunks_[chunk_].size() - chunks_[chunk_].used < n) {
    Chunk c;
    c.mem = MappedFloats(static_cast<size_t>(std::max(n, kMinChunkFloats)));
    if (chunk_ < chunks_.size()) {
      chunks_[chunk_] = std::move(c);  // an unused last chunk that is too small
    } else {
      chunks_.push_back(std::move(c));
    }
  }
  Chunk& c = chunks_[chunk_];
  float* p = c.data() + c.used;
  c.used += n;
  return p;
}

int64_t Tape::ArenaBytes() const {
  int64_t bytes = 0;
  for (const Chunk& c : chunks_) bytes += c.size() * static_cast<int64_t>(sizeof(float));
  bytes += static_cast<int64_t>(grads_.size() * sizeof(float));
  bytes += static_cast<int64_t>(ints_.capacity() * sizeof(int64_t) + nodes_.capacity() * sizeof(Node));
  return bytes;
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
  if (total > static_cast<int64_t>(grads_.size())) {
    grads_ = MappedFloats();  // free first: never two gradient arenas at once
    grads_ = MappedFloats(static_cast<size_t>(total + total / 4));  // room for larger steps (see Reset)
  }
  grads_size_ = total;
  std::fill_n(grads_.data(), total, 0.0f);
  for (SlotGrad& s : slots_) {
    s.rows.clear();
    s.values.clear();
    s.aggregated.Clear();
  }
  if (!l.requires_grad) return;
  grads_.data()[nodes_[loss.id].grad_offset] = seed;
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
