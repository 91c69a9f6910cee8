// Row-wise pick: the one primitive that neighbour sampling and random walks share.
//
// PickUniform(n, k, rng, emit)   emits min(n, k) distinct positions of [0, n), uniformly
//                                without replacement (Floyd's algorithm, O(k) expected with a
//                                small sorted set), in ascending order.
// PickWeighted(n, k, weight, rng, emit)
//                                emits up to k distinct positions drawn without replacement with
//                                probability proportional to weight(i) (weighted random sampling
//                                A-ES, Efraimidis & Spirakis 2006: key = log(u) / w, keep the k
//                                largest keys); positions with weight <= 0 are never picked.
//                                Emitted in ascending position order.
// PickOneWeighted(n, weight, rng) one position with probability proportional to weight (walks).
//
// Contract: the result is a pure function of (n, k, weights, rng state). Callers create the Rng
// from HashCombine(seed, epoch, step, hop, node id), so a row's sample does not depend on
// threads, ranks or the order rows are visited. `weight` and `emit` are functors called from
// the calling thread only; different rows may be picked concurrently with separate Rngs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/hash.h"

namespace melograph {

template <typename Emit>
void PickUniform(int64_t n, int64_t k, Rng& rng, Emit&& emit) {
  if (n <= 0 || k <= 0) return;
  if (n <= k) {
    for (int64_t i = 0; i < n; ++i) emit(i);
    return;
  }
  // Floyd: for j in [n-k, n): t = uniform[0, j]; insert t, or j if t already chosen.
  thread_local std::vector<int64_t> chosen;
  chosen.clear();
  for (int64_t j = n - k; j < n; ++j) {
    const int64_t t = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(j) + 1));
    auto it = std::lower_bound(chosen.begin(), chosen.end(), t);
    if (it != chosen.end() && *it == t) {
      chosen.insert(std::lower_bound(chosen.begin(), chosen.end(), j), j);
    } else {
      chosen.insert(it, t);
    }
  }
  for (int64_t i : chosen) emit(i);
}

template <typename WeightAt, typename Emit>
void PickWeighted(int64_t n, int64_t k, WeightAt&& weight, Rng& rng, Emit&& emit) {
  if (n <= 0 || k <= 0) return;
  thread_local std::vector<std::pair<double, int64_t>> keys;
  keys.clear();
  for (int64_t i = 0; i < n; ++i) {
    const double w = static_cast<double>(weight(i));
    // Draw for every position (even skipped ones) so the stream does not depend on weights' signs.
    double u = rng.UniformDouble();
    if (!(w > 0.0)) continue;
    if (u <= 0.0) u = 0x1.0p-53;
    keys.emplace_back(std::log(u) / w, i);
  }
  if (static_cast<int64_t>(keys.size()) > k) {
    std::nth_element(keys.begin(), keys.begin() + (k - 1), keys.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    keys.resize(static_cast<size_t>(k));
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& kv : keys) emit(kv.second);
}

// One weighted draw by a linear scan (rows are short; alias tables serve the hot negatives).
// Returns -1 if no position has positive weight.
template <typename WeightAt>
int64_t PickOneWeighted(int64_t n, WeightAt&& weight, Rng& rng) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double w = static_cast<double>(weight(i));
    if (w > 0.0) total += w;
  }
  if (!(total > 0.0)) return -1;
  double x = rng.UniformDouble() * total;
  int64_t last = -1;
  for (int64_t i = 0; i < n; ++i) {
    const double w = static_cast<double>(weight(i));
    if (!(w > 0.0)) continue;
    last = i;
    if (x < w) return i;
    x -= w;
  }
  return last;
}

}  // namespace melograph
