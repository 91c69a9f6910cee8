// NodeDictionary: key <-> dense id, one table per node type.
//
// Per type t the ids (the part of the key after "type:") are stored back to back in one byte
// blob with an offsets array (count+1, int64), in local-id order, plus a permutation of local
// ids sorted by id bytes for O(log n) lookup. All three arrays can be memory-mapped.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/array_ref.h"
#include "graph/types.h"

namespace melograph {

struct TypeDictionary {
  ArrayRef<char> blob;          // concatenated ids
  ArrayRef<int64_t> offsets;    // count + 1
  ArrayRef<NodeId> sorted;      // local ids ordered by id bytes

  NodeId count() const { return offsets.empty() ? 0 : static_cast<NodeId>(offsets.size() - 1); }
  std::string_view Id(NodeId local) const {
    return std::string_view(blob.data() + offsets[local],
                            static_cast<size_t>(offsets[local + 1] - offsets[local]));
  }
  std::optional<NodeId> Find(std::string_view id) const;

  // Builds a dictionary from ids in local-id order (computes the sorted permutation).
  static TypeDictionary Build(std::span<const std::string_view> ids);
};

class NodeDictionary {
 public:
  NodeDictionary() = default;
  explicit NodeDictionary(std::vector<TypeDictionary> types) : types_(std::move(types)) {}
  const TypeDictionary& type(TypeId t) const { return types_[t]; }
  size_t num_types() const { return types_.size(); }

 private:
  std::vector<TypeDictionary> types_;
};

}  // namespace melograph
