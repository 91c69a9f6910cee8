// FaissIndex (contract in recall/faiss_index.h). This file is compiled WITHOUT _GLIBCXX_DEBUG
// (see recall/CMakeLists.txt) and must include no melograph header that defines a class holding
// a libstdc++ container: only common/error.h.
#include "recall/faiss_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "common/error.h"

namespace melograph {

struct FaissIndex::Impl {
  std::unique_ptr<faiss::IndexIDMap> index;
  faiss::IndexHNSW* hnsw = nullptr;  // inner index when HNSW
  FaissIndexOptions options;
};

namespace {

// Restores the calling thread's OpenMP thread count on scope exit.
class OmpThreads {
 public:
  explicit OmpThreads(int threads) : saved_(omp_get_max_threads()) {
    if (threads > 0) omp_set_num_threads(threads);
  }
  ~OmpThreads() { omp_set_num_threads(saved_); }

 private:
  int saved_;
};

}  // namespace

FaissIndex::FaissIndex(int dim, const FaissIndexOptions& options)
    : impl_(std::make_unique<Impl>()) {
  if (dim <= 0) throw UsageError("faiss index: dimension must be positive");
  impl_->options = options;
  faiss::Index* inner = nullptr;
  if (options.kind == FaissIndexKind::kHnswIP) {
    if (options.hnsw_m < 2) throw UsageError("faiss index: HNSW M must be at least 2");
    auto* hnsw = new faiss::IndexHNSWFlat(dim, options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
    hnsw->hnsw.efConstruction = options.hnsw_ef_construction;
    hnsw->hnsw.efSearch = options.hnsw_ef_search;
    hnsw->hnsw.rng =
        faiss::RandomGenerator(static_cast<int64_t>(options.seed & 0x7fffffffffffffffULL));
    impl_->hnsw = hnsw;
    inner = hnsw;
  } else {
    inner = new faiss::IndexFlatIP(dim);
  }
  impl_->index = std::make_unique<faiss::IndexIDMap>(inner);
  impl_->index->own_fields = true;
}

FaissIndex::FaissIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaissIndex::~FaissIndex() = default;
FaissIndex::FaissIndex(FaissIndex&& other) noexcept = default;
FaissIndex& FaissIndex::operator=(FaissIndex&& other) noexcept = default;

void FaissIndex::Add(int64_t n, const float* rows, const int64_t* ids) {
  if (n <= 0) return;
  OmpThreads threads(impl_->options.build_threads);
  impl_->index->add_with_ids(n, rows, ids);
}

void FaissIndex::Search(int64_t nq, const float* queries, int k, float* scores,
                        int64_t* labels) const {
  if (nq <= 0 || k <= 0) return;
  impl_->index->search(nq, queries, k, scores, labels);
  for (int64_t i = 0; i < nq * k; ++i) {
    if (labels[i] < 0) scores[i] = -std::numeric_limits<float>::infinity();
  }
}

void FaissIndex::SetEfSearch(int ef_search) {
  impl_->options.hnsw_ef_search = ef_search;
  if (impl_->hnsw) impl_->hnsw->hnsw.efSearch = ef_search;
}

int64_t FaissIndex::size() const { return impl_->index->ntotal; }
int FaissIndex::dim() const { return static_cast<int>(impl_->index->d); }
FaissIndexKind FaissIndex::kind() const {
  return impl_->hnsw ? FaissIndexKind::kHnswIP : FaissIndexKind::kFlatIP;
}

std::string FaissIndex::Description() const {
  if (!impl_->hnsw) return "IDMap,Flat(IP)";
  return "IDMap,HNSW" + std::to_string(impl_->hnsw->hnsw.nb_neighbors(1)) + ",Flat(IP)";
}

std::string FaissIndex::Serialize() const {
  faiss::VectorIOWriter writer;
  faiss::write_index(impl_->index.get(), &writer);
  return std::string(reinterpret_cast<const char*>(writer.data.data()), writer.data.size());
}

// The one place faiss's own exception type is translated: faiss reports unreadable input by
// throwing faiss::FaissException, which must reach main.cc as a FormatError naming the file.
FaissIndex FaissIndex::Deserialize(std::string_view bytes, const std::string& name_for_errors) {
  // faiss leaks part of an index when it throws half way through a read, so refuse what is
  // plainly not a melograph index (IndexIDMap, fourcc "IxMp") before handing bytes over.
  if (bytes.size() < 16 || bytes.substr(0, 4) != "IxMp") {
    throw FormatError(name_for_errors +
                      ": not a readable faiss index (expected an IDMap index, fourcc IxMp)");
  }
  faiss::VectorIOReader reader;
  reader.data.assign(reinterpret_cast<const uint8_t*>(bytes.data()),
                     reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
  std::unique_ptr<faiss::Index> loaded;
  std::string failure;
  try {
    loaded.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    const size_t cut = failure.find('\n');
    throw FormatError(name_for_errors + ": not a readable faiss index (" + failure.substr(0, cut) +
                      ")");
  }
  auto* idmap = dynamic_cast<faiss::IndexIDMap*>(loaded.get());
  if (!idmap ||
      (!dynamic_cast<faiss::IndexFlatIP*>(idmap->index) &&
       !dynamic_cast<faiss::IndexHNSW*>(idmap->index)) ||
      idmap->metric_type != faiss::METRIC_INNER_PRODUCT) {
    throw FormatError(name_for_errors +
                      ": faiss index is not an inner-product IDMap over Flat or HNSW");
  }
  loaded.release();
  auto impl = std::make_unique<Impl>();
  impl->index.reset(idmap);
  impl->hnsw = dynamic_cast<faiss::IndexHNSW*>(idmap->index);
  impl->options.kind = impl->hnsw ? FaissIndexKind::kHnswIP : FaissIndexKind::kFlatIP;
  if (impl->hnsw) impl->options.hnsw_ef_search = impl->hnsw->hnsw.efSearch;
  return FaissIndex(std::move(impl));
}

FaissIndex FaissIndex::Load(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IoError(path + ": cannot open: " + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw IoError(path + ": read failed");
  return Deserialize(bytes, path);
}

}  // namespace melograph
