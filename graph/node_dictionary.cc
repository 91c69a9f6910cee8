#include "graph/node_dictionary.h"

#include <algorithm>
#include <numeric>

#include "common/anonymous_array.h"
#include "common/huge_pages.h"

namespace melograph {

std::optional<NodeId> TypeDictionary::Find(std::string_view id) const {
  const NodeId* lo = sorted.data();
  const NodeId* hi = lo + sorted.size();
  const NodeId* it = std::lower_bound(lo, hi, id, [&](NodeId a, std::string_view b) { return Id(a) < b; });
  if (it != hi && Id(*it) == id) return *it;
  return std::nullopt;
}

namespace {

// n uninitialised elements of a dictionary array. From 1 MiB (common/huge_pages.h) in its own
// mapping on huge pages, with the partial last 2 MiB on 4 KiB pages: the dictionaries are held
// through build-graph's peak, so they are resident only as far as they reach (a song type at
// 10^7 events holds ~10 MB here, ~2,500 page faults on 4 KiB pages). Smaller arrays are heap
// vectors (each in its own small mapping instead, they took 170 more faults at 10^6: the
// heap reuses freed blocks).
template <typename T>
class DictionaryArray {
 public:
  explicit DictionaryArray(size_t n) {
    if (UsesHugePages(n * sizeof(T))) {
      mapped_ = AnonymousArray<T>(n, PageSize::kHuge);
      AdviseSmallTail(mapped_.data(), n * sizeof(T));
    } else {
      heap_.resize(n);
    }
  }
  T* data() { return mapped_.size() > 0 ? mapped_.data() : heap_.data(); }
  ArrayRef<T> Release() && {
    if (mapped_.size() > 0) return ArrayRef<T>(std::move(mapped_));
    return ArrayRef<T>(std::move(heap_));
  }

 private:
  AnonymousArray<T> mapped_;  // one of the two holds the array
  std::vector<T> heap_;
};

}  // namespace

TypeDictionary TypeDictionary::Build(std::span<const std::string_view> ids) {
  const size_t n = ids.size();
  DictionaryArray<int64_t> offsets_array(n + 1);
  int64_t* offsets = offsets_array.data();
  offsets[0] = 0;
  for (size_t i = 0; i < n; ++i) offsets[i + 1] = offsets[i] + static_cast<int64_t>(ids[i].size());
  DictionaryArray<char> blob(static_cast<size_t>(offsets[n]));
  for (size_t i = 0; i < n; ++i) std::copy(ids[i].begin(), ids[i].end(), blob.data() + offsets[i]);
  DictionaryArray<NodeId> sorted_array(n);
  NodeId* sorted = sorted_array.data();
  std::iota(sorted, sorted + n, NodeId{0});
  // GraphBuilder hands its ids over in byte order already: then the check is all it costs.
  if (!std::is_sorted(ids.begin(), ids.end()))
    std::sort(sorted, sorted + n, [&](NodeId a, NodeId b) { return ids[a] < ids[b]; });
  TypeDictionary d;
  d.blob = std::move(blob).Release();
  d.offsets = std::move(offsets_array).Release();
  d.sorted = std::move(sorted_array).Release();
  return d;
}

}  // namespace melograph
