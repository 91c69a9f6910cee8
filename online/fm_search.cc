#include "online/fm_search.h"

#include <algorithm>

#include "common/error.h"
#include "common/resource.h"
#include "recall/faiss_index.h"

namespace melograph {

namespace {

// a ranks before b: higher score, then smaller song index.
bool Better(const FmHit& a, const FmHit& b) { return a.score > b.score || (a.score == b.score && a.song < b.song); }

}  // namespace

FmIndexKind ParseFmIndexKind(std::string_view name) {
  if (name == "exact") return FmIndexKind::kExact;
  if (name == "hnsw") return FmIndexKind::kHnsw;
  throw UsageError("--index must be exact or hnsw, not '" + std::string(name) + "'");
}

FmSearcher::FmSearcher(const FmCatalog* catalog, const FmSearchOptions& options)
    : catalog_(catalog), options_(options) {
  const double t0 = WallSeconds();
  const int dim = catalog->dim();
  const int32_t n = catalog->songs();
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  packed_.assign(static_cast<size_t>(blocks * dim * kBlock), 0.0f);
  for (int32_t s = 0; s < n; ++s) {
    float* block = packed_.data() + static_cast<size_t>(s / kBlock) * dim * kBlock;
    const float* v = catalog->vector(s);
    for (int j = 0; j < dim; ++j) block[static_cast<size_t>(j) * kBlock + s % kBlock] = v[j];
  }
  if (options.kind == FmIndexKind::kHnsw && n > 0) {
    FaissIndexOptions fo;
    fo.kind = FaissIndexKind::kHnswIP;
    fo.hnsw_m = options.hnsw_m;
    fo.hnsw_ef_construction = options.hnsw_ef_construction;
    fo.hnsw_ef_search = options.hnsw_ef_search;
    fo.seed = options.seed;
    index_ = std::make_unique<FaissIndex>(dim, fo);
    std::vector<int64_t> ids(static_cast<size_t>(n));
    for (int32_t s = 0; s < n; ++s) ids[static_cast<size_t>(s)] = s;
    index_->Add(n, catalog->vectors().data(), ids.data());
  }
  build_seconds_ = WallSeconds() - t0;
}

FmSearcher::~FmSearcher() = default;

void FmSearcher::SearchExact(std::span<const float> query, int k, const std::vector<uint8_t>& excluded,
                             std::vector<FmHit>& out) const {
  out.clear();
  if (k <= 0) return;
  const int dim = catalog_->dim();
  const int32_t n = catalog_->songs();
  // `out` is kept as a min-heap on Better (top = worst kept) while scanning.
  const auto worse = [](const FmHit& a, const FmHit& b) { return Better(a, b); };
  alignas(64) float scores[kBlock];
  for (int32_t base = 0; base < n; base += kBlock) {
    const float* block = packed_.data() + static_cast<size_t>(base / kBlock) * dim * kBlock;
    std::fill(scores, scores + kBlock, 0.0f);
    for (int j = 0; j < dim; ++j) {
      const float q = query[static_cast<size_t>(j)];
      const float* col = block + static_cast<size_t>(j) * kBlock;
      for (int i = 0; i < kBlock; ++i) scores[i] += q * col[i];
    }
    const int32_t count = std::min(kBlock, n - base);
    for (int i = 0; i < count; ++i) {
      const int32_t song = base + i;
      if (excluded[static_cast<size_t>(song)]) continue;
      const FmHit hit{song, scores[i]};
      if (static_cast<int>(out.size()) < k) {
        out.push_back(hit);
        std::push_heap(out.begin(), out.end(), worse);
      } else if (Better(hit, out.front())) {
        std::pop_heap(out.begin(), out.end(), worse);
        out.back() = hit;
        std::push_heap(out.begin(), out.end(), worse);
      }
    }
  }
  std::sort(out.begin(), out.end(), Better);
}

void FmSearcher::Search(std::span<const float> query, int k, const std::vector<uint8_t>& excluded,
                        int64_t excluded_count, int64_t played_count, std::vector<FmHit>& out) const {
  out.clear();
  if (k <= 0) return;
  const int32_t n = catalog_->songs();
  if (query.empty()) {
    for (int32_t s : catalog_->by_popularity()) {
      if (excluded[static_cast<size_t>(s)]) continue;
      out.push_back({s, 0.0f});
      if (static_cast<int>(out.size()) == k) break;
    }
    return;
  }
  if (!index_) {
    SearchExact(query, k, excluded, out);
    return;
  }
  // Songs excluded for a disliked artist are mostly far from a query that the dislike pushed
  // away, so the first request only makes room for the played songs; it grows on demand.
  const int64_t cap = kHnswMaxRequest;
  int64_t want = std::min<int64_t>(n, k + std::min<int64_t>(excluded_count, played_count) + 16);
  std::vector<float> scores;
  std::vector<int64_t> labels;
  while (want <= cap) {
    scores.resize(static_cast<size_t>(want));
    labels.resize(static_cast<size_t>(want));
    index_->Search(1, query.data(), static_cast<int>(want), scores.data(), labels.data());
    out.clear();
    for (int64_t i = 0; i < want && static_cast<int>(out.size()) < k; ++i) {
      const int64_t id = labels[static_cast<size_t>(i)];
      if (id < 0 || excluded[static_cast<size_t>(id)]) continue;
      out.push_back({static_cast<int32_t>(id), scores[static_cast<size_t>(i)]});
    }
    if (static_cast<int>(out.size()) == k) return;
    if (want == n) break;
    want = std::min<int64_t>(n, want * 4);
  }
  exact_fallbacks_.fetch_add(1, std::memory_order_relaxed);
  SearchExact(query, k, excluded, out);
}

}  // namespace melograph
