#include "graph/node_dictionary.h"

#include <algorithm>
#include <numeric>

namespace melograph {

std::optional<NodeId> TypeDictionary::Find(std::string_view id) const {
  const NodeId* lo = sorted.data();
  const NodeId* hi = lo + sorted.size();
  const NodeId* it = std::lower_bound(lo, hi, id, [&](NodeId a, std::string_view b) { return Id(a) < b; });
  if (it != hi && Id(*it) == id) return *it;
  return std::nullopt;
}

TypeDictionary TypeDictionary::Build(const std::vector<std::string_view>& ids) {
  std::vector<int64_t> offsets(ids.size() + 1, 0);
  for (size_t i = 0; i < ids.size(); ++i) offsets[i + 1] = offsets[i] + static_cast<int64_t>(ids[i].size());
  std::vector<char> blob(static_cast<size_t>(offsets.back()));
  for (size_t i = 0; i < ids.size(); ++i) std::copy(ids[i].begin(), ids[i].end(), blob.begin() + offsets[i]);
  std::vector<NodeId> sorted(ids.size());
  std::iota(sorted.begin(), sorted.end(), NodeId{0});
  // GraphBuilder hands its ids over in byte order already: then the check is all it costs.
  if (!std::is_sorted(ids.begin(), ids.end()))
    std::sort(sorted.begin(), sorted.end(), [&](NodeId a, NodeId b) { return ids[a] < ids[b]; });
  TypeDictionary d;
  d.blob = ArrayRef<char>(std::move(blob));
  d.offsets = ArrayRef<int64_t>(std::move(offsets));
  d.sorted = ArrayRef<NodeId>(std::move(sorted));
  return d;
}

}  // namespace melograph
