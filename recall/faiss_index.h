// FaissIndex: a small wrapper over Debian's libfaiss (1.7.3) for inner-product search:
// exact (IndexIDMap over IndexFlatIP) or approximate (IndexIDMap over IndexHNSWFlat with
// METRIC_INNER_PRODUCT; Malkov & Yashunin, "Efficient and robust approximate nearest neighbor
// search using HNSW graphs", 2016). Ids are caller-chosen int64 (melograph uses graph NodeIds).
//
// Contract:
//  * Only plain pointers, spans and std::string cross this header: recall/faiss_index.cc is
//    compiled without _GLIBCXX_DEBUG because libfaiss is (its classes hold std::vector), so no
//    libstdc++ container may pass between the two worlds.
//  * HNSW builds are deterministic: the level generator is seeded from options.seed and
//    insertion runs on options.build_threads OpenMP threads (1 by default, so the graph does not
//    depend on the thread count; parallelism comes from building shards concurrently).
//  * Search returns, per query, the top-k (score descending) with label -1 / score -inf
//    padding when the index holds fewer than k vectors. Flat search is exact, O(n * dim) per
//    query; HNSW is O(ef_search * M * dim * log n) per query.
//  * Load/Deserialize throw FormatError naming the file when faiss cannot read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace melograph {

enum class FaissIndexKind { kFlatIP, kHnswIP };

struct FaissIndexOptions {
  FaissIndexKind kind = FaissIndexKind::kFlatIP;
  int hnsw_m = 32;
  int hnsw_ef_construction = 200;
  int hnsw_ef_search = 128;
  uint64_t seed = 0;
  int build_threads = 1;
};

class FaissIndex {
 public:
  FaissIndex(int dim, const FaissIndexOptions& options);
  ~FaissIndex();
  FaissIndex(FaissIndex&& other) noexcept;
  FaissIndex& operator=(FaissIndex&& other) noexcept;

  // Adds n rows (row-major, dim floats each) with their ids.
  void Add(int64_t n, const float* rows, const int64_t* ids);
  // scores and labels hold nq * k entries.
  void Search(int64_t nq, const float* queries, int k, float* scores, int64_t* labels) const;
  void SetEfSearch(int ef_search);

  int64_t size() const;
  int dim() const;
  FaissIndexKind kind() const;
  // "IDMap,Flat(IP)" or "IDMap,HNSW32,Flat(IP)".
  std::string Description() const;

  // The faiss on-disk bytes (faiss::write_index), loadable by faiss::read_index in C++/Python.
  std::string Serialize() const;
  static FaissIndex Deserialize(std::string_view bytes, const std::string& name_for_errors);
  static FaissIndex Load(const std::string& path);

 private:
  struct Impl;
  explicit FaissIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace melograph
