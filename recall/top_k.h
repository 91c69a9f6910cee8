// SelectTopK: the k best items of one score row, excluding a sorted list of items, by a
// bounded min-heap (partial selection; no full sort).
//
// Order: higher score first; equal scores go to the lower item id, so rankings are
// deterministic. NaN scores are skipped. Items in `excluded` (sorted ascending) never appear.
// Complexity: O(n + m log k) for n items, m heap replacements; O(k) extra memory.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace melograph {

struct ScoredItem {
  int32_t item = 0;
  float score = 0.0f;
};

// Replaces `out` with the top-k items, best first (fewer if fewer items remain).
void SelectTopK(std::span<const float> scores, std::span<const int32_t> excluded, int k,
                std::vector<ScoredItem>& out);

}  // namespace melograph
