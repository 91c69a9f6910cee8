#include "sampler/block.h"

#include <algorithm>
#include <string>

namespace melograph {
namespace {

template <typename T>
std::string CompareArrays(const std::string& what, const std::vector<T>& expected, const std::vector<T>& got) {
  const size_t n = std::min(expected.size(), got.size());
  for (size_t i = 0; i < n; ++i)
    if (!(expected[i] == got[i]))
      return what + "[" + std::to_string(i) + "]: expected " + std::to_string(expected[i]) + ", got " +
             std::to_string(got[i]);
  if (expected.size() != got.size())
    return what + ": expected " + std::to_string(expected.size()) + " entries, got " + std::to_string(got.size());
  return "";
}

}  // namespace

std::string FirstDifference(const SampledSubgraph& expected, const SampledSubgraph& got) {
  std::string d = CompareArrays("seeds", expected.seeds, got.seeds);
  if (!d.empty()) return d;
  if (expected.blocks.size() != got.blocks.size())
    return "blocks: expected " + std::to_string(expected.blocks.size()) + ", got " + std::to_string(got.blocks.size());
  for (size_t b = 0; b < expected.blocks.size(); ++b) {
    const Block& e = expected.blocks[b];
    const Block& g = got.blocks[b];
    const std::string p = "blocks[" + std::to_string(b) + "].";
    for (const std::string& diff :
         {CompareArrays(p + "dst", e.dst, g.dst), CompareArrays(p + "src", e.src, g.src),
          CompareArrays(p + "edge_offsets", e.edge_offsets, g.edge_offsets),
          CompareArrays(p + "edge_src", e.edge_src, g.edge_src),
          CompareArrays(p + "edge_relation", e.edge_relation, g.edge_relation),
          CompareArrays(p + "edge_weight", e.edge_weight, g.edge_weight)})
      if (!diff.empty()) return diff;
  }
  return "";
}

}  // namespace melograph
