// Cosine neighbour lists: see channel_cosine.h.
#include "recall/channel_cosine.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace melograph {

float InteractionValue(float weight, bool weighted) {
  return weighted ? static_cast<float>(std::log1p(std::max(0.0f, weight))) : 1.0f;
}

float NeighborLists::Find(int32_t e, int32_t other) const {
  const auto list = ids_of(e);
  for (size_t k = 0; k < list.size(); ++k)
    if (list[k] == other) return sims[ptr[e] + static_cast<int64_t>(k)];
  return 0.0f;
}

NeighborLists BuildCosineNeighbors(const Interactions& m, bool by_item,
                                   const CosineOptions& options) {
  const int32_t n = by_item ? m.num_items() : m.num_users();
  const int32_t n_features = by_item ? m.num_users() : m.num_items();
  auto features = [&](int32_t e) { return by_item ? m.users_of(e) : m.items_of(e); };
  auto feature_values = [&](int32_t e) {
    return by_item ? m.user_weights_of(e) : m.item_weights_of(e);
  };
  auto members = [&](int32_t f) { return by_item ? m.items_of(f) : m.users_of(f); };
  auto member_values = [&](int32_t f) {
    return by_item ? m.item_weights_of(f) : m.user_weights_of(f);
  };

  std::vector<double> norm(static_cast<size_t>(n), 0.0);
  for (int32_t e = 0; e < n; ++e) {
    double s = 0;
    for (float w : feature_values(e)) {
      const double x = InteractionValue(w, options.weighted);
      s += x * x;
    }
    norm[e] = std::sqrt(s);
  }
  std::vector<double> feature_weight(static_cast<size_t>(n_features), 1.0);
  if (options.iuf)
    for (int32_t f = 0; f < n_features; ++f)
      feature_weight[f] = 1.0 / std::log(1.0 + static_cast<double>(members(f).size()));

  std::vector<std::vector<std::pair<int32_t, float>>> lists(static_cast<size_t>(n));
  std::atomic<int32_t> next{0};
  constexpr int32_t kChunk = 64;
  auto work = [&] {
    std::vector<double> acc(static_cast<size_t>(n), 0.0);
    std::vector<int32_t> touched;
    std::vector<std::pair<int32_t, float>> cand;
    for (;;) {
      const int32_t lo = next.fetch_add(kChunk);
      if (lo >= n) return;
      for (int32_t e = lo; e < std::min(n, lo + kChunk); ++e) {
        touched.clear();
        const auto fs = features(e);
        const auto fv = feature_values(e);
        for (size_t k = 0; k < fs.size(); ++k) {
          const double xa = InteractionValue(fv[k], options.weighted) * feature_weight[fs[k]];
          const auto ms = members(fs[k]);
          const auto mv = member_values(fs[k]);
          for (size_t j = 0; j < ms.size(); ++j) {
            if (ms[j] == e) continue;
            if (acc[ms[j]] == 0.0) touched.push_back(ms[j]);
            acc[ms[j]] += xa * InteractionValue(mv[j], options.weighted);
          }
        }
        cand.clear();
        for (int32_t o : touched) {
          const double denom = norm[e] * norm[o];
          if (acc[o] > 0.0 && denom > 0.0) cand.push_back({o, static_cast<float>(acc[o] / denom)});
          acc[o] = 0.0;
        }
        auto better = [](const std::pair<int32_t, float>& a, const std::pair<int32_t, float>& b) {
          return a.second > b.second || (a.second == b.second && a.first < b.first);
        };
        const size_t keep = options.neighbors > 0
                                ? std::min(cand.size(), static_cast<size_t>(options.neighbors))
                                : cand.size();
        std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep),
                          cand.end(), better);
        cand.resize(keep);
        lists[e] = cand;
      }
    }
  };
  const int threads = std::max(1, options.threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();

  NeighborLists out;
  out.ptr.resize(static_cast<size_t>(n) + 1, 0);
  for (int32_t e = 0; e < n; ++e) {
    for (const auto& [id, sim] : lists[e]) {
      out.ids.push_back(id);
      out.sims.push_back(sim);
    }
    out.ptr[e + 1] = static_cast<int64_t>(out.ids.size());
  }
  return out;
}

}  // namespace melograph
