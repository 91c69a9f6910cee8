// Linear algebra, elementwise and reduction ops of the tape, forward and backward, and the
// backward dispatch (index and segment ops live in model/segment_ops.cc).
#include "model/ops.h"

#include <algorithm>
#include <cmath>

#include "model/ops_internal.h"

namespace melograph {

using internal::Require;

namespace {

inline float SigmoidOf(float x) {
  if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

inline float LogSigmoidOf(float x) { return std::min(x, 0.0f) - std::log1p(std::exp(-std::abs(x))); }

MatrixMap GradMap(Tape& t, int32_t id) {
  const Tape::Node& n = t.node(Var{id});
  return MatrixMap(t.GradPtr(id), n.rows, n.cols);
}
ConstMatrixMap ValueMap(const Tape& t, int32_t id) {
  const Tape::Node& n = t.node(Var{id});
  return ConstMatrixMap(t.ValuePtr(id), n.rows, n.cols);
}

Var Unary(Tape& t, Var x, OpKind kind, float param = 0) {
  const Tape::Node& xn = t.node(x);
  Var out = t.AddNodeUninit(kind, xn.rows, xn.cols, x.id);
  t.mutable_node(out).param = param;
  const float* xv = t.ValuePtr(x.id);
  float* o = t.MutableValue(out);
  const int64_t size = t.node(out).size();
  for (int64_t i = 0; i < size; ++i) {
    const float v = xv[i];
    switch (kind) {
      case OpKind::kScale: o[i] = param * v; break;
      case OpKind::kRelu: o[i] = v > 0 ? v : 0.0f; break;
      case OpKind::kLeakyRelu: o[i] = v > 0 ? v : param * v; break;
      case OpKind::kTanh: o[i] = std::tanh(v); break;
      case OpKind::kSigmoid: o[i] = SigmoidOf(v); break;
      case OpKind::kLogSigmoid: o[i] = LogSigmoidOf(v); break;
      default: break;
    }
  }
  return out;
}

void BackwardUnary(Tape& t, const Tape::Node& n, int32_t id) {
  float* ga = t.GradPtr(n.a);
  const float* g = t.GradPtr(id);
  const float* x = t.ValuePtr(n.a);
  const float* y = t.ValuePtr(id);
  for (int64_t i = 0; i < n.size(); ++i) {
    switch (n.kind) {
      case OpKind::kScale: ga[i] += n.param * g[i]; break;
      case OpKind::kRelu: ga[i] += x[i] > 0 ? g[i] : 0.0f; break;
      case OpKind::kLeakyRelu: ga[i] += x[i] > 0 ? g[i] : n.param * g[i]; break;
      case OpKind::kTanh: ga[i] += g[i] * (1.0f - y[i] * y[i]); break;
      case OpKind::kSigmoid: ga[i] += g[i] * y[i] * (1.0f - y[i]); break;
      case OpKind::kLogSigmoid: ga[i] += g[i] * SigmoidOf(-x[i]); break;
      default: break;
    }
  }
}

Var Binary(Tape& t, Var a, Var b, OpKind kind, const char* op) {
  const Tape::Node& an = t.node(a);
  const Tape::Node& bn = t.node(b);
  const bool broadcast = kind != OpKind::kMul && bn.rows == 1 && an.rows != 1 && bn.cols == an.cols;
  Require(broadcast || (an.rows == bn.rows && an.cols == bn.cols), op, "shapes differ");
  Var out = t.AddNodeUninit(kind, an.rows, an.cols, a.id, b.id);
  t.mutable_node(out).broadcast = broadcast;
  auto av = ValueMap(t, a.id);
  auto bv = ValueMap(t, b.id);
  MatrixMap o(t.MutableValue(out), av.rows(), av.cols());
  if (kind == OpKind::kMul) {
    o = av.cwiseProduct(bv);
  } else if (broadcast) {
    if (kind == OpKind::kAdd) o = av.rowwise() + bv.row(0);
    else o = av.rowwise() - bv.row(0);
  } else {
    if (kind == OpKind::kAdd) o = av + bv;
    else o = av - bv;
  }
  return out;
}

void BackwardBinary(Tape& t, const Tape::Node& n, int32_t id) {
  auto g = GradMap(t, id);
  const float sign_b = n.kind == OpKind::kSub ? -1.0f : 1.0f;
  if (t.GradPtr(n.a)) {
    auto ga = GradMap(t, n.a);
    if (n.kind == OpKind::kMul) ga += g.cwiseProduct(ValueMap(t, n.b));
    else ga += g;
  }
  if (t.GradPtr(n.b)) {
    auto gb = GradMap(t, n.b);
    if (n.kind == OpKind::kMul) gb += g.cwiseProduct(ValueMap(t, n.a));
    else if (n.broadcast) gb.row(0) += sign_b * g.colwise().sum();
    else gb += sign_b * g;
  }
}

}  // namespace

Var MatMul(Tape& t, Var a, Var b, bool transpose_b) {
  const Tape::Node& an = t.node(a);
  const Tape::Node& bn = t.node(b);
  const int64_t inner = transpose_b ? bn.cols : bn.rows;
  Require(an.cols == inner, "MatMul", "inner dimensions differ");
  Var out = t.AddNodeUninit(OpKind::kMatMul, an.rows, transpose_b ? bn.rows : bn.cols, a.id, b.id);
  t.mutable_node(out).broadcast = transpose_b;
  auto av = ValueMap(t, a.id);
  auto bv = ValueMap(t, b.id);
  MatrixMap o(t.MutableValue(out), t.node(out).rows, t.node(out).cols);
  if (transpose_b) o.noalias() = av * bv.transpose();
  else o.noalias() = av * bv;
  return out;
}

Var Add(Tape& t, Var a, Var b) { return Binary(t, a, b, OpKind::kAdd, "Add"); }
Var Sub(Tape& t, Var a, Var b) { return Binary(t, a, b, OpKind::kSub, "Sub"); }
Var Mul(Tape& t, Var a, Var b) { return Binary(t, a, b, OpKind::kMul, "Mul"); }
Var Scale(Tape& t, Var x, float factor) { return Unary(t, x, OpKind::kScale, factor); }
Var Relu(Tape& t, Var x) { return Unary(t, x, OpKind::kRelu); }
Var LeakyRelu(Tape& t, Var x, float slope) { return Unary(t, x, OpKind::kLeakyRelu, slope); }
Var Tanh(Tape& t, Var x) { return Unary(t, x, OpKind::kTanh); }
Var Sigmoid(Tape& t, Var x) { return Unary(t, x, OpKind::kSigmoid); }
Var LogSigmoid(Tape& t, Var x) { return Unary(t, x, OpKind::kLogSigmoid); }

Var ScaleRows(Tape& t, Var x, Var w) {
  const Tape::Node& xn = t.node(x);
  Require(t.node(w).rows == xn.rows && t.node(w).cols == 1, "ScaleRows", "w must be (rows x 1)");
  Var out = t.AddNodeUninit(OpKind::kScaleRows, xn.rows, xn.cols, x.id, w.id);
  auto xv = ValueMap(t, x.id);
  auto wv = ValueMap(t, w.id);
  MatrixMap o(t.MutableValue(out), xv.rows(), xv.cols());
  o = wv.col(0).asDiagonal() * xv;
  return out;
}

Var RowDot(Tape& t, Var a, Var b) {
  const Tape::Node& an = t.node(a);
  Require(an.rows == t.node(b).rows && an.cols == t.node(b).cols, "RowDot", "shapes differ");
  Var out = t.AddNodeUninit(OpKind::kRowDot, an.rows, 1, a.id, b.id);
  auto av = ValueMap(t, a.id);
  auto bv = ValueMap(t, b.id);
  MatrixMap o(t.MutableValue(out), av.rows(), 1);
  o = av.cwiseProduct(bv).rowwise().sum();
  return out;
}

Var RowLogSumExp(Tape& t, Var x) {
  const Tape::Node& xn = t.node(x);
  Require(xn.cols > 0, "RowLogSumExp", "needs at least one column");
  Var out = t.AddNodeUninit(OpKind::kRowLogSumExp, xn.rows, 1, x.id);
  auto xv = ValueMap(t, x.id);
  float* o = t.MutableValue(out);
  for (int64_t i = 0; i < xv.rows(); ++i) {
    const float m = xv.row(i).maxCoeff();
    o[i] = m + std::log((xv.row(i).array() - m).exp().sum());
  }
  return out;
}

Var RowNormalize(Tape& t, Var x, float eps) {
  const Tape::Node& xn = t.node(x);
  Var out = t.AddNodeUninit(OpKind::kRowNormalize, xn.rows, xn.cols, x.id);
  t.mutable_node(out).param = eps;
  auto xv = ValueMap(t, x.id);
  MatrixMap o(t.MutableValue(out), xv.rows(), xv.cols());
  for (int64_t i = 0; i < xv.rows(); ++i)
    o.row(i) = xv.row(i) / std::sqrt(xv.row(i).squaredNorm() + eps);
  return out;
}

Var PickColumns(Tape& t, Var x, std::span<const int32_t> cols) {
  const Tape::Node& xn = t.node(x);
  Require(static_cast<int64_t>(cols.size()) == xn.rows, "PickColumns", "one column per row");
  for (int32_t c : cols) Require(c >= 0 && c < xn.cols, "PickColumns", "column out of range");
  Var out = t.AddNodeUninit(OpKind::kPickColumns, xn.rows, 1, x.id);
  Tape::Node& n = t.mutable_node(out);
  n.idx = t.StoreIndices(cols);
  n.idx_len = static_cast<int64_t>(cols.size());
  const float* xv = t.ValuePtr(x.id);
  float* o = t.MutableValue(out);
  const int64_t width = t.node(x).cols;
  for (size_t i = 0; i < cols.size(); ++i) o[i] = xv[static_cast<int64_t>(i) * width + cols[i]];
  return out;
}

Var L2Penalty(Tape& t, Var x) {
  Var out = t.AddNode(OpKind::kL2Penalty, 1, 1, x.id);
  t.MutableValue(out)[0] = 0.5f * ValueMap(t, x.id).squaredNorm();
  return out;
}

Var Sum(Tape& t, Var x) {
  Var out = t.AddNode(OpKind::kSum, 1, 1, x.id);
  t.MutableValue(out)[0] = ValueMap(t, x.id).sum();
  return out;
}

Var Mean(Tape& t, Var x) {
  Require(t.node(x).size() > 0, "Mean", "empty input");
  Var out = t.AddNode(OpKind::kMean, 1, 1, x.id);
  t.MutableValue(out)[0] = ValueMap(t, x.id).mean();
  return out;
}

void BackwardOp(Tape& t, int32_t id) {
  const Tape::Node& n = t.node(Var{id});
  switch (n.kind) {
    case OpKind::kLeaf:
      return;
    case OpKind::kScale:
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kTanh:
    case OpKind::kSigmoid:
    case OpKind::kLogSigmoid:
      return BackwardUnary(t, n, id);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      return BackwardBinary(t, n, id);
    case OpKind::kMatMul: {
      auto g = GradMap(t, id);
      auto av = ValueMap(t, n.a);
      auto bv = ValueMap(t, n.b);
      if (t.GradPtr(n.a)) {
        if (n.broadcast) GradMap(t, n.a).noalias() += g * bv;
        else GradMap(t, n.a).noalias() += g * bv.transpose();
      }
      if (t.GradPtr(n.b)) {
        if (n.broadcast) GradMap(t, n.b).noalias() += g.transpose() * av;
        else GradMap(t, n.b).noalias() += av.transpose() * g;
      }
      return;
    }
    case OpKind::kScaleRows: {
      auto g = GradMap(t, id);
      if (t.GradPtr(n.a)) GradMap(t, n.a) += ValueMap(t, n.b).col(0).asDiagonal() * g;
      if (t.GradPtr(n.b)) GradMap(t, n.b).col(0) += g.cwiseProduct(ValueMap(t, n.a)).rowwise().sum();
      return;
    }
    case OpKind::kRowDot: {
      auto g = GradMap(t, id);
      if (t.GradPtr(n.a)) GradMap(t, n.a) += g.col(0).asDiagonal() * ValueMap(t, n.b);
      if (t.GradPtr(n.b)) GradMap(t, n.b) += g.col(0).asDiagonal() * ValueMap(t, n.a);
      return;
    }
    case OpKind::kRowLogSumExp: {
      auto g = GradMap(t, id);
      auto xv = ValueMap(t, n.a);
      auto ga = GradMap(t, n.a);
      auto y = ValueMap(t, id);
      for (int64_t i = 0; i < xv.rows(); ++i)
        ga.row(i).array() += g(i, 0) * (xv.row(i).array() - y(i, 0)).exp();
      return;
    }
    case OpKind::kRowNormalize: {
      // y = x / r with r = sqrt(|x|^2 + eps): dx = (g - y <g, y>) / r.
      auto g = GradMap(t, id);
      auto xv = ValueMap(t, n.a);
      auto y = ValueMap(t, id);
      auto ga = GradMap(t, n.a);
      for (int64_t i = 0; i < xv.rows(); ++i) {
        const float r = std::sqrt(xv.row(i).squaredNorm() + n.param);
        ga.row(i) += (g.row(i) - y.row(i) * g.row(i).dot(y.row(i))) / r;
      }
      return;
    }
    case OpKind::kPickColumns: {
      const float* g = t.GradPtr(id);
      float* ga = t.GradPtr(n.a);
      const int64_t* cols = t.Indices(n.idx);
      const int64_t width = t.node(Var{n.a}).cols;
      for (int64_t i = 0; i < n.rows; ++i) ga[i * width + cols[i]] += g[i];
      return;
    }
    case OpKind::kL2Penalty:
      GradMap(t, n.a) += t.GradPtr(id)[0] * ValueMap(t, n.a);
      return;
    case OpKind::kSum:
      GradMap(t, n.a).array() += t.GradPtr(id)[0];
      return;
    case OpKind::kMean:
      GradMap(t, n.a).array() += t.GradPtr(id)[0] / static_cast<float>(t.node(Var{n.a}).size());
      return;
    default:
      return internal::BackwardIndexOp(t, id);
  }
}

}  // namespace melograph
