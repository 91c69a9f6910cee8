#include "model/sparse_grad.h"

#include <algorithm>
#include <utility>

#include "common/error.h"

namespace melograph {

void AggregateRows(std::span<const int64_t> rows, std::span<const float> values, int64_t dim,
                   SparseRowGrad* out) {
  const int64_t n = static_cast<int64_t>(rows.size());
  if (static_cast<int64_t>(values.size()) != n * dim)
    throw UsageError("AggregateRows: values size does not match rows * dim");
  out->dim = dim;
  out->Clear();
  std::vector<std::pair<int64_t, int64_t>> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = {rows[i], i};
  std::sort(order.begin(), order.end());  // (row, input position): a total order
  for (int64_t i = 0; i < n; ++i) {
    const auto [row, pos] = order[i];
    const float* src = values.data() + pos * dim;
    if (out->rows.empty() || out->rows.back() != row) {
      out->rows.push_back(row);
      out->values.insert(out->values.end(), src, src + dim);
    } else {
      float* dst = out->values.data() + (out->size() - 1) * dim;
      for (int64_t k = 0; k < dim; ++k) dst[k] += src[k];
    }
  }
}

SparseRowGrad MergeRowGrads(std::span<const SparseRowGrad> parts) {
  std::vector<int64_t> rows;
  std::vector<float> values;
  int64_t dim = -1;
  for (const SparseRowGrad& p : parts) {
    if (p.size() == 0) continue;
    if (dim >= 0 && p.dim != dim) throw UsageError("MergeRowGrads: parts differ in dimension");
    dim = p.dim;
    rows.insert(rows.end(), p.rows.begin(), p.rows.end());
    values.insert(values.end(), p.values.begin(), p.values.end());
  }
  SparseRowGrad out;
  if (dim < 0) return out;
  AggregateRows(rows, values, dim, &out);
  return out;
}

}  // namespace melograph
