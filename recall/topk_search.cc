// Exact top-K by inner product (contract in recall/topk_search.h).
#include "recall/topk_search.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

namespace melograph {
namespace {

// "a ranks before b": higher score, then smaller id.
bool BetterHit(const SearchHit& a, const SearchHit& b) {
  return a.score != b.score ? a.score > b.score : a.id < b.id;
}

}  // namespace

std::vector<SearchHit> ExactTopK(const float* items, int64_t rows, int dim,
                                 std::span<const int64_t> ids, const float* query, int k,
                                 std::span<const int64_t> excluded) {
  std::vector<SearchHit> result;
  if (k <= 0) return result;
  // Min-heap on "BetterHit": the top is the worst item kept so far.
  std::priority_queue<SearchHit, std::vector<SearchHit>, decltype(&BetterHit)> heap(&BetterHit);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t id = ids.empty() ? i : ids[static_cast<size_t>(i)];
    if (std::binary_search(excluded.begin(), excluded.end(), id)) continue;
    const float* row = items + i * dim;
    double dot = 0;
    for (int j = 0; j < dim; ++j) dot += static_cast<double>(row[j]) * query[j];
    const SearchHit item{id, static_cast<float>(dot)};
    if (static_cast<int>(heap.size()) < k) {
      heap.push(item);
    } else if (BetterHit(item, heap.top())) {
      heap.pop();
      heap.push(item);
    }
  }
  result.reserve(heap.size());
  while (!heap.empty()) {
    result.push_back(heap.top());
    heap.pop();
  }
  std::reverse(result.begin(), result.end());
  return result;
}

double RecallAgainst(std::span<const SearchHit> exact, std::span<const SearchHit> approx) {
  if (exact.empty()) return 1.0;
  std::unordered_set<int64_t> truth;
  for (const SearchHit& s : exact) truth.insert(s.id);
  int64_t hits = 0;
  for (const SearchHit& s : approx) hits += truth.count(s.id);
  return static_cast<double>(hits) / static_cast<double>(exact.size());
}

}  // namespace melograph
