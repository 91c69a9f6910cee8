#include "sampler/neighbor_sampler.h"

#include <algorithm>
#include <string>

#include "common/error.h"
#include "common/text.h"

namespace melograph {
namespace {

void CheckOptions(NeighborSamplerOptions& o, size_t num_relations) {
  if (o.fanouts.empty()) throw UsageError("neighbour sampler: at least one fanout is needed");
  for (int32_t f : o.fanouts)
    if (f == 0 || f < -1) throw UsageError("neighbour sampler: fanout " + std::to_string(f) + " (use -1 or >= 1)");
  if (o.relations.empty()) o.relations.assign(o.fanouts.size(), RelationSet{});
  if (o.relations.size() != o.fanouts.size())
    throw UsageError("neighbour sampler: " + std::to_string(o.relations.size()) + " relation filters for " +
                     std::to_string(o.fanouts.size()) + " hops");
  for (const RelationSet& s : o.relations)
    for (RelationId r : s.ids)
      if (r >= num_relations) throw UsageError("neighbour sampler: relation id " + std::to_string(r) + " out of range");
}

// The one place a row is turned into sampled edges: shared by the serial reference and the
// owners of the distributed sampler. `to_graph` maps the row's neighbour ids to graph ids.
template <typename ToGraph>
void AppendRowSample(const RowSpans& row, const NeighborSamplerOptions& o, int32_t hop, int64_t epoch,
                     int64_t step, NodeId graph_id, ToGraph&& to_graph, std::vector<SampledEdge>& out) {
  Rng rng = RowRng(o.seed, epoch, step, hop, graph_id);
  const size_t h = static_cast<size_t>(hop);
  PickRowPositions(row, o.relations[h], o.fanouts[h], o.weighted, rng, [&](int64_t pos) {
    const size_t p = static_cast<size_t>(pos);
    out.push_back(SampledEdge{to_graph(row.neighbor[p]), row.weight[p], row.relation[p]});
  });
}

// The hop loop shared by both samplers; pick(hop, frontier) returns (offsets, edges) per node.
template <typename PickFrontier>
void SampleHops(std::span<const NodeId> seeds, size_t hops, BlockBuilder& builder, SampledSubgraph& out,
                PickFrontier&& pick) {
  out.seeds.assign(seeds.begin(), seeds.end());
  out.blocks.resize(hops);
  std::vector<NodeId>& first = out.blocks[hops - 1].dst;
  builder.Dedup(seeds, first);
  for (size_t h = 0; h < hops; ++h) {
    Block& block = out.blocks[hops - 1 - h];
    if (h > 0) block.dst.assign(out.blocks[hops - h].src.begin(), out.blocks[hops - h].src.end());
    const auto [offsets, edges] = pick(static_cast<int32_t>(h), std::span<const NodeId>(block.dst));
    builder.Build(block.dst, offsets, edges, block);
  }
}

}  // namespace

std::vector<int32_t> ParseFanouts(std::string_view list) {
  std::vector<int32_t> out;
  for (const std::string& f : SplitList(list, ',')) {
    const auto v = ParseInt64(Trim(f));
    if (!v || (*v != -1 && (*v < 1 || *v > 1'000'000)))
      throw UsageError("--fanouts: '" + f + "' is not -1 or an integer in [1, 1000000]");
    out.push_back(static_cast<int32_t>(*v));
  }
  if (out.empty()) throw UsageError("--fanouts: empty list");
  return out;
}

void BlockBuilder::NextGeneration() {
  if (++generation_ == 0) {  // wrapped: forget every stamp
    std::fill(slot_.begin(), slot_.end(), Slot{});
    generation_ = 1;
  }
}

void BlockBuilder::Dedup(std::span<const NodeId> nodes, std::vector<NodeId>& out) {
  NextGeneration();
  out.clear();
  for (NodeId v : nodes) {
    Slot& s = slot_[static_cast<size_t>(v)];
    if (s.stamp == generation_) continue;
    s.stamp = generation_;
    out.push_back(v);
  }
}

void BlockBuilder::Build(std::span<const NodeId> dst, std::span<const int64_t> offsets,
                         std::span<const SampledEdge> edges, Block& block) {
  NextGeneration();
  const uint32_t g = generation_;
  block.src.assign(dst.begin(), dst.end());
  for (size_t i = 0; i < dst.size(); ++i) slot_[static_cast<size_t>(dst[i])] = Slot{g, static_cast<int32_t>(i)};
  block.edge_offsets.assign(offsets.begin(), offsets.end());
  const size_t m = edges.size();
  block.edge_src.resize(m);
  block.edge_relation.resize(m);
  block.edge_weight.resize(m);
  for (size_t e = 0; e < m; ++e) {
    if (e + 16 < m) __builtin_prefetch(&slot_[static_cast<size_t>(edges[e + 16].neighbor)]);
    const SampledEdge& se = edges[e];
    Slot& s = slot_[static_cast<size_t>(se.neighbor)];
    if (s.stamp != g) {
      s.stamp = g;
      s.index = static_cast<int32_t>(block.src.size());
      block.src.push_back(se.neighbor);
    }
    block.edge_src[e] = s.index;
    block.edge_relation[e] = se.relation;
    block.edge_weight[e] = se.weight;
  }
}

SerialNeighborSampler::SerialNeighborSampler(const SerialGraph& graph, NeighborSamplerOptions options)
    : graph_(graph), options_(std::move(options)), builder_(graph.num_nodes()) {
  CheckOptions(options_, graph.relations().size());
}

void SerialNeighborSampler::Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step, SampledSubgraph& out) {
  for (NodeId v : seeds)
    if (v < 0 || v >= graph_.num_nodes())
      throw UsageError("neighbour sampler: seed " + std::to_string(v) + " is not a node id");
  SampleHops(seeds, options_.fanouts.size(), builder_, out, [&](int32_t hop, std::span<const NodeId> frontier) {
    offsets_.assign(1, 0);
    edges_.clear();
    // Rows are independent random reads: prefetch row_ptr 16 rows ahead and the row itself 8
    // rows ahead so their cache misses overlap (the pick is cheap next to a miss).
    const EdgeIdx* row_ptr = graph_.graph().row_ptr().data();
    const NodeId* col = graph_.graph().col_idx().data();
    const RelationId* rel = graph_.graph().edge_relation().data();
    const float* weight = graph_.graph().edge_weight().data();
    const size_t n = frontier.size();
    for (size_t i = 0; i < n; ++i) {
      if (i + 16 < n) __builtin_prefetch(row_ptr + frontier[i + 16]);
      if (i + 8 < n) {
        const EdgeIdx b = row_ptr[frontier[i + 8]];
        __builtin_prefetch(col + b);
        __builtin_prefetch(rel + b);
        if (options_.weighted) __builtin_prefetch(weight + b);
      }
      const NodeId v = frontier[i];
      AppendRowSample(graph_.Row(v), options_, hop, epoch, step, v, [](NodeId x) { return x; }, edges_);
      offsets_.push_back(static_cast<int64_t>(edges_.size()));
    }
    return std::make_pair(std::span<const int64_t>(offsets_), std::span<const SampledEdge>(edges_));
  });
}

DistNeighborSampler::DistNeighborSampler(const DistGraph& graph, NeighborSamplerOptions options)
    : graph_(graph), options_(std::move(options)), builder_(graph.num_nodes()) {
  CheckOptions(options_, graph.relations().size());
}

void DistNeighborSampler::Sample(std::span<const NodeId> seeds, int64_t epoch, int64_t step, SampledSubgraph& out) {
  for (NodeId v : seeds)
    if (v < 0 || v >= graph_.num_nodes())
      throw UsageError("neighbour sampler: seed " + std::to_string(v) + " is not a node id");
  const NodeId* to_graph = graph_.global_to_graph();
  SampleHops(seeds, options_.fanouts.size(), builder_, out, [&](int32_t hop, std::span<const NodeId> frontier) {
    requests_.resize(frontier.size());
    owners_.resize(frontier.size());
    for (size_t i = 0; i < frontier.size(); ++i) {
      const NodeId g = graph_.GlobalId(frontier[i]);
      requests_[i] = g;
      owners_[i] = graph_.RowRank(g);  // this rank for owned and replicated rows
    }
    const HopContext context{epoch, step, hop, 0};
    exchange_.Run(graph_.comm(), context, std::span<const NodeId>(requests_), std::span<const int32_t>(owners_),
                  [&](const HopContext& c, NodeId g, std::vector<SampledEdge>& items) {
                    if (!graph_.HasRowOfGlobal(g))  // an incoming request: checked once here
                      throw MpiError("neighbour sampler: asked for global id " + std::to_string(g) +
                                     " whose row rank " + std::to_string(graph_.rank()) + " does not hold");
                    if (c.hop != hop)
                      throw MpiError("neighbour sampler: a rank asked for hop " + std::to_string(c.hop) +
                                     " during hop " + std::to_string(hop));
                    AppendRowSample(graph_.LocalRowOfGlobal(g), options_, c.hop, c.epoch, c.step, to_graph[g],
                                    [to_graph](NodeId x) { return to_graph[x]; }, items);
                  });
    return std::make_pair(std::span<const int64_t>(exchange_.offsets()),
                          std::span<const SampledEdge>(exchange_.items()));
  });
}

}  // namespace melograph
