// Renumbering after partitioning: part p owns the contiguous global id range
// [offsets[p], offsets[p+1]); inside a part, nodes keep their original relative order, so
// node types stay grouped and the renumbering is a pure function of the assignment.
//
// Contract: offsets has K+1 entries, offsets[0] = 0, offsets[K] = n; new_to_old and old_to_new
// are inverse permutations of [0, n). OwnerOf is a binary search over the offsets
// (O(log K)); an empty part owns an empty range and is never an owner.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/types.h"
#include "partition/partition_types.h"

namespace melograph {

struct Renumbering {
  std::vector<int64_t> offsets;     // K + 1
  std::vector<NodeId> new_to_old;   // n
  std::vector<NodeId> old_to_new;   // n
};

Renumbering Renumber(const Assignment& part, int32_t num_parts);

// The part owning new global id `id` (0 <= id < offsets.back()).
int32_t OwnerOf(std::span<const int64_t> offsets, int64_t id);

}  // namespace melograph
