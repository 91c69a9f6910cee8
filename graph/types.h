// Id types shared by every stage (see docs/FORMATS.md, "id spaces").
#pragma once

#include <cstdint>
#include <limits>

namespace melograph {

using NodeId = int32_t;       // dense node id in a graph (all types share one range)
using EdgeIdx = int64_t;      // index into CSR edge arrays
using RelationId = uint16_t;  // index into the graph's relation table
using TypeId = uint16_t;      // index into the graph's node-type table

inline constexpr NodeId kMaxNodes = std::numeric_limits<NodeId>::max() - 1;
inline constexpr NodeId kInvalidNode = -1;
inline constexpr RelationId kMaxRelations = std::numeric_limits<RelationId>::max() - 1;

}  // namespace melograph
