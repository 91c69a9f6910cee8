#include "sampler/negative_sampler.h"

#include <cmath>
#include <string>

#include "common/error.h"
#include "common/hash.h"
#include "sampler/row_pick.h"

namespace melograph {
namespace {

constexpr uint64_t kAliasTag = 0x616c696173ULL;     // "alias"
constexpr uint64_t kInBatchTag = 0x696e6261746368ULL;  // "inbatch"
constexpr uint64_t kHardTag = 0x68617264ULL;        // "hard"

int64_t FilteredDegree(const RowSpans& row, const RelationSet& set) { return RowCandidates(row, set).count(); }

RelationSet HardRelationSet(const RelationTable& table, const std::string& name) {
  RelationSet s;
  s.all = false;
  s.ids = table.Find(name);  // sorted ascending; empty when the graph has no such relation
  return s;
}

// Shared by the serial and distributed hard-negative samplers.
template <typename ToGraph>
void AppendHardNegatives(const RowSpans& row, const RelationSet& set, int32_t k, uint64_t seed, int64_t epoch,
                         int64_t step, int64_t item_index, ToGraph&& to_graph, std::vector<NodeId>& out) {
  Rng rng(HashCombine(seed, kHardTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                      static_cast<uint64_t>(item_index)));
  PickRowPositions(row, set, k, false, rng,
                   [&](int64_t pos) { out.push_back(to_graph(row.neighbor[static_cast<size_t>(pos)])); });
}

void CheckBatch(size_t users, size_t items, int32_t k) {
  if (users != items)
    throw UsageError("negative sampler: " + std::to_string(items) + " item indices for " + std::to_string(users) +
                     " items");
  if (k < 0) throw UsageError("negative sampler: negative count " + std::to_string(k));
}

}  // namespace

NegativeTables NegativeTables::FromDegrees(std::vector<int64_t> degrees, std::vector<TypeRange> types,
                                           const NegativeSamplerOptions& options) {
  if (!(options.power >= 0.0) || !std::isfinite(options.power))
    throw UsageError("negative sampler: power must be finite and >= 0");
  NegativeTables t;
  t.seed_ = options.seed;
  t.types_ = std::move(types);
  t.degrees_ = std::move(degrees);
  std::vector<double> w;
  for (const TypeRange& type : t.types_) {
    w.assign(static_cast<size_t>(type.count), 0.0);
    for (NodeId i = 0; i < type.count; ++i) {
      const int64_t d = t.degrees_[static_cast<size_t>(type.begin + i)];
      w[static_cast<size_t>(i)] = d > 0 ? std::pow(static_cast<double>(d), options.power) : 0.0;
    }
    t.tables_.emplace_back(w);
  }
  return t;
}

NegativeTables NegativeTables::Build(const SerialGraph& graph, const NegativeSamplerOptions& options) {
  std::vector<int64_t> degrees(static_cast<size_t>(graph.num_nodes()));
  for (NodeId v = 0; v < graph.num_nodes(); ++v)
    degrees[static_cast<size_t>(v)] = FilteredDegree(graph.Row(v), options.degree_relations);
  return FromDegrees(std::move(degrees), graph.node_types(), options);
}

NegativeTables NegativeTables::Build(const DistGraph& graph, const NegativeSamplerOptions& options) {
  std::vector<int64_t> degrees(static_cast<size_t>(graph.num_nodes()), 0);
  const PartitionShard& shard = graph.shard();
  for (NodeId g = shard.begin(); g < shard.end(); ++g)
    degrees[static_cast<size_t>(shard.original_id(g))] = FilteredDegree(graph.OwnedRowOfGlobal(g), options.degree_relations);
  graph.comm().Allreduce(std::span<int64_t>(degrees), ReduceOp::kSum);
  return FromDegrees(std::move(degrees), graph.node_types(), options);
}

void NegativeTables::Draw(TypeId type, int64_t epoch, int64_t step, int64_t item_index, int32_t k, NodeId* out) const {
  if (type >= tables_.size()) throw UsageError("negative sampler: node type " + std::to_string(type) + " out of range");
  const AliasTable& table = tables_[type];
  if (table.empty())
    throw UsageError("negative sampler: node type '" + types_[type].name + "' has no node with positive degree");
  Rng rng(HashCombine(seed_, kAliasTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                      static_cast<uint64_t>(item_index)));
  const NodeId begin = types_[type].begin;
  for (int32_t j = 0; j < k; ++j) out[j] = begin + static_cast<NodeId>(table.Draw(rng));
}

std::vector<NodeId> NegativeTables::Draw(TypeId type, std::span<const int64_t> item_index, int32_t k, int64_t epoch,
                                         int64_t step) const {
  CheckBatch(item_index.size(), item_index.size(), k);
  std::vector<NodeId> out(item_index.size() * static_cast<size_t>(k));
  for (size_t i = 0; i < item_index.size(); ++i) Draw(type, epoch, step, item_index[i], k, out.data() + i * static_cast<size_t>(k));
  return out;
}

std::vector<NodeId> InBatchNegatives(std::span<const NodeId> positives, std::span<const int64_t> item_index,
                                     int32_t k, uint64_t seed, int64_t epoch, int64_t step) {
  CheckBatch(positives.size(), item_index.size(), k);
  const size_t n = positives.size();
  std::vector<NodeId> out(n * static_cast<size_t>(k), kInvalidNode);
  for (size_t i = 0; i < n; ++i) {
    Rng rng(HashCombine(seed, kInBatchTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                        static_cast<uint64_t>(item_index[i])));
    int64_t eligible = -1;  // counted lazily, only if rejection sampling is slow
    for (int32_t j = 0; j < k; ++j) {
      NodeId pick = kInvalidNode;
      for (int tries = 0; tries < 32 && pick == kInvalidNode; ++tries) {
        const NodeId c = positives[rng.Uniform(n)];
        if (c != positives[i]) pick = c;
      }
      if (pick == kInvalidNode) {  // most of the batch shares this positive: draw by rank
        if (eligible < 0) {
          eligible = 0;
          for (NodeId c : positives) eligible += c != positives[i];
        }
        if (eligible > 0) {
          int64_t r = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(eligible)));
          for (NodeId c : positives)
            if (c != positives[i] && r-- == 0) {
              pick = c;
              break;
            }
        }
      }
      out[i * static_cast<size_t>(k) + static_cast<size_t>(j)] = pick;
    }
  }
  return out;
}

SerialHardNegativeSampler::SerialHardNegativeSampler(const SerialGraph& graph, const NegativeSamplerOptions& options)
    : graph_(graph), seed_(options.seed), relation_(HardRelationSet(graph.relations(), options.hard_relation)) {}

HardNegatives SerialHardNegativeSampler::Sample(std::span<const NodeId> users, std::span<const int64_t> item_index,
                                                int32_t k, int64_t epoch, int64_t step) const {
  CheckBatch(users.size(), item_index.size(), k);
  HardNegatives out;
  out.offsets.assign(1, 0);
  for (size_t i = 0; i < users.size(); ++i) {
    if (users[i] < 0 || users[i] >= graph_.num_nodes())
      throw UsageError("negative sampler: user " + std::to_string(users[i]) + " is not a node id");
    AppendHardNegatives(graph_.Row(users[i]), relation_, k, seed_, epoch, step, item_index[i],
                        [](NodeId x) { return x; }, out.nodes);
    out.offsets.push_back(static_cast<int64_t>(out.nodes.size()));
  }
  return out;
}

DistHardNegativeSampler::DistHardNegativeSampler(const DistGraph& graph, const NegativeSamplerOptions& options)
    : graph_(graph), seed_(options.seed), relation_(HardRelationSet(graph.relations(), options.hard_relation)) {}

HardNegatives DistHardNegativeSampler::Sample(std::span<const NodeId> users, std::span<const int64_t> item_index,
                                              int32_t k, int64_t epoch, int64_t step) {
  CheckBatch(users.size(), item_index.size(), k);
  std::vector<Request> requests(users.size());
  std::vector<int32_t> owners(users.size());
  for (size_t i = 0; i < users.size(); ++i) {
    if (users[i] < 0 || users[i] >= graph_.num_nodes())
      throw UsageError("negative sampler: user " + std::to_string(users[i]) + " is not a node id");
    requests[i] = Request{graph_.GlobalId(users[i]), k, item_index[i]};
    owners[i] = graph_.RowRank(requests[i].global);
  }
  const NodeId* to_graph = graph_.global_to_graph();
  exchange_.Run(graph_.comm(), Context{epoch, step}, std::span<const Request>(requests),
                std::span<const int32_t>(owners), [&](const Context& c, const Request& q, std::vector<NodeId>& items) {
                  if (!graph_.HasRowOfGlobal(q.global) || q.k < 0)
                    throw MpiError("hard negatives: bad request for global id " + std::to_string(q.global) +
                                   " on rank " + std::to_string(graph_.rank()));
                  AppendHardNegatives(graph_.LocalRowOfGlobal(q.global), relation_, q.k, seed_, c.epoch, c.step,
                                      q.item_index, [to_graph](NodeId x) { return to_graph[x]; }, items);
                });
  HardNegatives out;
  out.offsets = exchange_.offsets();
  out.nodes = exchange_.items();
  return out;
}

}  // namespace melograph
