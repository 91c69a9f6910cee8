// SelectTopK: see top_k.h.
#include "recall/top_k.h"

#include <algorithm>

namespace melograph {
namespace {

// a ranks before b.
inline bool Better(const ScoredItem& a, const ScoredItem& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

}  // namespace

void SelectTopK(std::span<const float> scores, std::span<const int32_t> excluded, int k,
                std::vector<ScoredItem>& out) {
  out.clear();
  if (k <= 0) return;
  const int32_t n = static_cast<int32_t>(scores.size());
  // With Better as the heap order, the heap front is the worst kept item.
  auto consider_range = [&](int32_t lo, int32_t hi) {
    int32_t i = lo;
    for (; i < hi && static_cast<int>(out.size()) < k; ++i) {
      const float s = scores[i];
      if (s != s) continue;  // NaN
      out.push_back({i, s});
      std::push_heap(out.begin(), out.end(), Better);
    }
    if (i >= hi) return;
    float threshold = out.front().score;
    for (; i < hi; ++i) {
      // Items come in increasing id order: an equal score never beats a kept item.
      if (!(scores[i] > threshold)) continue;
      std::pop_heap(out.begin(), out.end(), Better);
      out.back() = {i, scores[i]};
      std::push_heap(out.begin(), out.end(), Better);
      threshold = out.front().score;
    }
  };
  int32_t start = 0;
  for (int32_t x : excluded) {
    if (x < start || x >= n) continue;
    consider_range(start, x);
    start = x + 1;
  }
  consider_range(start, n);
  std::sort_heap(out.begin(), out.end(), Better);
}

}  // namespace melograph
