// Cosine neighbour lists over the user x item matrix, shared by ItemCF and UserCF.
//
// For entities e (items for ItemCF, users for UserCF) described by features f (their users,
// resp. items) with values x_ef (1, or log(1 + weight) when `weighted`):
//   sim(a, b) = Σ_f x_af x_bf w_f / (|x_a| |x_b|),   w_f = 1 / ln(1 + deg f) with `iuf`, else 1
// (the norms ignore w_f). Each entity keeps its `neighbors` most similar other entities
// (0 = all with sim > 0), best first, ties to the lower id.
// Parallel over entities; each list depends only on the matrix, not on the thread count.
// Complexity: O(Σ_f deg(f)^2) time, O(entities) scratch per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "recall/interactions.h"

namespace melograph {

struct CosineOptions {
  int neighbors = 0;
  bool iuf = false;
  bool weighted = false;
  int threads = 1;
};

struct NeighborLists {
  std::vector<int64_t> ptr{0};
  std::vector<int32_t> ids;
  std::vector<float> sims;
  std::span<const int32_t> ids_of(int32_t e) const {
    return {ids.data() + ptr[e], static_cast<size_t>(ptr[e + 1] - ptr[e])};
  }
  std::span<const float> sims_of(int32_t e) const {
    return {sims.data() + ptr[e], static_cast<size_t>(ptr[e + 1] - ptr[e])};
  }
  // sim(e, other) if `other` is among e's neighbours, else 0.
  float Find(int32_t e, int32_t other) const;
};

// by_item: neighbours between items (ItemCF); otherwise between users (UserCF).
NeighborLists BuildCosineNeighbors(const Interactions& m, bool by_item,
                                   const CosineOptions& options);

// The value x of one matrix entry under the options (1 or log(1 + weight)).
float InteractionValue(float weight, bool weighted);

}  // namespace melograph
