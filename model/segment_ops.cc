// Gather, slice, concat and segment (CSR) ops of the tape, forward and backward.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common/error.h"
#include "model/ops.h"
#include "model/ops_internal.h"

namespace melograph {
namespace internal {

void Require(bool cond, const char* op, const std::string& what) {
  if (!cond) throw UsageError(std::string(op) + ": " + what);
}

namespace {

void CheckOffsets(const char* op, std::span<const int64_t> offsets, int64_t rows) {
  Require(!offsets.empty() && offsets.front() == 0 && offsets.back() == rows, op,
          "offsets must start at 0 and end at the input's row count");
  for (size_t i = 1; i < offsets.size(); ++i)
    Require(offsets[i - 1] <= offsets[i], op, "offsets must not decrease");
}

}  // namespace

void BackwardIndexOp(Tape& t, int32_t id) {
  const Tape::Node& n = t.node(Var{id});
  const int64_t cols = n.cols;
  const float* g = t.GradPtr(id);
  switch (n.kind) {
    case OpKind::kGather: {
      float* ga = t.GradPtr(n.a);
      const int64_t* ids = t.Indices(n.idx);
      for (int64_t i = 0; i < n.rows; ++i) {
        float* dst = ga + ids[i] * cols;
        const float* src = g + i * cols;
        for (int64_t k = 0; k < cols; ++k) dst[k] += src[k];
      }
      break;
    }
    case OpKind::kGatherTable:
      RecordTableGradient(t, n.slot, t.Indices(n.idx), n.rows, g, cols);
      break;
    case OpKind::kSliceRows: {
      float* ga = t.GradPtr(n.a) + n.table_rows * cols;
      for (int64_t i = 0; i < n.rows * cols; ++i) ga[i] += g[i];
      break;
    }
    case OpKind::kConcatCols:
    case OpKind::kConcatRows: {
      const int64_t* parts = t.Indices(n.idx);
      int64_t at = 0;
      for (int64_t p = 0; p < n.idx_len; ++p) {
        const int32_t pid = static_cast<int32_t>(parts[p]);
        const Tape::Node& pn = t.node(Var{pid});
        float* gp = t.GradPtr(pid);
        if (gp) {
          if (n.kind == OpKind::kConcatRows) {
            for (int64_t i = 0; i < pn.size(); ++i) gp[i] += g[at * cols + i];
          } else {
            for (int64_t r = 0; r < pn.rows; ++r)
              for (int64_t k = 0; k < pn.cols; ++k) gp[r * pn.cols + k] += g[r * cols + at + k];
          }
        }
        at += n.kind == OpKind::kConcatRows ? pn.rows : pn.cols;
      }
      break;
    }
    case OpKind::kSegmentSum:
    case OpKind::kSegmentMean: {
      float* ga = t.GradPtr(n.a);
      const int64_t* off = t.Indices(n.idx);
      for (int64_t s = 0; s < n.rows; ++s) {
        const int64_t len = off[s + 1] - off[s];
        if (len == 0) continue;
        const float f = n.kind == OpKind::kSegmentMean ? 1.0f / static_cast<float>(len) : 1.0f;
        for (int64_t e = off[s]; e < off[s + 1]; ++e)
          for (int64_t k = 0; k < cols; ++k) ga[e * cols + k] += f * g[s * cols + k];
      }
      break;
    }
    case OpKind::kSegmentSoftmax: {
      float* ga = t.GradPtr(n.a);
      const float* y = t.ValuePtr(id);
      const int64_t* off = t.Indices(n.idx);
      for (int64_t s = 0; s + 1 < n.idx_len; ++s) {
        float dot = 0;
        for (int64_t e = off[s]; e < off[s + 1]; ++e) dot += g[e] * y[e];
        for (int64_t e = off[s]; e < off[s + 1]; ++e) ga[e] += y[e] * (g[e] - dot);
      }
      break;
    }
    case OpKind::kSegmentWeightedSum: {
      const float* x = t.ValuePtr(n.a);
      const float* w = t.ValuePtr(n.b);
      float* gx = t.GradPtr(n.a);
      float* gw = t.GradPtr(n.b);
      const int64_t* src = t.Indices(n.idx);
      const int64_t* off = t.Indices(n.idx2);
      for (int64_t s = 0; s < n.rows; ++s) {
        const float* gs = g + s * cols;
        for (int64_t e = off[s]; e < off[s + 1]; ++e) {
          const int64_t j = src[e];
          if (gx) {
            float* dst = gx + j * cols;
            for (int64_t k = 0; k < cols; ++k) dst[k] += w[e] * gs[k];
          }
          if (gw) {
            const float* xj = x + j * cols;
            float dot = 0;
            for (int64_t k = 0; k < cols; ++k) dot += gs[k] * xj[k];
            gw[e] += dot;
          }
        }
      }
      break;
    }
    default:
      Require(false, "BackwardIndexOp", "not an index op");
  }
}

}  // namespace internal

using internal::Require;

Var Gather(Tape& t, Var x, std::span<const int32_t> ids) {
  const int64_t rows = t.node(x).rows, cols = t.node(x).cols;
  for (int32_t i : ids) Require(i >= 0 && i < rows, "Gather", "id out of range");
  Var out = t.AddNodeUninit(OpKind::kGather, static_cast<int64_t>(ids.size()), cols, x.id);
  Tape::Node& n = t.mutable_node(out);
  n.idx = t.StoreIndices(ids);
  n.idx_len = static_cast<int64_t>(ids.size());
  const float* xv = t.ValuePtr(x.id);
  float* o = t.MutableValue(out);
  for (size_t i = 0; i < ids.size(); ++i)
    std::copy_n(xv + static_cast<int64_t>(ids[i]) * cols, cols, o + static_cast<int64_t>(i) * cols);
  return out;
}

Var GatherTable(Tape& t, int slot, const float* table, int64_t table_rows, int64_t dim,
                std::span<const int64_t> ids, bool requires_grad) {
  Require(slot >= 0, "GatherTable", "slot must be >= 0");
  for (int64_t i : ids) Require(i >= 0 && i < table_rows, "GatherTable", "id out of range");
  Var out = t.AddNodeUninit(OpKind::kGatherTable, static_cast<int64_t>(ids.size()), dim);
  Tape::Node& n = t.mutable_node(out);
  n.requires_grad = requires_grad;
  n.slot = slot;
  n.table_rows = table_rows;
  n.idx = t.StoreIndices(ids);
  n.idx_len = static_cast<int64_t>(ids.size());
  float* o = t.MutableValue(out);
  for (size_t i = 0; i < ids.size(); ++i)
    std::copy_n(table + ids[i] * dim, dim, o + static_cast<int64_t>(i) * dim);
  return out;
}

Var SliceRows(Tape& t, Var x, int64_t begin, int64_t count) {
  const int64_t rows = t.node(x).rows, cols = t.node(x).cols;
  Require(begin >= 0 && count >= 0 && begin + count <= rows, "SliceRows", "range out of bounds");
  Var out = t.AddNodeUninit(OpKind::kSliceRows, count, cols, x.id);
  t.mutable_node(out).table_rows = begin;
  std::copy_n(t.ValuePtr(x.id) + begin * cols, count * cols, t.MutableValue(out));
  return out;
}

namespace {

Var Concat(Tape& t, std::span<const Var> parts, bool rows_axis) {
  const char* op = rows_axis ? "ConcatRows" : "ConcatCols";
  Require(!parts.empty(), op, "needs at least one part");
  int64_t rows = 0, cols = 0;
  bool requires_grad = false;
  std::vector<int64_t> ids;
  ids.reserve(parts.size());
  for (Var p : parts) {
    const Tape::Node& pn = t.node(p);
    if (rows_axis) {
      Require(pn.cols == t.node(parts[0]).cols, op, "parts differ in column count");
      rows += pn.rows;
      cols = pn.cols;
    } else {
      Require(pn.rows == t.node(parts[0]).rows, op, "parts differ in row count");
      cols += pn.cols;
      rows = pn.rows;
    }
    requires_grad = requires_grad || pn.requires_grad;
    ids.push_back(p.id);
  }
  Var out = t.AddNodeUninit(rows_axis ? OpKind::kConcatRows : OpKind::kConcatCols, rows, cols);
  Tape::Node& n = t.mutable_node(out);
  n.requires_grad = requires_grad;
  n.idx = t.StoreIndices(std::span<const int64_t>(ids));
  n.idx_len = static_cast<int64_t>(ids.size());
  float* o = t.MutableValue(out);
  int64_t at = 0;
  for (Var p : parts) {
    const Tape::Node& pn = t.node(p);
    const float* v = t.ValuePtr(p.id);
    if (rows_axis) {
      std::copy_n(v, pn.size(), o + at * cols);
      at += pn.rows;
    } else {
      for (int64_t r = 0; r < rows; ++r) std::copy_n(v + r * pn.cols, pn.cols, o + r * cols + at);
      at += pn.cols;
    }
  }
  return out;
}

Var SegmentReduce(Tape& t, Var x, std::span<const int64_t> offsets, OpKind kind) {
  const char* op = kind == OpKind::kSegmentSum ? "SegmentSum" : "SegmentMean";
  const int64_t rows = t.node(x).rows, cols = t.node(x).cols;
  internal::CheckOffsets(op, offsets, rows);
  const int64_t segments = static_cast<int64_t>(offsets.size()) - 1;
  Var out = t.AddNode(kind, segments, cols, x.id);
  Tape::Node& n = t.mutable_node(out);
  n.idx = t.StoreIndices(offsets);
  n.idx_len = static_cast<int64_t>(offsets.size());
  const float* xv = t.ValuePtr(x.id);
  float* o = t.MutableValue(out);
  for (int64_t s = 0; s < segments; ++s) {
    float* dst = o + s * cols;
    for (int64_t e = offsets[s]; e < offsets[s + 1]; ++e)
      for (int64_t k = 0; k < cols; ++k) dst[k] += xv[e * cols + k];
    const int64_t len = offsets[s + 1] - offsets[s];
    if (kind == OpKind::kSegmentMean && len > 0)
      for (int64_t k = 0; k < cols; ++k) dst[k] /= static_cast<float>(len);
  }
  return out;
}

}  // namespace

Var ConcatCols(Tape& t, std::span<const Var> parts) { return Concat(t, parts, false); }
Var ConcatRows(Tape& t, std::span<const Var> parts) { return Concat(t, parts, true); }

Var SegmentSum(Tape& t, Var x, std::span<const int64_t> offsets) {
  return SegmentReduce(t, x, offsets, OpKind::kSegmentSum);
}
Var SegmentMean(Tape& t, Var x, std::span<const int64_t> offsets) {
  return SegmentReduce(t, x, offsets, OpKind::kSegmentMean);
}

Var SegmentSoftmax(Tape& t, Var x, std::span<const int64_t> offsets) {
  const int64_t rows = t.node(x).rows;
  Require(t.node(x).cols == 1, "SegmentSoftmax", "input must be one column");
  internal::CheckOffsets("SegmentSoftmax", offsets, rows);
  Var out = t.AddNodeUninit(OpKind::kSegmentSoftmax, rows, 1, x.id);
  Tape::Node& n = t.mutable_node(out);
  n.idx = t.StoreIndices(offsets);
  n.idx_len = static_cast<int64_t>(offsets.size());
  const float* xv = t.ValuePtr(x.id);
  float* o = t.MutableValue(out);
  for (size_t s = 0; s + 1 < offsets.size(); ++s) {
    if (offsets[s] == offsets[s + 1]) continue;
    float m = xv[offsets[s]];
    for (int64_t e = offsets[s]; e < offsets[s + 1]; ++e) m = std::max(m, xv[e]);
    float z = 0;
    for (int64_t e = offsets[s]; e < offsets[s + 1]; ++e) z += (o[e] = std::exp(xv[e] - m));
    for (int64_t e = offsets[s]; e < offsets[s + 1]; ++e) o[e] /= z;
  }
  return out;
}

Var SegmentWeightedSum(Tape& t, Var x, std::span<const int32_t> edge_src, Var w,
                       std::span<const int64_t> offsets) {
  const int64_t rows = t.node(x).rows, cols = t.node(x).cols;
  const int64_t edges = static_cast<int64_t>(edge_src.size());
  Require(t.node(w).rows == edges && t.node(w).cols == 1, "SegmentWeightedSum",
          "weights must be (edges x 1)");
  internal::CheckOffsets("SegmentWeightedSum", offsets, edges);
  for (int32_t j : edge_src) Require(j >= 0 && j < rows, "SegmentWeightedSum", "source out of range");
  const int64_t segments = static_cast<int64_t>(offsets.size()) - 1;
  Var out = t.AddNode(OpKind::kSegmentWeightedSum, segments, cols, x.id, w.id);
  Tape::Node& n = t.mutable_node(out);
  n.idx = t.StoreIndices(edge_src);
  n.idx_len = edges;
  n.idx2 = t.StoreIndices(offsets);
  n.idx2_len = static_cast<int64_t>(offsets.size());
  const float* xv = t.ValuePtr(x.id);
  const float* wv = t.ValuePtr(w.id);
  float* o = t.MutableValue(out);
  for (int64_t s = 0; s < segments; ++s) {
    float* dst = o + s * cols;
    for (int64_t e = offsets[s]; e < offsets[s + 1]; ++e) {
      const float* xj = xv + static_cast<int64_t>(edge_src[e]) * cols;
      for (int64_t k = 0; k < cols; ++k) dst[k] += wv[e] * xj[k];
    }
  }
  return out;
}

}  // namespace melograph
