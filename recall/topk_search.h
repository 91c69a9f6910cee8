// Exact inner-product top-K over a dense matrix, the reference that ANN results are measured
// against, and the overlap measure between two top-K lists.
//
// Contract: ExactTopK scores every row (float products summed in double), skips rows whose id is
// in `excluded` (sorted ascending), and returns min(k, eligible rows) items by score descending,
// ties broken by smaller id, so the result is deterministic. O(rows * dim + rows * log k).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace melograph {

struct SearchHit {
  int64_t id = 0;
  float score = 0;
};

// items: rows x dim row-major; ids[i] is row i's id (row index when ids is empty).
std::vector<SearchHit> ExactTopK(const float* items, int64_t rows, int dim,
                                 std::span<const int64_t> ids, const float* query, int k,
                                 std::span<const int64_t> excluded = {});

// |approx ∩ exact| / |exact| over ids (1 when exact is empty).
double RecallAgainst(std::span<const SearchHit> exact, std::span<const SearchHit> approx);

}  // namespace melograph
