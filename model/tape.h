// Tape: reverse-mode automatic differentiation over row-major float matrices.
//
// A Tape records a straight-line program: every op (model/ops.h) appends one Node whose value
// lives in the tape's flat float arena; Backward(loss) walks the nodes in reverse and adds each
// node's gradient into its inputs' gradients (a second flat arena). Index arrays an op needs
// (gather ids, CSR offsets) are copied into an int64 arena, so callers may free them at once.
//
// Embedding tables stay outside the tape: GatherTable reads rows of a caller-owned table and
// records the gradient rows per table slot; SparseGradient(slot) returns them aggregated per row
// (model/sparse_grad.h: sorted by row, each row summed in the order the contributions were
// recorded: op order, then position in the op's id list), so results are deterministic.
//
// Speed and memory: node values live in chunks that never move (a node's value is one
// contiguous range of one chunk), so a growing graph copies nothing, no transient second copy
// exists, and value maps stay valid until Reset(). Reset() keeps the chunks; when a step needed
// more than one, they are replaced by one chunk of the step's total (old chunks freed first), so
// a training loop that rebuilds a graph of the same shape each step allocates nothing after the
// second step and holds about one step's values, not a doubled vector's up-to-2x capacity. The
// gradient arena is sized exactly in Backward. ArenaBytes() reports what the arenas hold
// (worker/memory_plan.h models it). Gradient maps stay valid until the next Backward or Reset.
//
// Not thread-safe: one tape per thread.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "common/anonymous_array.h"
#include "model/sparse_grad.h"

namespace melograph {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

// A handle to one tape node. Valid until the tape's next Reset().
struct Var {
  int32_t id = -1;
  bool valid() const { return id >= 0; }
};

enum class OpKind : uint8_t {
  kLeaf,
  kGather,
  kGatherTable,
  kSliceRows,
  kSegmentSum,
  kSegmentMean,
  kSegmentSoftmax,
  kSegmentWeightedSum,
  kMatMul,
  kAdd,
  kSub,
  kMul,
  kScale,
  kScaleRows,
  kRelu,
  kLeakyRelu,
  kTanh,
  kSigmoid,
  kLogSigmoid,
  kRowDot,
  kRowLogSumExp,
  kRowNormalize,
  kPickColumns,
  kConcatCols,
  kConcatRows,
  kL2Penalty,
  kSum,
  kMean,
};

class Tape {
 public:
  struct Node {
    OpKind kind = OpKind::kLeaf;
    bool requires_grad = false;
    bool broadcast = false;  // kAdd/kSub: b is one row; kMatMul: b transposed
    int64_t rows = 0, cols = 0;
    float* value = nullptr;           // in a value chunk; null when external
    const float* external = nullptr;  // external leaf value / GatherTable table
    int64_t grad_offset = -1;         // set by Backward for nodes that require a gradient
    int32_t a = -1, b = -1, c = -1;   // input node ids
    int64_t idx = 0, idx_len = 0;     // first index array (ids, offsets or input list)
    int64_t idx2 = 0, idx2_len = 0;   // second index array
    int64_t table_rows = 0;           // GatherTable: rows of the table; SliceRows: first row
    int32_t slot = -1;                // GatherTable: table slot
    float param = 0;                  // Scale factor, LeakyRelu slope
    int64_t size() const { return rows * cols; }
  };

  Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Forgets every node (keeps the arenas' capacity).
  void Reset();
  // Forgets every node and frees every arena (before a phase that needs the memory).
  void Release();

  // A leaf holding a copy of `values` (rows * cols floats, row-major).
  Var Leaf(int64_t rows, int64_t cols, std::span<const float> values, bool requires_grad);
  Var Leaf(const RowMatrix& m, bool requires_grad) {
    return Leaf(m.rows(), m.cols(), {m.data(), static_cast<size_t>(m.size())}, requires_grad);
  }
  // A leaf reading caller memory (not copied; must outlive the tape's use of it).
  Var ExternalLeaf(int64_t rows, int64_t cols, const float* values, bool requires_grad);
  // A zero-initialised leaf without gradient.
  Var Zeros(int64_t rows, int64_t cols);

  // Runs reverse mode from `loss` (a 1x1 node), seeding its gradient with `seed`.
  void Backward(Var loss, float seed = 1.0f);

  ConstMatrixMap Value(Var v) const;
  float Scalar(Var v) const { return Value(v)(0, 0); }
  // Gradient of a node that requires one (after Backward).
  ConstMatrixMap Grad(Var v) const;
  // Aggregated gradient rows of every GatherTable of `slot` (after Backward); empty when none.
  const SparseRowGrad& SparseGradient(int slot) const;

  const Node& node(Var v) const { return nodes_[v.id]; }
  // Bytes the tape holds now: value chunks, gradient arena, index arena and nodes (capacities).
  int64_t ArenaBytes() const;
  int64_t num_nodes() const { return static_cast<int64_t>(nodes_.size()); }

  // ---- for op implementations (model/ops.cc) ----
  // Appends a node with a fresh zero value of rows x cols; requires_grad is the OR of its inputs'.
  Var AddNode(OpKind kind, int64_t rows, int64_t cols, int32_t a = -1, int32_t b = -1,
              int32_t c = -1);
  // Same, value left uninitialised: for ops that write every element of their output.
  Var AddNodeUninit(OpKind kind, int64_t rows, int64_t cols, int32_t a = -1, int32_t b = -1,
                    int32_t c = -1);
  Node& mutable_node(Var v) { return nodes_[v.id]; }
  float* MutableValue(Var v) { return nodes_[v.id].value; }
  const float* ValuePtr(int32_t id) const {
    const Node& n = nodes_[id];
    return n.external ? n.external : n.value;
  }
  float* GradPtr(int32_t id) {
    return nodes_[id].grad_offset < 0 ? nullptr : grads_.data() + nodes_[id].grad_offset;
  }
  // Copies an index array into the int arena; returns its offset.
  template <typename T>
  int64_t StoreIndices(std::span<const T> values) {
    const int64_t offset = static_cast<int64_t>(ints_.size());
    ints_.insert(ints_.end(), values.begin(), values.end());
    return offset;
  }
  const int64_t* Indices(int64_t offset) const { return ints_.data() + offset; }

 private:
  // Floats in pages mapped for the tape alone (mmap), so that freeing them returns them to the
  // system whatever the allocator's thresholds: a step's arenas never linger as free heap.
  using MappedFloats = AnonymousArray<float>;
  // A value chunk: `size` floats, uninitialised (ops that accumulate use AddNode, which zeroes),
  // the first `used` of them handed out this step.
  struct Chunk {
    MappedFloats mem;
    int64_t used = 0;
    int64_t size() const { return static_cast<int64_t>(mem.size()); }
    float* data() { return mem.data(); }
  };
  static constexpr int64_t kMinChunkFloats = int64_t{1} << 18;  // 1 MiB
  float* AllocateValue(int64_t n);
  std::vector<Node> nodes_;
  std::vector<Chunk> chunks_;
  size_t chunk_ = 0;  // the chunk being filled
  MappedFloats grads_;    // capacity
  int64_t grads_size_ = 0;  // in use
  std::vector<int64_t> ints_;
  // Per table slot: gradient contributions in recording order, then the aggregate.
  struct SlotGrad {
    std::vector<int64_t> rows;
    std::vector<float> values;
    SparseRowGrad aggregated;
  };
  std::vector<SlotGrad> slots_;
  SparseRowGrad empty_;

  friend void BackwardOp(Tape& tape, int32_t id);
  friend void RecordTableGradient(Tape& tape, int32_t slot, const int64_t* ids, int64_t n,
                                  const float* grad, int64_t dim);
};

// Implemented in model/ops.cc: propagates node `id`'s gradient into its inputs.
void BackwardOp(Tape& tape, int32_t id);

}  // namespace melograph
