// FmSearcher: the private FM's next-song search: top-k songs by inner product <query, e_song>
// among the songs a session has not excluded (docs/FM.md, "Search").
//
//  * exact: every song scored. Songs are packed into blocks of 256, dimension-major, so the
//    inner loop is a plain multiply-add over 256 adjacent floats (vectorised without
//    reassociation; each score is the float sum over dimensions in increasing order). Ties
//    broken by smaller song index. O(songs * dim) per query.
//  * hnsw: an HNSW index (recall/faiss_index.h, inner product, seeded, one build thread, so the
//    graph and therefore the results are deterministic) searched for k + played + 16 songs
//    (played = songs with an event in the session); when fewer than k survive the exclusions the
//    request grows 4x, and past 512 the search falls back to the exact scan.
//    O(ef * M * dim * log songs) per query. Callers serving one event at a time should run
//    faiss single-threaded (omp_set_num_threads(1), as `melograph fm` does): waking OpenMP
//    threads for one query costs milliseconds at the tail on a busy machine.
//  * an empty query (a cold user before any event) returns the most popular songs not excluded.
//
// Contract: deterministic for a given catalog, options, query and exclusion mask; Search is
// const and thread-safe. Returns min(k, songs not excluded) hits, best first.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "online/fm_catalog.h"

namespace melograph {

class FaissIndex;

enum class FmIndexKind { kExact, kHnsw };
FmIndexKind ParseFmIndexKind(std::string_view name);  // "exact" | "hnsw"; UsageError otherwise

struct FmSearchOptions {
  FmIndexKind kind = FmIndexKind::kHnsw;
  int hnsw_m = 32;
  int hnsw_ef_construction = 100;
  int hnsw_ef_search = 64;
  uint64_t seed = 0;
};

struct FmHit {
  int32_t song = 0;
  float score = 0;
};

class FmSearcher {
 public:
  FmSearcher(const FmCatalog* catalog, const FmSearchOptions& options);
  ~FmSearcher();
  FmSearcher(const FmSearcher&) = delete;
  FmSearcher& operator=(const FmSearcher&) = delete;

  // excluded: one byte per song (non-zero = never return); excluded_count: how many are set;
  // played_count: how many of them the session played (the rest: disliked artists' songs).
  void Search(std::span<const float> query, int k, const std::vector<uint8_t>& excluded,
              int64_t excluded_count, int64_t played_count, std::vector<FmHit>& out) const;
  void SearchExact(std::span<const float> query, int k, const std::vector<uint8_t>& excluded,
                   std::vector<FmHit>& out) const;
  FmIndexKind kind() const { return options_.kind; }
  double build_seconds() const { return build_seconds_; }
  // HNSW searches that fell back to the exact scan (counted; relaxed atomic).
  int64_t exact_fallbacks() const { return exact_fallbacks_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kBlock = 256;
  static constexpr int64_t kHnswMaxRequest = 512;
  const FmCatalog* catalog_;
  FmSearchOptions options_;
  std::vector<float> packed_;  // ceil(songs / 256) blocks of dim x 256 floats, zero padded
  std::unique_ptr<FaissIndex> index_;
  double build_seconds_ = 0;
  mutable std::atomic<int64_t> exact_fallbacks_{0};
};

}  // namespace melograph
