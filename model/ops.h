// Ops of the autodiff tape (model/tape.h): each appends one node and knows its gradient.
//
// Shapes are (rows x cols), row-major float. "Segments" are CSR ranges: segment s covers rows
// [offsets[s], offsets[s+1]) of its input, as in Block::edge_offsets (sampler/block.h); empty
// segments give zero rows (sum, mean, weighted sum). Index arrays are copied into the tape.
// Inputs are checked once here (shapes, index ranges; UsageError), the kernels trust them.
// Gradients were checked against central finite differences (tests/model/ops_test.cc).
#pragma once

#include <cstdint>
#include <span>

#include "model/tape.h"

namespace melograph {

// ---- indexing ----
// out[i] = x[ids[i]] (dense gradient scattered back into x).
Var Gather(Tape& t, Var x, std::span<const int32_t> ids);
// out[i] = table[ids[i]] for a caller-owned table (table_rows x dim, row-major, outliving the
// tape's use). With requires_grad, Backward records the gradient rows under `slot`
// (Tape::SparseGradient(slot)), aggregated per row over every gather of that slot.
Var GatherTable(Tape& t, int slot, const float* table, int64_t table_rows, int64_t dim,
                std::span<const int64_t> ids, bool requires_grad = true);
// Rows [begin, begin + count) of x.
Var SliceRows(Tape& t, Var x, int64_t begin, int64_t count);
// [a | b | ...] side by side (same rows); [a; b; ...] stacked (same cols).
Var ConcatCols(Tape& t, std::span<const Var> parts);
Var ConcatRows(Tape& t, std::span<const Var> parts);

// ---- segments (CSR) ----
Var SegmentSum(Tape& t, Var x, std::span<const int64_t> offsets);
Var SegmentMean(Tape& t, Var x, std::span<const int64_t> offsets);
// x is (E x 1); softmax within each segment (max-shifted).
Var SegmentSoftmax(Tape& t, Var x, std::span<const int64_t> offsets);
// out[s] = sum_{e in segment s} w[e] * x[edge_src[e]]: a fused gather + scale + segment sum
// (sparse-dense product, no E x d intermediate). w is (E x 1) and may require a gradient.
Var SegmentWeightedSum(Tape& t, Var x, std::span<const int32_t> edge_src, Var w,
                       std::span<const int64_t> offsets);

// ---- linear algebra and elementwise ----
// a (n x k) times b (k x m), or times b^T when transpose_b (b is m x k).
Var MatMul(Tape& t, Var a, Var b, bool transpose_b = false);
// a + b / a - b: same shape, or b one row broadcast over a's rows (bias).
Var Add(Tape& t, Var a, Var b);
Var Sub(Tape& t, Var a, Var b);
Var Mul(Tape& t, Var a, Var b);  // elementwise, same shape
Var Scale(Tape& t, Var x, float factor);
// out[i] = w[i] * x[i]; w is (rows x 1).
Var ScaleRows(Tape& t, Var x, Var w);
Var Relu(Tape& t, Var x);
Var LeakyRelu(Tape& t, Var x, float slope = 0.2f);
Var Tanh(Tape& t, Var x);
Var Sigmoid(Tape& t, Var x);
// log(sigmoid(x)), computed stably.
Var LogSigmoid(Tape& t, Var x);

// out[i] = x[i] / sqrt(||x[i]||^2 + eps): rows scaled to unit length (cosine scores).
Var RowNormalize(Tape& t, Var x, float eps = 1e-12f);

// ---- row reductions ----
Var RowDot(Tape& t, Var a, Var b);     // (n x 1): <a[i], b[i]>
Var RowLogSumExp(Tape& t, Var x);      // (n x 1), max-shifted
// (n x 1): x[i][cols[i]].
Var PickColumns(Tape& t, Var x, std::span<const int32_t> cols);

// ---- scalars (1 x 1) ----
Var L2Penalty(Tape& t, Var x);  // 0.5 * sum(x^2)
Var Sum(Tape& t, Var x);
Var Mean(Tape& t, Var x);

}  // namespace melograph
