#include "model/serial_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include <Eigen/Core>

#include "common/error.h"
#include "common/hash.h"
#include "model/lightgcn.h"
#include "model/losses.h"
#include "model/ops.h"
#include "model/tape.h"

namespace melograph {
namespace {

struct Example {
  NodeId user, item;
};

// Relation ids allowed in propagation: the first hop filter, or the target and its inverse.
std::vector<bool> PropagationRelations(const Graph& g, const TrainConfig& c) {
  std::vector<bool> allowed(g.relations().size(), false);
  std::vector<std::string> names;
  if (c.hops_size() > 0 && c.hops(0).relation_size() > 0) {
    names.assign(c.hops(0).relation().begin(), c.hops(0).relation().end());
  } else {
    names = {c.target_relation(), "rev_" + c.target_relation()};
  }
  bool any = false;
  for (const std::string& n : names)
    for (RelationId r : g.FindRelations(n)) allowed[r] = any = true;
  if (!any) throw UsageError("train: the graph has none of the propagation relations");
  return allowed;
}

// One full-graph block: dst = src = every node, edges = the allowed relations' edges.
Block FullBlock(const Graph& g, const std::vector<bool>& allowed, std::vector<float>* degree) {
  Block b;
  const NodeId n = g.num_nodes();
  b.dst.resize(n);
  std::iota(b.dst.begin(), b.dst.end(), 0);
  b.src = b.dst;
  b.edge_offsets.assign(1, 0);
  degree->assign(n, 0.0f);
  const auto rel = g.edge_relation();
  const auto col = g.col_idx();
  const auto w = g.edge_weight();
  for (NodeId v = 0; v < n; ++v) {
    for (EdgeIdx e = g.row_ptr()[v]; e < g.row_ptr()[v + 1]; ++e) {
      if (!allowed[rel[e]]) continue;
      b.edge_src.push_back(col[e]);
      b.edge_relation.push_back(rel[e]);
      b.edge_weight.push_back(w[e]);
    }
    b.edge_offsets.push_back(static_cast<int64_t>(b.edge_src.size()));
    (*degree)[v] = static_cast<float>(b.edge_offsets[v + 1] - b.edge_offsets[v]);
  }
  return b;
}

// Cumulative degree^power over the item range, for inverse-CDF sampling.
struct ItemSampler {
  NodeId first = 0;
  std::vector<double> cdf;
  std::vector<float> logq;  // log probability of each item
  ItemSampler(NodeId first_item, NodeId count, const std::vector<float>& degree, float power)
      : first(first_item) {
    cdf.resize(count);
    logq.resize(count);
    double total = 0;
    for (NodeId i = 0; i < count; ++i) {
      const double w = std::pow(std::max(1.0f, degree[first_item + i]), power);
      total += w;
      cdf[i] = total;
    }
    for (NodeId i = 0; i < count; ++i) {
      const double w = cdf[i] - (i > 0 ? cdf[i - 1] : 0.0);
      logq[i] = static_cast<float>(std::log(w / total));
    }
  }
  NodeId Draw(Rng& rng) const {
    const double u = rng.UniformDouble() * cdf.back();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return first + static_cast<NodeId>(std::min<ptrdiff_t>(it - cdf.begin(), cdf.size() - 1));
  }
  float LogQ(NodeId item) const { return logq[item - first]; }
};

}  // namespace

SerialTrainResult TrainSerial(const Graph& graph, const TrainConfig& config,
                              const SerialTrainHooks& hooks) {
  if (config.model() != TrainConfig::LIGHTGCN)
    throw UsageError("train-local: only model LIGHTGCN is implemented in the single-process "
                     "trainer (got " + ModelKindName(config.model()) + ")");
  const auto user_type = graph.FindType(config.user_type());
  const auto item_type = graph.FindType(config.item_type());
  if (!user_type || !item_type)
    throw UsageError("train: the graph has no node type '" +
                     (!user_type ? config.user_type() : config.item_type()) + "'");
  const NodeType& items = graph.node_types()[*item_type];
  const NodeType& users = graph.node_types()[*user_type];

  // Training examples: target relation edges user -> item.
  std::vector<Example> examples;
  std::vector<RelationId> target;
  for (RelationId r : graph.FindRelations(config.target_relation()))
    if (graph.relations()[r].head_type == *user_type && graph.relations()[r].tail_type == *item_type)
      target.push_back(r);
  for (NodeId u = users.begin; u < users.begin + users.count; ++u)
    for (RelationId r : target) {
      const auto [first, last] = graph.RelationRange(u, r);
      for (EdgeIdx e = first; e < last; ++e) examples.push_back({u, graph.col_idx()[e]});
    }
  if (examples.empty())
    throw UsageError("train: no " + config.target_relation() + " edges from " +
                     config.user_type() + " to " + config.item_type());
  auto is_training_item = [&](NodeId u, NodeId item) {
    for (RelationId r : target) {
      const auto [first, last] = graph.RelationRange(u, r);
      const auto cols = graph.col_idx();
      if (std::binary_search(cols.begin() + first, cols.begin() + last, item)) return true;
    }
    return false;
  };

  std::vector<float> degree;
  const Block block = FullBlock(graph, PropagationRelations(graph, config), &degree);
  SampledSubgraph sg;
  sg.blocks.assign(static_cast<size_t>(config.layers()), block);
  const std::vector<float> weights = LightGcnEdgeWeights(block, degree);
  const std::vector<std::vector<float>> edge_weights(sg.blocks.size(), weights);
  const ItemSampler sampler(items.begin, items.count, degree, config.negative_power());

  const int64_t n = graph.num_nodes(), dim = config.dim();
  EmbeddingTable table = MakeNormalEmbeddingTable(n, dim, config.init_stddev(), config.seed());
  OptimizerOptions opt;
  opt.kind = config.optimizer() == TrainConfig::ADAM      ? OptimizerKind::kAdam
             : config.optimizer() == TrainConfig::ADAGRAD ? OptimizerKind::kAdagrad
                                                          : OptimizerKind::kSgd;
  opt.learning_rate = config.learning_rate();
  DenseOptimizer optimizer(opt, n * dim);

  const bool softmax = config.loss() == TrainConfig::SAMPLED_SOFTMAX;
  SampledSoftmaxOptions softmax_options;
  softmax_options.temperature = config.temperature();
  softmax_options.logq_correction = config.logq_correction();
  const int64_t batch_size = config.batch_size();
  const int64_t steps_per_epoch = (static_cast<int64_t>(examples.size()) + batch_size - 1) / batch_size;

  // Eigen splits large products over the threads (OpenMP); each output element is still one
  // thread's dot product, so results do not depend on the thread count.
  Eigen::setNbThreads(config.threads());
  SerialTrainResult result;
  Tape t;
  std::vector<int32_t> batch_users, batch_items, batch_negs;
  std::vector<int64_t> pos_ids, neg_ids;
  std::vector<float> pos_logq, neg_logq;
  std::vector<uint64_t> order_keys(examples.size());
  std::vector<int64_t> order(examples.size());
  double seconds = 0;

  auto infer = [&](EmbeddingTable* out) {
    Tape inf;
    Var e0 = inf.ExternalLeaf(n, dim, table.values.data(), false);
    Var f = LightGcnForward(inf, sg, e0, degree, edge_weights);
    out->rows = n;
    out->dim = dim;
    if (config.normalize_embeddings()) f = RowNormalize(inf, f);
    auto v = inf.Value(f);
    out->values.assign(v.data(), v.data() + v.size());
  };

  for (int epoch = 1; epoch <= config.epochs(); ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < examples.size(); ++i) {
      order_keys[i] = HashCombine(config.seed(), static_cast<uint64_t>(epoch), i);
      order[i] = static_cast<int64_t>(i);
    }
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return order_keys[a] != order_keys[b] ? order_keys[a] < order_keys[b] : a < b;
    });
    double loss_sum = 0;
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      Rng rng(HashCombine(config.seed(), static_cast<uint64_t>(epoch), static_cast<uint64_t>(step)));
      const int64_t first = step * batch_size;
      const int64_t last = std::min<int64_t>(first + batch_size, examples.size());
      batch_users.clear();
      batch_items.clear();
      batch_negs.clear();
      pos_ids.clear();
      pos_logq.clear();
      for (int64_t i = first; i < last; ++i) {
        const Example& ex = examples[order[i]];
        batch_users.push_back(ex.user);
        batch_items.push_back(ex.item);
        pos_ids.push_back(ex.item);
        pos_logq.push_back(sampler.LogQ(ex.item));
        if (!softmax) {
          NodeId neg = sampler.Draw(rng);
          for (int tries = 0; tries < 10 && is_training_item(ex.user, neg); ++tries)
            neg = sampler.Draw(rng);
          batch_negs.push_back(neg);
        }
      }
      if (softmax) {
        neg_ids.clear();
        neg_logq.clear();
        for (int k = 0; k < config.negatives(); ++k) {
          const NodeId neg = sampler.Draw(rng);
          batch_negs.push_back(neg);
          neg_ids.push_back(neg);
          neg_logq.push_back(sampler.LogQ(neg));
        }
      }
      t.Reset();
      Var e0 = t.ExternalLeaf(n, dim, table.values.data(), true);
      Var f = LightGcnForward(t, sg, e0, degree, edge_weights);
      Var fu = Gather(t, f, batch_users);
      Var fp = Gather(t, f, batch_items);
      Var fn = Gather(t, f, batch_negs);
      if (config.normalize_embeddings()) {
        fu = RowNormalize(t, fu);
        fp = RowNormalize(t, fp);
        fn = RowNormalize(t, fn);
      }
      Var loss;
      if (softmax) {
        SampledSoftmaxInputs in{fu, fp, batch_negs.empty() ? Var{} : fn, {}, pos_ids, neg_ids,
                                pos_logq, neg_logq};
        loss = SampledSoftmaxLoss(t, in, softmax_options);
      } else {
        loss = BprLossFromEmbeddings(t, fu, fp, fn);
      }
      const float b = static_cast<float>(last - first);
      if (config.l2() > 0) {
        std::vector<Var> reg{Gather(t, e0, batch_users), Gather(t, e0, batch_items)};
        if (!softmax) reg.push_back(Gather(t, e0, batch_negs));
        loss = Add(t, loss, L2Loss(t, reg, config.l2(), b));
      }
      t.Backward(loss);
      loss_sum += t.Scalar(loss);
      auto g = t.Grad(e0);
      optimizer.Step(table.values, std::span<const float>(g.data(), g.size()));
      ++result.steps;
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EpochStats stats;
    stats.epoch = epoch;
    stats.steps = result.steps;
    stats.loss = loss_sum / static_cast<double>(steps_per_epoch);
    stats.seconds = seconds;
    stats.examples_per_s = static_cast<double>(examples.size()) * epoch / seconds;
    result.epochs.push_back(stats);
    if (hooks.on_epoch) {
      if (hooks.wants_embeddings && hooks.wants_embeddings(epoch)) {
        EmbeddingTable current;
        infer(&current);
        hooks.on_epoch(stats, &current);
      } else {
        hooks.on_epoch(stats, nullptr);
      }
    }
  }
  infer(&result.embeddings);
  result.seconds = seconds;
  return result;
}

}  // namespace melograph
