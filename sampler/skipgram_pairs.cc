#include "sampler/skipgram_pairs.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {

std::vector<int64_t> CountNodeOccurrences(const Walks& walks, NodeId num_nodes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_nodes), 0);
  for (NodeId v : walks.nodes) {
    if (v < 0 || v >= num_nodes) throw UsageError("walk node " + std::to_string(v) + " outside the graph");
    ++counts[static_cast<size_t>(v)];
  }
  return counts;
}

std::vector<SkipGramPair> SkipGramPairs(const Walks& walks, std::span<const NodeType> node_types,
                                        const SkipGramOptions& o, std::span<const int64_t> node_counts) {
  if (o.window < 1) throw UsageError("skip-gram window must be >= 1, got " + std::to_string(o.window));
  if (!(o.subsample >= 0.0)) throw UsageError("subsample threshold must be >= 0");
  NodeId num_nodes = 0;
  for (const NodeType& t : node_types) num_nodes = std::max(num_nodes, t.begin + t.count);
  std::vector<int64_t> own_counts;
  if (o.subsample > 0.0 && node_counts.empty()) {
    own_counts = CountNodeOccurrences(walks, num_nodes);
    node_counts = own_counts;
  }
  if (o.subsample > 0.0 && static_cast<NodeId>(node_counts.size()) != num_nodes)
    throw UsageError("node counts have " + std::to_string(node_counts.size()) + " entries, the graph " +
                     std::to_string(num_nodes) + " nodes");
  int64_t total = 0;
  for (int64_t c : node_counts) total += c;

  std::vector<bool> keep_type(node_types.size(), o.keep_types.empty());
  for (TypeId t : o.keep_types) {
    if (t >= node_types.size()) throw UsageError("skip-gram keep type " + std::to_string(t) + " out of range");
    keep_type[t] = true;
  }

  std::vector<SkipGramPair> pairs;
  std::vector<NodeId> seq;
  for (int64_t w = 0; w < walks.num_walks(); ++w) {
    const auto path = walks.walk(w);
    seq.clear();
    for (size_t i = 0; i < path.size(); ++i) {
      const NodeId v = path[i];
      if (!keep_type[TypeOfNode(node_types, v)]) continue;
      if (o.subsample > 0.0) {
        const double f = static_cast<double>(node_counts[static_cast<size_t>(v)]) / static_cast<double>(total);
        const double ratio = o.subsample / f;
        const double keep = std::min(1.0, std::sqrt(ratio) + ratio);
        Rng rng(HashCombine(o.seed, kSkipGramTag, o.epoch, static_cast<uint64_t>(walks.start[static_cast<size_t>(w)]),
                            static_cast<uint64_t>(walks.repetition[static_cast<size_t>(w)]), i));
        if (!(rng.UniformDouble() < keep)) continue;
      }
      seq.push_back(v);
    }
    const int64_t n = static_cast<int64_t>(seq.size());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t lo = std::max<int64_t>(0, i - o.window), hi = std::min<int64_t>(n - 1, i + o.window);
      for (int64_t j = lo; j <= hi; ++j)
        if (j != i && seq[static_cast<size_t>(j)] != seq[static_cast<size_t>(i)])
          pairs.push_back({seq[static_cast<size_t>(i)], seq[static_cast<size_t>(j)]});
    }
  }
  return pairs;
}

}  // namespace melograph
