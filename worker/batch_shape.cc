#include "worker/batch_shape.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/hash.h"
#include "sampler/negative_sampler.h"
#include "sampler/metapath.h"
#include "sampler/neighbor_sampler.h"
#include "sampler/random_walk.h"
#include "sampler/skipgram_pairs.h"

namespace melograph {
namespace {

constexpr uint64_t kShapeSalt = 0x73686170652d706cULL;  // "shape-pl"

TypeId TypeNamed(const std::vector<TypeRange>& types, const std::string& name) {
  for (size_t t = 0; t < types.size(); ++t)
    if (types[t].name == name) return static_cast<TypeId>(t);
  throw UsageError("plan: the graph has no node type '" + name + "'");
}

bool Contains(const TypeRange& t, NodeId v) { return v >= t.begin && v < t.begin + t.count; }

std::vector<std::string> SplitNames(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t bar = s.find('|', start);
    std::string name = s.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!name.empty()) out.push_back(std::move(name));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

// Expected distinct values among `draws` uniform draws over `n`.
double Distinct(double n, double draws) { return n > 0 ? n * -std::expm1(-draws / n) : 0; }

double TypeCount(const proto::PartitionManifest& m, const std::string& name, double fallback) {
  for (const auto& t : m.node_types())
    if (t.name() == name) return t.count();
  return fallback;
}

}  // namespace

std::vector<RelationSet> HopRelations(const TrainConfig& c, const RelationTable& table, size_t hops) {
  std::vector<RelationSet> out;
  if (c.hops_size() == 0) {
    RelationSet s = table.Resolve(c.target_relation() + "|rev_" + c.target_relation());
    out.assign(hops, s);
    return out;
  }
  if (static_cast<size_t>(c.hops_size()) != hops)
    throw UsageError("train: " + std::to_string(c.hops_size()) + " hop relation filters for " + std::to_string(hops) +
                     " layers");
  for (int h = c.hops_size() - 1; h >= 0; --h) {
    std::string names;
    for (const auto& r : c.hops(h).relation()) names += (names.empty() ? "" : "|") + r;
    out.push_back(table.Resolve(names));
  }
  return out;
}

RelationSet UnionOf(const std::vector<RelationSet>& sets) {
  RelationSet u;
  u.all = false;
  for (const auto& s : sets) {
    if (s.all) return s;
    u.ids.insert(u.ids.end(), s.ids.begin(), s.ids.end());
  }
  std::sort(u.ids.begin(), u.ids.end());
  u.ids.erase(std::unique(u.ids.begin(), u.ids.end()), u.ids.end());
  return u;
}

int GnnLayers(const TrainConfig& c) {
  if (c.model() == TrainConfig::SGNS) return 0;
  return c.fanouts_size() > 0 ? c.fanouts_size() : c.layers();
}

BatchShape MeasureBatchShape(const SerialGraph& graph, const TrainConfig& config, int64_t local_batch, uint64_t seed,
                             int batches) {
  BatchShape s;
  s.measured = true;
  s.batch = local_batch;
  const bool softmax = config.loss() == TrainConfig::SAMPLED_SOFTMAX;
  s.negatives = softmax ? std::max(0, config.negatives()) : local_batch;
  const int layers = GnnLayers(config);
  if (layers == 0 || local_batch <= 0) return s;
  const TypeId item_type = TypeNamed(graph.node_types(), config.item_type());
  const TypeRange& users = graph.node_types()[TypeNamed(graph.node_types(), config.user_type())];
  const TypeRange& items = graph.node_types()[item_type];
  const RelationSet target = graph.relations().Resolve(config.target_relation());
  const std::vector<RelationSet> hops = HopRelations(config, graph.relations(), static_cast<size_t>(layers));
  NegativeSamplerOptions neg;
  neg.seed = seed;
  neg.power = config.negative_power();
  neg.degree_relations = UnionOf(hops);
  const NegativeTables negatives = NegativeTables::Build(graph, neg);
  NeighborSamplerOptions so;
  for (int h = layers - 1; h >= 0; --h) so.fanouts.push_back(h < config.fanouts_size() ? config.fanouts(h) : -1);
  so.relations = hops;
  so.seed = seed;
  SerialNeighborSampler sampler(graph, so);
  // Target edges are drawn as uniform positions among the users' row entries (rejecting the
  // entries of other relations): each target edge equally likely, as in an epoch's batches.
  const auto& row_ptr = graph.graph().row_ptr();
  const EdgeIdx first = row_ptr[static_cast<size_t>(users.begin)];
  const EdgeIdx last = row_ptr[static_cast<size_t>(users.begin + users.count)];
  s.nodes.assign(static_cast<size_t>(layers) + 1, 0);
  s.edges.assign(static_cast<size_t>(layers), 0);
  s.transforms.assign(static_cast<size_t>(layers), 0);
  SampledSubgraph sg;
  for (int b = 0; b < batches; ++b) {
    Rng rng(HashCombine(seed, kShapeSalt, static_cast<uint64_t>(b)));
    std::vector<NodeId> seeds;
    std::vector<NodeId> positives;
    for (int64_t tries = 0; static_cast<int64_t>(positives.size()) < local_batch && tries < 64 * local_batch && last > first;
         ++tries) {
      const EdgeIdx p = first + static_cast<EdgeIdx>(rng.Uniform(static_cast<uint64_t>(last - first)));
      if (!target.Contains(graph.graph().edge_relation()[static_cast<size_t>(p)])) continue;
      const NodeId item = graph.graph().col_idx()[static_cast<size_t>(p)];
      if (!Contains(items, item)) continue;
      const NodeId user = static_cast<NodeId>(std::upper_bound(row_ptr.begin(), row_ptr.end(), p) - row_ptr.begin() - 1);
      seeds.push_back(user);
      positives.push_back(item);
    }
    if (positives.empty()) break;
    seeds.insert(seeds.end(), positives.begin(), positives.end());
    const int32_t k = softmax ? std::max(0, config.negatives()) : static_cast<int32_t>(positives.size());
    if (k > 0) {
      std::vector<NodeId> negs(static_cast<size_t>(k));
      negatives.Draw(item_type, 0, b, 0, k, negs.data());
      seeds.insert(seeds.end(), negs.begin(), negs.end());
    }
    sampler.Sample(seeds, 0, b, sg);
    s.nodes[0] = std::max(s.nodes[0], static_cast<double>(sg.blocks.back().dst.size()));
    for (int k2 = 0; k2 < layers; ++k2) {
      const Block& blk = sg.blocks[static_cast<size_t>(layers - 1 - k2)];
      s.nodes[static_cast<size_t>(k2) + 1] = std::max(s.nodes[static_cast<size_t>(k2) + 1], static_cast<double>(blk.src.size()));
      s.edges[static_cast<size_t>(k2)] = std::max(s.edges[static_cast<size_t>(k2)], static_cast<double>(blk.num_edges()));
      std::vector<uint64_t> pairs(static_cast<size_t>(blk.num_edges()));
      for (int64_t e = 0; e < blk.num_edges(); ++e)
        pairs[static_cast<size_t>(e)] = (static_cast<uint64_t>(blk.edge_relation[static_cast<size_t>(e)]) << 32) |
                                        static_cast<uint32_t>(blk.edge_src[static_cast<size_t>(e)]);
      std::sort(pairs.begin(), pairs.end());
      const double distinct = static_cast<double>(std::unique(pairs.begin(), pairs.end()) - pairs.begin());
      s.transforms[static_cast<size_t>(k2)] = std::max(s.transforms[static_cast<size_t>(k2)], distinct);
    }
  }
  s.seeds = s.nodes[0];
  return s;
}

BatchShape MeasureWalkShape(const Graph& graph, const TrainConfig& config, int64_t local_batch, uint64_t seed,
                            int starts_per_metapath) {
  BatchShape s;
  s.measured = true;
  s.batch = local_batch;
  s.negatives = std::max(0, config.negatives());
  s.seeds = static_cast<double>(local_batch) * (2 + static_cast<double>(s.negatives));
  s.nodes.push_back(s.seeds);
  std::vector<std::string> texts(config.metapaths().begin(), config.metapaths().end());
  if (texts.empty()) texts.push_back("");
  WalkOptions wo;
  wo.walk_length = config.walk_length();
  wo.walks_per_node = 1;
  wo.seed = seed;
  SkipGramOptions sk;
  sk.window = config.window();
  for (const std::string& text : texts) {
    const Metapath mp = ParseMetapath(text, graph);
    std::vector<NodeId> all;
    if (mp.types.empty()) {
      for (NodeId v = 0; v < graph.num_nodes(); ++v) all.push_back(v);
    } else {
      all = NodesOfType(graph.node_types(), mp.types.front());
    }
    if (all.empty()) continue;
    const size_t stride = std::max<size_t>(1, all.size() / static_cast<size_t>(std::max(1, starts_per_metapath)));
    std::vector<NodeId> starts;
    for (size_t i = 0; i < all.size(); i += stride) starts.push_back(all[i]);
    const Walks w = RandomWalksReference(graph, mp, starts, wo);
    const double pairs = static_cast<double>(SkipGramPairs(w, graph.node_types(), sk).size());
    const double scale = static_cast<double>(all.size()) / static_cast<double>(starts.size()) * config.walks_per_node();
    s.walks += static_cast<double>(w.num_walks()) * scale;
    s.walk_nodes += static_cast<double>(w.nodes.size()) * scale;
    s.pairs += pairs * scale;
  }
  return s;
}

BatchShape EstimateBatchShape(const proto::PartitionManifest& m, const TrainConfig& c) {
  BatchShape s;
  const int layers = GnnLayers(c);
  const int64_t ranks = std::max<int64_t>(1, m.num_parts());
  s.batch = (c.batch_size() + ranks - 1) / ranks;
  const double n_all = static_cast<double>(std::max<int64_t>(m.num_nodes(), 1));
  const double users = TypeCount(m, c.user_type(), n_all), items = TypeCount(m, c.item_type(), n_all);
  const double b = static_cast<double>(s.batch);
  const bool softmax = c.loss() == TrainConfig::SAMPLED_SOFTMAX;
  s.negatives = softmax ? std::min<int64_t>(std::max(0, c.negatives()), 1 << 20) : s.batch;
  // Seeds: the batch's distinct users and items; sampled softmax adds ONE shared set of
  // `negatives`, BPR one negative per example (and hard negatives), SGNS centres, contexts and
  // `negatives` per pair.
  if (c.model() == TrainConfig::SGNS) {
    s.seeds = b * (2 + static_cast<double>(std::max(0, c.negatives())));
    // Upper bound: every walk runs its full length (walk_length + 1 nodes, each with up to
    // 2 * window contexts) from every node of its metapath's first type.
    const double length = c.walk_length() + 1.0, w = std::min<double>(c.window(), length - 1);
    const double pairs_per_walk = 2 * w * length - w * (w + 1);
    std::vector<std::string> texts(c.metapaths().begin(), c.metapaths().end());
    if (texts.empty()) texts.push_back("");
    for (const std::string& text : texts) {
      const size_t space = text.find(' ');
      const double starts = text.empty() ? n_all : TypeCount(m, text.substr(0, space), n_all);
      s.walks += starts * c.walks_per_node();
    }
    s.walk_nodes = s.walks * length;
    s.pairs = s.walks * pairs_per_walk;
    s.nodes.push_back(s.seeds);
    return s;
  } else if (softmax) {
    s.seeds = Distinct(users, b) + Distinct(items, b * (1 + c.hard_negatives()) + static_cast<double>(s.negatives));
  } else {
    s.seeds = Distinct(users, b) + Distinct(items, b * (2 + c.hard_negatives()));
  }
  s.seeds = std::min(s.seeds, n_all);
  s.nodes.push_back(s.seeds);
  for (int k = 0; k < layers; ++k) {
    const int config_hop = layers - 1 - k;  // the config lists hops outermost first
    std::vector<std::string> names;
    if (c.hops_size() == 0) {
      names = {c.target_relation(), "rev_" + c.target_relation()};
    } else if (config_hop < c.hops_size()) {
      for (const auto& r : c.hops(config_hop).relation())
        for (auto& n : SplitNames(r)) names.push_back(std::move(n));
    }
    double edges = 0, active = 0;
    std::vector<bool> type_used(static_cast<size_t>(m.node_types_size()), false), head_used = type_used;
    int relations = 0;
    for (const auto& r : m.relations()) {
      if (!names.empty() && std::find(names.begin(), names.end(), r.name()) == names.end()) continue;
      edges += static_cast<double>(r.edge_count());
      ++relations;
      for (uint32_t t : {r.head_type(), r.tail_type()})
        if (t < type_used.size()) type_used[t] = true;
      if (r.head_type() < head_used.size()) head_used[r.head_type()] = true;
    }
    int heads = 0;
    for (size_t t = 0; t < type_used.size(); ++t) {
      if (type_used[t]) active += m.node_types(static_cast<int>(t)).count();
      heads += head_used[t] ? 1 : 0;
    }
    if (relations == 0 || active <= 0) {  // a manifest without relation records: the whole graph
      edges = static_cast<double>(m.num_edges());
      active = n_all;
    }
    const double rows_per_node = heads > 0 ? std::max(1.0, static_cast<double>(relations) / heads) : 1.0;
    const int64_t f = config_hop < c.fanouts_size() ? c.fanouts(config_hop) : -1;
    const double degree = edges / std::max(active, 1.0);
    const double per_node = f < 0 ? degree : std::min(static_cast<double>(f), degree);
    const double frontier = s.nodes.back();
    const double picks = std::min(frontier * per_node, edges);
    const double fresh = Distinct(active, picks) * std::max(0.0, 1.0 - frontier / std::max(active, 1.0));
    const double src = std::min(n_all, frontier + fresh);
    s.edges.push_back(picks);
    s.transforms.push_back(std::min(picks, src * rows_per_node));
    s.nodes.push_back(src);
  }
  return s;
}

}  // namespace melograph
