// Contiguous per-part renumbering (see renumbering.h).
#include "partition/renumbering.h"

#include <algorithm>

namespace melograph {

Renumbering Renumber(const Assignment& part, int32_t num_parts) {
  Renumbering r;
  const size_t n = part.size();
  r.offsets.assign(static_cast<size_t>(num_parts) + 1, 0);
  for (const int32_t p : part) ++r.offsets[static_cast<size_t>(p) + 1];
  for (int32_t p = 0; p < num_parts; ++p) r.offsets[p + 1] += r.offsets[p];
  std::vector<int64_t> next(r.offsets.begin(), r.offsets.end() - 1);
  r.new_to_old.resize(n);
  r.old_to_new.resize(n);
  for (size_t v = 0; v < n; ++v) {
    const NodeId id = static_cast<NodeId>(next[part[v]]++);
    r.old_to_new[v] = id;
    r.new_to_old[id] = static_cast<NodeId>(v);
  }
  return r;
}

int32_t OwnerOf(std::span<const int64_t> offsets, int64_t id) {
  // The last offset <= id whose range is non-empty: upper_bound finds the first offset > id.
  const auto it = std::upper_bound(offsets.begin(), offsets.end(), id);
  return static_cast<int32_t>(it - offsets.begin()) - 1;
}

}  // namespace melograph
