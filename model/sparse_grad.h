// Sparse row gradients of embedding tables, aggregated deterministically.
//
// Contract: a gradient for an embedding table is a list of contributions (row id, dim floats).
// AggregateRows sums them per row: the output lists each touched row once, rows ascending, and
// the contributions to one row are added in their input order (a stable sort by (row, input
// position); float addition is not associative, so this order is part of the result). The
// order of contributions to DIFFERENT rows never matters.
//
// Across sources (ranks pushing to a row's owner): each source aggregates its own contributions
// first, then the owner adds the per-source sums in source (rank) order: MergeRowGrads. Hence a
// row's update never depends on arrival order or on which other rows were in a message.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace melograph {

struct SparseRowGrad {
  int64_t dim = 0;
  std::vector<int64_t> rows;  // ascending, unique
  std::vector<float> values;  // rows.size() * dim, row-major
  int64_t size() const { return static_cast<int64_t>(rows.size()); }
  const float* row(int64_t i) const { return values.data() + i * dim; }
  float* row(int64_t i) { return values.data() + i * dim; }
  void Clear() {
    rows.clear();
    values.clear();
  }
};

// Sums contributions per row (see the contract). `values` holds rows.size() * dim floats.
// `out` keeps its capacity. O(n log n + n * dim).
void AggregateRows(std::span<const int64_t> rows, std::span<const float> values, int64_t dim,
                   SparseRowGrad* out);

// Adds aggregated parts in the order given (source order); all parts must share one dim.
SparseRowGrad MergeRowGrads(std::span<const SparseRowGrad> parts);

}  // namespace melograph
