#include "worker/trainer.h"

#include <Eigen/Core>

#include <algorithm>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/error.h"
#include "common/resource.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "common/log.h"
#include "graph/graph_io.h"
#include "model/kgnn.h"
#include "model/lightgcn.h"
#include "model/losses.h"
#include "model/ops.h"
#include "model/optimizer.h"
#include "model/skipgram.h"
#include "model/tape.h"
#include "model/train_config.h"
#include "recall/embedding_scorer.h"
#include "recall/evaluator.h"
#include "recall/interactions.h"
#include "recall/run_format.h"
#include "recall/test_set.h"
#include "sampler/dist_graph.h"
#include "sampler/dist_random_walk.h"
#include "sampler/metapath.h"
#include "sampler/negative_sampler.h"
#include "sampler/neighbor_sampler.h"
#include "sampler/skipgram_pairs.h"
#include "worker/checkpoint.h"
#include "worker/embedding_table.h"
#include "worker/batch_shape.h"
#include "worker/memory_plan.h"
#include "worker/train_metrics.h"

namespace melograph {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr uint64_t kOrderTag = 0x6f72646572ULL;  // "order"

struct Example {
  NodeId user;  // graph ids
  NodeId item;
};

OptimizerOptions SparseOptions(const TrainConfig& c) {
  OptimizerOptions o;
  o.kind = c.optimizer() == TrainConfig::ADAM      ? OptimizerKind::kAdam
           : c.optimizer() == TrainConfig::ADAGRAD ? OptimizerKind::kAdagrad
                                                   : OptimizerKind::kSgd;
  o.learning_rate = c.learning_rate();
  return o;
}

OptimizerOptions DenseOptions(const TrainConfig& c) {
  OptimizerOptions o;
  o.kind = c.dense_optimizer() == TrainConfig::ADAM ? OptimizerKind::kAdam : OptimizerKind::kSgd;
  o.learning_rate = c.dense_learning_rate();
  return o;
}

TypeId FindTypeId(const std::vector<TypeRange>& types, const std::string& name) {
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i].name == name) return static_cast<TypeId>(i);
  std::string known;
  for (const auto& t : types) known += (known.empty() ? "" : ", ") + t.name;
  throw UsageError("train: the graph has no node type '" + name + "' (types: " + known + ")");
}

bool InType(const TypeRange& t, NodeId v) { return v >= t.begin && v < t.begin + t.count; }

constexpr uint64_t kItemIdDropoutSalt = 0x69642d64726f70ULL;  // "id-drop"

// `items` ordered by key(item, position), ties by position: an order that depends only on the
// items and the key (seed, epoch...), never on ranks or threads.
template <typename T, typename Key>
std::vector<T> ShuffledByKey(const std::vector<T>& items, Key key) {
  std::vector<std::pair<uint64_t, size_t>> keys(items.size());
  for (size_t i = 0; i < items.size(); ++i) keys[i] = {key(items[i], i), i};
  std::sort(keys.begin(), keys.end());
  std::vector<T> out(items.size());
  for (size_t i = 0; i < keys.size(); ++i) out[i] = items[keys[i].second];
  return out;
}

// Everything a rank holds during training.
class Trainer {
 public:
  Trainer(Communicator& comm, const TrainJob& job)
      : comm_(comm), job_(job), config_(LoadTrainConfig(job.config_path)) {
    // Eigen's products use OpenMP threads unless told otherwise; on a loaded node (or several
    // ranks per node) idle-spinning threads stall training, so use exactly the config's count.
    Eigen::setNbThreads(std::max(1, config_.threads()));
    if (job.epochs_override > 0) config_.set_epochs(job.epochs_override);
    if (job.eval_every >= 0) config_.set_eval_every_epochs(job.eval_every);
    graph_ = std::make_unique<DistGraph>(DistGraph::Open(comm, job.partition_dir));
    graph_dir_ = job.graph_dir.empty() ? graph_->manifest().graph_dir() : job.graph_dir;
    if (graph_dir_.empty())
      throw UsageError("train: the partition does not record its graph directory; pass --graph");
    full_graph_ = std::make_unique<Graph>(LoadGraph(graph_dir_, /*verify_checksums=*/false));
    if (full_graph_->num_nodes() != graph_->num_nodes())
      throw UsageError("train: graph " + graph_dir_ + " has " + std::to_string(full_graph_->num_nodes()) +
                       " nodes, the partition " + std::to_string(graph_->num_nodes()));
    if (job.mem_per_rank > 0) {
      // The plan from a few steps (GNN) or walks (skip-gram) sampled on the graph, as `melograph
      // plan` prints it (the manifest-only estimate can overstate them: it must not refuse a job
      // that fits).
      const int64_t local = (config_.batch_size() + comm.size() - 1) / comm.size();
      BatchShape shape;
      if (GnnLayers(config_) > 0) {
        const SerialGraph serial(std::shared_ptr<const Graph>(full_graph_.get(), [](const Graph*) {}));
        shape = MeasureBatchShape(serial, config_, local, config_.seed());
      } else {
        shape = MeasureWalkShape(*full_graph_, config_, local, config_.seed());
      }
      CheckMemoryPlan(PlanMemory(graph_->manifest(), config_, &shape), job.mem_per_rank);
    }
    user_type_ = FindTypeId(graph_->node_types(), config_.user_type());
    item_type_ = FindTypeId(graph_->node_types(), config_.item_type());
    k_ = comm.size();
    local_batch_ = (config_.batch_size() + k_ - 1) / k_;
    SetUpModel();
  }

  TrainSummary Run();

 private:
  void SetUpModel();
  std::vector<Example> LocalExamples() const;
  // Sorted unique GLOBAL ids of the owned nodes' neighbours under `relations`.
  std::vector<NodeId> OwnedNeighbors(const RelationSet& relations) const;
  // One GNN batch's seeds, negatives and sampled subgraph (the sampling half of a step; MPI).
  struct GnnPlan {
    int64_t epoch = -1, step = -1;
    std::vector<NodeId> users, positives, negs;
    std::vector<int64_t> pos_ids, neg_ids;
    std::vector<float> pos_logq, neg_logq;
    SampledSubgraph sg;
  };
  GnnPlan PlanGnnBatch(int64_t epoch, int64_t step, std::span<const Example> batch);
  // `next`: the batch of step + 1 of the same epoch, sampled during this step's compute (when
  // job_.overlap_sampling); nullptr at an epoch's last step.
  double GnnStep(int64_t epoch, int64_t step, std::span<const Example> batch, int64_t global_batch,
                 const std::span<const Example>* next);
  double SgnsStep(int64_t epoch, int64_t step, std::span<const SkipGramPair> batch, int64_t global_batch);
  void PushAndApply(ShardedEmbeddingTable& table, SparseOptimizer& opt, std::span<const NodeId> graph_ids,
                    std::span<const float> grads);
  std::vector<float> Infer();           // owned rows x dim, in global id order
  void WriteRun(const std::vector<float>& rows, int64_t epoch);
  std::optional<std::pair<double, double>> Evaluate();
  void SaveCheckpoint(int64_t epoch, int64_t step_in_epoch);
  bool Restore(int64_t* epoch, int64_t* step_in_epoch);
  std::vector<NodeId> GlobalIds(std::span<const NodeId> graph_ids) const {
    std::vector<NodeId> g(graph_ids.size());
    for (size_t i = 0; i < g.size(); ++i) g[i] = graph_->GlobalId(graph_ids[i]);
    return g;
  }
  void Progress(int64_t epoch, int64_t step, int64_t steps, double loss, bool final);

  Communicator& comm_;
  TrainJob job_;
  TrainConfig config_;
  std::unique_ptr<DistGraph> graph_;
  std::unique_ptr<Graph> full_graph_;
  std::string graph_dir_;
  TypeId user_type_ = 0, item_type_ = 0;
  int k_ = 1;
  int64_t local_batch_ = 1;

  // Model state.
  std::unique_ptr<ShardedEmbeddingTable> table_;    // input / centre vectors
  std::unique_ptr<ShardedEmbeddingTable> context_;  // SGNS context vectors
  std::unique_ptr<SparseOptimizer> optimizer_;
  std::unique_ptr<KgnnModel> kgnn_;
  std::unique_ptr<DenseOptimizer> dense_optimizer_;
  std::unique_ptr<NegativeTables> negatives_;
  std::unique_ptr<DistNeighborSampler> sampler_;  // created on first use, dropped for inference
  NeighborSamplerOptions sampler_options_;
  std::vector<RelationSet> hop_relations_;
  std::vector<float> degree_;  // propagation degree per graph id (LightGCN normalisation)
  RelationSet propagation_;
  std::unique_ptr<OpenedWalkShard> walk_shard_;
  std::vector<Metapath> metapaths_;  // SGNS; one empty (unrestricted) schema for DeepWalk

  std::vector<Example> examples_;
  int64_t global_step_ = 0;
  Tape tape_;
  std::optional<GnnPlan> prefetched_;  // the plan of the next step, sampled during this one
  // Per-epoch timers.
  double sample_s_ = 0, exchange_s_ = 0, compute_s_ = 0;
  Clock::time_point start_ = Clock::now(), last_progress_ = Clock::now();
};

void Trainer::SetUpModel() {
  const int64_t dim = config_.dim();
  std::vector<NodeId> original(static_cast<size_t>(graph_->shard().num_owned()));
  for (size_t i = 0; i < original.size(); ++i)
    original[i] = graph_->shard().original_id(graph_->shard().begin() + static_cast<NodeId>(i));
  std::vector<int64_t> offsets(graph_->shard().offsets().begin(), graph_->shard().offsets().end());
  // Hub replicas of the partition (if any) with replicate_embeddings: every rank keeps their
  // embedding rows too, so pulls of them stay local; their gradients reach every rank
  // (worker/embedding_table.h). The samplers use the replicated adjacency regardless.
  std::span<const NodeId> replica_ids, replica_original;
  if (graph_->uses_replicas() && config_.replicate_embeddings()) {
    replica_ids = graph_->shard().replica_ids();
    replica_original = graph_->shard().replica_original_ids();
  }
  table_ = std::make_unique<ShardedEmbeddingTable>(comm_, offsets, static_cast<int>(dim), original, config_.seed(),
                                                   config_.init_stddev(), replica_ids, replica_original);
  optimizer_ = std::make_unique<SparseOptimizer>(SparseOptions(config_));
  table_->InitOptimizerState(*optimizer_);

  NegativeSamplerOptions neg;
  neg.seed = config_.seed();
  neg.power = config_.negative_power();
  if (config_.model() == TrainConfig::SGNS) {
    // Context vectors start at zero (word2vec); a different seed tag keeps them independent anyway.
    context_ = std::make_unique<ShardedEmbeddingTable>(comm_, offsets, static_cast<int>(dim), original,
                                                       HashCombine(config_.seed(), 0x63747874ULL), 0.0f, replica_ids,
                                                       replica_original);
    context_->InitOptimizerState(*optimizer_);
    walk_shard_ = std::make_unique<OpenedWalkShard>(OpenWalkShard(job_.partition_dir, comm_.rank()));
    if (config_.metapaths_size() == 0) metapaths_.push_back(ParseMetapath("", walk_shard_->node_types, walk_shard_->relations));
    for (const std::string& mp : config_.metapaths())
      metapaths_.push_back(ParseMetapath(mp, walk_shard_->node_types, walk_shard_->relations));
    negatives_ = std::make_unique<NegativeTables>(NegativeTables::Build(*graph_, neg));
    return;
  }
  const int layers = config_.fanouts_size() > 0 ? config_.fanouts_size() : config_.layers();
  hop_relations_ = HopRelations(config_, graph_->relations(), static_cast<size_t>(layers));
  propagation_ = UnionOf(hop_relations_);
  neg.degree_relations = propagation_;
  negatives_ = std::make_unique<NegativeTables>(NegativeTables::Build(*graph_, neg));
  degree_.resize(negatives_->degrees().size());
  for (size_t v = 0; v < degree_.size(); ++v) degree_[v] = static_cast<float>(negatives_->degrees()[v]);
  NeighborSamplerOptions so;
  for (int h = layers - 1; h >= 0; --h) so.fanouts.push_back(h < config_.fanouts_size() ? config_.fanouts(h) : -1);
  so.relations = hop_relations_;
  so.seed = config_.seed();
  sampler_options_ = so;
  sampler_ = std::make_unique<DistNeighborSampler>(*graph_, so);
  if (config_.model() == TrainConfig::KGNN) {
    std::vector<RelationId> rels;
    if (propagation_.all)
      for (size_t r = 0; r < graph_->relations().size(); ++r) rels.push_back(static_cast<RelationId>(r));
    else
      rels = propagation_.ids;
    kgnn_ = std::make_unique<KgnnModel>(dim, layers, rels, config_.attention_slope(), config_.seed(),
                                        config_.kgnn_aggregator() == TrainConfig::NORMALIZED_ATTENTION
                                            ? KgnnAggregator::kNormalized
                                            : KgnnAggregator::kConcat);
    dense_optimizer_ = std::make_unique<DenseOptimizer>(DenseOptions(config_), kgnn_->params().size());
  }
}

std::vector<Example> Trainer::LocalExamples() const {
  const RelationSet target = graph_->relations().Resolve(config_.target_relation());
  const TypeRange& items = graph_->node_types()[item_type_];
  std::vector<Example> out;
  for (NodeId u : graph_->SeedGraphIds()) {
    if (!InType(graph_->node_types()[user_type_], u)) continue;
    const RowSpans row = graph_->OwnedRow(u);
    for (int64_t i = 0; i < row.size(); ++i) {
      if (!target.Contains(row.relation[static_cast<size_t>(i)])) continue;
      const NodeId item = graph_->GraphIdOfGlobal(row.neighbor[static_cast<size_t>(i)]);
      if (InType(items, item)) out.push_back({u, item});
    }
  }
  return out;
}

void Trainer::PushAndApply(ShardedEmbeddingTable& table, SparseOptimizer& opt, std::span<const NodeId> graph_ids,
                           std::span<const float> grads) {
  const std::vector<NodeId> gids = GlobalIds(graph_ids);
  table.ApplyGradients(opt, table.Push(gids, grads), global_step_ + 1);
}

Trainer::GnnPlan Trainer::PlanGnnBatch(int64_t epoch, int64_t step, std::span<const Example> batch) {
  const bool softmax = config_.loss() == TrainConfig::SAMPLED_SOFTMAX;
  const NodeId n_all = graph_->num_nodes();
  auto t0 = Clock::now();
  GnnPlan p;
  p.epoch = epoch;
  p.step = step;
  // Seeds: users, positives, negatives (graph ids).
  for (const Example& e : batch) p.users.push_back(e.user), p.positives.push_back(e.item);
  const AliasTable& alias = negatives_->table(item_type_);
  const double power = config_.negative_power();
  auto logq = [&](NodeId v) {
    const double w = std::pow(std::max<double>(1.0, static_cast<double>(negatives_->degrees()[static_cast<size_t>(v)])), power);
    return static_cast<float>(std::log(w / alias.total_weight()));
  };
  if (softmax) {
    for (NodeId v : p.positives) p.pos_ids.push_back(v), p.pos_logq.push_back(logq(v));
    if (!batch.empty() && config_.negatives() > 0) {
      p.negs.resize(static_cast<size_t>(config_.negatives()));
      const int64_t key = static_cast<int64_t>(batch.front().user) * n_all + batch.front().item;
      negatives_->Draw(item_type_, epoch, step, key, config_.negatives(), p.negs.data());
      for (NodeId v : p.negs) p.neg_ids.push_back(v), p.neg_logq.push_back(logq(v));
    }
  } else {
    p.negs.resize(batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      negatives_->Draw(item_type_, epoch, step, static_cast<int64_t>(batch[i].user) * n_all + batch[i].item, 1, &p.negs[i]);
  }
  std::vector<NodeId> seeds = p.users;
  seeds.insert(seeds.end(), p.positives.begin(), p.positives.end());
  seeds.insert(seeds.end(), p.negs.begin(), p.negs.end());
  if (!sampler_) sampler_ = std::make_unique<DistNeighborSampler>(*graph_, sampler_options_);
  sampler_->Sample(seeds, epoch, step, p.sg);
  sample_s_ += Since(t0);
  return p;
}

double Trainer::GnnStep(int64_t epoch, int64_t step, std::span<const Example> batch, int64_t global_batch,
                        const std::span<const Example>* next) {
  const bool softmax = config_.loss() == TrainConfig::SAMPLED_SOFTMAX;
  GnnPlan plan;
  if (prefetched_ && prefetched_->epoch == epoch && prefetched_->step == step)
    plan = std::move(*prefetched_);
  else
    plan = PlanGnnBatch(epoch, step, batch);
  prefetched_.reset();
  const SampledSubgraph& sg = plan.sg;
  const std::vector<NodeId>& users = plan.users;
  const std::vector<NodeId>& positives = plan.positives;
  const std::vector<NodeId>& negs = plan.negs;

  auto t0 = Clock::now();
  const std::vector<NodeId>& src = sg.blocks.front().src;
  std::vector<float> x = table_->Pull(GlobalIds(src));
  exchange_s_ += Since(t0);
  // KGNN item ID dropout: the dropped items' rows enter as zeros and get no gradient.
  std::vector<size_t> dropped;
  if (kgnn_ && config_.item_id_dropout() > 0) {
    const TypeRange& items = graph_->node_types()[item_type_];
    const size_t d = static_cast<size_t>(config_.dim());
    for (size_t i = 0; i < src.size(); ++i) {
      if (!InType(items, src[i])) continue;
      Rng rng(HashCombine(config_.seed(), kItemIdDropoutSalt, static_cast<uint64_t>(epoch), static_cast<uint64_t>(step),
                          static_cast<uint64_t>(src[i])));
      if (rng.UniformDouble() >= config_.item_id_dropout()) continue;
      std::fill(x.begin() + static_cast<std::ptrdiff_t>(i * d), x.begin() + static_cast<std::ptrdiff_t>((i + 1) * d), 0.0f);
      dropped.push_back(i);
    }
  }

  // Forward and backward: no MPI call in here, so it may run beside the next step's sampling.
  double loss_value = 0;
  std::vector<float> grad_x(x.size(), 0.0f);
  const auto compute = [&] {
    const auto c0 = Clock::now();
    const std::vector<NodeId>& dst = sg.blocks.back().dst;
    std::unordered_map<NodeId, int32_t> position;
    position.reserve(dst.size() * 2);
    for (size_t i = 0; i < dst.size(); ++i) position.emplace(dst[i], static_cast<int32_t>(i));
    auto positions = [&](const std::vector<NodeId>& v) {
      std::vector<int32_t> p(v.size());
      for (size_t i = 0; i < v.size(); ++i) p[i] = position.at(v[i]);
      return p;
    };
    const std::vector<int32_t> pu = positions(users), pp = positions(positives), pn = positions(negs);
    if (kgnn_) kgnn_->params().ZeroGrads();
    if (!batch.empty()) {
      Tape& t = tape_;
      t.Reset();
      const int64_t dim = config_.dim();
      Var x0 = t.ExternalLeaf(static_cast<int64_t>(src.size()), dim, x.data(), true);
      std::vector<Var> weights;
      Var out = kgnn_ ? (weights = kgnn_->WeightVars(t), kgnn_->Forward(t, sg, x0, weights, degree_))
                      : LightGcnForward(t, sg, x0, degree_);
      Var fu = Gather(t, out, pu), fp = Gather(t, out, pp);
      Var loss;
      if (softmax) {
        Var fn = negs.empty() ? Var{} : Gather(t, out, pn);
        SampledSoftmaxOptions so;
        so.temperature = config_.temperature();
        so.logq_correction = config_.logq_correction();
        SampledSoftmaxInputs in{fu, fp, fn, {}, plan.pos_ids, plan.neg_ids, plan.pos_logq, plan.neg_logq};
        loss = SampledSoftmaxLoss(t, in, so);
      } else {
        loss = BprLossFromEmbeddings(t, fu, fp, Gather(t, out, pn));
      }
      if (config_.l2() > 0) {
        Var ego = SliceRows(t, x0, 0, static_cast<int64_t>(dst.size()));
        std::vector<Var> reg{Gather(t, ego, pu), Gather(t, ego, pp)};
        if (!softmax) reg.push_back(Gather(t, ego, pn));
        loss = Add(t, loss, L2Loss(t, reg, config_.l2(), static_cast<float>(batch.size())));
      }
      // The global loss is the mean over the global batch: this rank's share of it.
      const float share = static_cast<float>(batch.size()) / static_cast<float>(global_batch);
      t.Backward(loss, share);
      loss_value = t.Scalar(loss) * share;
      auto g = t.Grad(x0);
      std::copy(g.data(), g.data() + g.size(), grad_x.begin());
      const size_t d = static_cast<size_t>(dim);
      for (size_t i : dropped)
        std::fill(grad_x.begin() + static_cast<std::ptrdiff_t>(i * d), grad_x.begin() + static_cast<std::ptrdiff_t>((i + 1) * d), 0.0f);
      if (kgnn_) kgnn_->AccumulateGradients(t, weights);
    }
    compute_s_ += Since(c0);
  };
  if (next && job_.overlap_sampling) {
    // The worker thread computes; this thread samples the next batch (all MPI stays here, as
    // MPI_THREAD_FUNNELED requires). Sampling reads only the graph, so the order does not change
    // any result.
    std::exception_ptr failure;
    std::thread worker([&] {
      try {
        compute();
      } catch (...) {
        failure = std::current_exception();
      }
    });
    try {
      prefetched_ = PlanGnnBatch(epoch, step + 1, *next);
    } catch (...) {
      worker.join();
      throw;
    }
    worker.join();
    if (failure) std::rethrow_exception(failure);
  } else {
    compute();
  }

  t0 = Clock::now();
  PushAndApply(*table_, *optimizer_, src, grad_x);
  if (kgnn_) {
    comm_.Allreduce(kgnn_->params().all_grads(), ReduceOp::kSum);
    dense_optimizer_->Step(kgnn_->params().all_values(), kgnn_->params().all_grads());
  }
  exchange_s_ += Since(t0);
  return comm_.Allreduce(loss_value, ReduceOp::kSum);
}

double Trainer::SgnsStep(int64_t epoch, int64_t step, std::span<const SkipGramPair> batch, int64_t global_batch) {
  const NodeId n_all = graph_->num_nodes();
  const int k = std::max(0, config_.negatives());
  auto t0 = Clock::now();
  std::vector<NodeId> centers, contexts(batch.size()), negs(batch.size() * static_cast<size_t>(k));
  const std::vector<NodeType> types = walk_shard_->node_types;
  for (size_t i = 0; i < batch.size(); ++i) {
    centers.push_back(batch[i].center);
    contexts[i] = batch[i].context;
    if (k > 0)
      negatives_->Draw(TypeOfNode(types, batch[i].context), epoch, step,
                       static_cast<int64_t>(batch[i].center) * n_all + batch[i].context, k, &negs[i * static_cast<size_t>(k)]);
  }
  sample_s_ += Since(t0);
  t0 = Clock::now();
  std::vector<NodeId> ctx_nodes = contexts;
  ctx_nodes.insert(ctx_nodes.end(), negs.begin(), negs.end());
  EmbeddingTable center_rows, context_rows;
  center_rows.dim = context_rows.dim = config_.dim();
  center_rows.values = table_->Pull(GlobalIds(centers));
  center_rows.rows = static_cast<int64_t>(centers.size());
  context_rows.values = context_->Pull(GlobalIds(ctx_nodes));
  context_rows.rows = static_cast<int64_t>(ctx_nodes.size());
  exchange_s_ += Since(t0);

  t0 = Clock::now();
  std::vector<int64_t> ci(batch.size()), oi(batch.size()), ni(negs.size());
  for (size_t i = 0; i < batch.size(); ++i) ci[i] = static_cast<int64_t>(i), oi[i] = static_cast<int64_t>(i);
  for (size_t i = 0; i < negs.size(); ++i) ni[i] = static_cast<int64_t>(batch.size() + i);
  SkipGramGradients grads;
  std::vector<float> gc(center_rows.values.size(), 0.0f), go(context_rows.values.size(), 0.0f);
  double loss = 0;
  if (!batch.empty()) {
    SkipGramStep(center_rows, context_rows, {ci, oi, ni, k}, &grads);
    const float share = static_cast<float>(batch.size()) / static_cast<float>(global_batch);
    const size_t d = static_cast<size_t>(config_.dim());
    for (int64_t r = 0; r < grads.center.size(); ++r)
      for (size_t j = 0; j < d; ++j) gc[static_cast<size_t>(grads.center.rows[static_cast<size_t>(r)]) * d + j] = grads.center.row(r)[j] * share;
    for (int64_t r = 0; r < grads.context.size(); ++r)
      for (size_t j = 0; j < d; ++j) go[static_cast<size_t>(grads.context.rows[static_cast<size_t>(r)]) * d + j] = grads.context.row(r)[j] * share;
    loss = grads.loss * share;
  }
  compute_s_ += Since(t0);
  t0 = Clock::now();
  PushAndApply(*table_, *optimizer_, centers, gc);
  PushAndApply(*context_, *optimizer_, ctx_nodes, go);
  exchange_s_ += Since(t0);
  return comm_.Allreduce(loss, ReduceOp::kSum);
}

std::vector<NodeId> Trainer::OwnedNeighbors(const RelationSet& relations) const {
  const PartitionShard& shard = graph_->shard();
  std::vector<NodeId> out;
  for (NodeId g = shard.begin(); g < shard.end(); ++g) {
    const RowSpans row = graph_->OwnedRowOfGlobal(g);
    for (int64_t e = 0; e < row.size(); ++e)
      if (relations.Contains(row.relation[static_cast<size_t>(e)])) out.push_back(row.neighbor[static_cast<size_t>(e)]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<float> Trainer::Infer() {
  // Training's tape and the sampler's exchange buffers are not needed here; kept, they would add
  // a whole step to the inference peak (worker/memory_plan.h counts the two phases apart). The
  // sampler is re-created if training continues (its samples depend on no state it keeps).
  tape_.Release();
  prefetched_.reset();
  sampler_.reset();
#ifdef __GLIBC__
  // Freed heap pages stay resident until trimmed (glibc keeps buffers under its mmap threshold
  // in the heap): hand them back, or inference would sit on top of the training step's bytes.
  malloc_trim(0);
#endif
  const int64_t dim = config_.dim();
  const PartitionShard& shard = graph_->shard();
  const size_t owned = static_cast<size_t>(shard.num_owned());
  if (config_.model() == TrainConfig::SGNS) return std::vector<float>(table_->owned_values().begin(), table_->owned_values().end());
  if (config_.model() == TrainConfig::LIGHTGCN) {
    // Layer-wise: E_{l+1}[v] = sum_{u in N(v)} E_l[u] / sqrt(deg_u deg_v), output = mean of layers.
    const std::vector<NodeId> neighbors = OwnedNeighbors(propagation_);
    std::vector<float> layer(table_->owned_values().begin(), table_->owned_values().end());
    std::vector<float> sum = layer;
    const int layers = static_cast<int>(hop_relations_.size());
    for (int l = 0; l < layers; ++l) {
      const std::vector<float> pulled = table_->PullFrom(layer, neighbors);
      std::vector<float> next(layer.size(), 0.0f);
      for (size_t i = 0; i < owned; ++i) {
        const NodeId g = shard.begin() + static_cast<NodeId>(i);
        const float dv = degree_[static_cast<size_t>(graph_->GraphIdOfGlobal(g))];
        if (dv <= 0) continue;
        const RowSpans row = graph_->OwnedRowOfGlobal(g);
        float* out = next.data() + i * static_cast<size_t>(dim);
        for (int64_t e = 0; e < row.size(); ++e) {
          if (!propagation_.Contains(row.relation[static_cast<size_t>(e)])) continue;
          const NodeId u = row.neighbor[static_cast<size_t>(e)];
          const float du = degree_[static_cast<size_t>(graph_->GraphIdOfGlobal(u))];
          if (du <= 0) continue;
          const float w = 1.0f / std::sqrt(du * dv);
          const size_t pos = static_cast<size_t>(std::lower_bound(neighbors.begin(), neighbors.end(), u) - neighbors.begin());
          const float* in = pulled.data() + pos * static_cast<size_t>(dim);
          for (int64_t j = 0; j < dim; ++j) out[j] += w * in[j];
        }
      }
      layer = std::move(next);
      for (size_t j = 0; j < sum.size(); ++j) sum[j] += layer[j];
    }
    for (float& v : sum) v /= static_cast<float>(layers + 1);
    return sum;
  }
  // KGNN, layer by layer: layer l (blocks[l] in training, i.e. the sampler's hop L-1-l) is
  // applied to every owned node with its FULL neighbourhood under that hop's relations; the
  // neighbours' layer-l rows are pulled once per layer. Output: the mean of layers 0..L.
  const int layers = static_cast<int>(hop_relations_.size());
  std::vector<float> layer(table_->owned_values().begin(), table_->owned_values().end());
  const size_t d = static_cast<size_t>(dim);
  if (config_.item_id_dropout() > 0) {
    // Items without any target-relation edge never trained their ID row: drop it, as training
    // taught the model to do without.
    const TypeRange& items = graph_->node_types()[item_type_];
    const RelationSet heard = graph_->relations().Resolve("rev_" + config_.target_relation());
    for (size_t i = 0; i < owned; ++i) {
      const NodeId g = shard.begin() + static_cast<NodeId>(i);
      if (!InType(items, graph_->GraphIdOfGlobal(g))) continue;
      const RowSpans row = graph_->OwnedRowOfGlobal(g);
      bool warm = false;
      for (int64_t e = 0; e < row.size() && !warm; ++e) warm = heard.Contains(row.relation[static_cast<size_t>(e)]);
      if (!warm) std::fill(layer.begin() + static_cast<std::ptrdiff_t>(i * d), layer.begin() + static_cast<std::ptrdiff_t>((i + 1) * d), 0.0f);
    }
  }
  std::vector<float> sum = layer;
  constexpr size_t kChunk = 512;
  for (int l = 0; l < layers; ++l) {
    const RelationSet& rels = hop_relations_[static_cast<size_t>(layers - 1 - l)];
    const std::vector<NodeId> neighbors = OwnedNeighbors(rels);
    const std::vector<float> pulled = table_->PullFrom(layer, neighbors);
    std::vector<float> next(layer.size(), 0.0f);
    for (size_t c0 = 0; c0 < owned; c0 += kChunk) {
      const size_t c1 = std::min(owned, c0 + kChunk);
      // One block: dst = the chunk, src = dst then each other neighbour once (row order).
      Block b;
      std::unordered_map<NodeId, int32_t> src_index;  // global id -> index in src
      for (size_t i = c0; i < c1; ++i) {
        const NodeId g = shard.begin() + static_cast<NodeId>(i);
        b.dst.push_back(graph_->GraphIdOfGlobal(g));
        b.src.push_back(b.dst.back());
        src_index.emplace(g, static_cast<int32_t>(i - c0));
      }
      std::vector<const float*> src_rows;
      for (size_t i = c0; i < c1; ++i) src_rows.push_back(layer.data() + i * d);
      b.edge_offsets.push_back(0);
      for (size_t i = c0; i < c1; ++i) {
        const RowSpans row = graph_->OwnedRowOfGlobal(shard.begin() + static_cast<NodeId>(i));
        for (int64_t e = 0; e < row.size(); ++e) {
          const RelationId r = row.relation[static_cast<size_t>(e)];
          if (!rels.Contains(r)) continue;
          const NodeId u = row.neighbor[static_cast<size_t>(e)];
          auto [it, fresh] = src_index.emplace(u, static_cast<int32_t>(b.src.size()));
          if (fresh) {
            b.src.push_back(graph_->GraphIdOfGlobal(u));
            const size_t pos = static_cast<size_t>(std::lower_bound(neighbors.begin(), neighbors.end(), u) - neighbors.begin());
            src_rows.push_back(pulled.data() + pos * d);
          }
          b.edge_src.push_back(it->second);
          b.edge_relation.push_back(r);
          b.edge_weight.push_back(row.weight[static_cast<size_t>(e)]);
        }
        b.edge_offsets.push_back(static_cast<int64_t>(b.edge_src.size()));
      }
      std::vector<float> h_src(src_rows.size() * d);
      for (size_t i = 0; i < src_rows.size(); ++i) std::copy(src_rows[i], src_rows[i] + d, h_src.begin() + static_cast<ptrdiff_t>(i * d));
      Tape t;
      Var h = t.ExternalLeaf(static_cast<int64_t>(src_rows.size()), dim, h_src.data(), false);
      const std::vector<Var> w = kgnn_->WeightVars(t);
      auto v = t.Value(kgnn_->Layer(t, b, h, l, w, degree_));
      std::copy(v.data(), v.data() + v.size(), next.begin() + static_cast<ptrdiff_t>(c0 * d));
    }
    layer = std::move(next);
    for (size_t j = 0; j < sum.size(); ++j) sum[j] += layer[j];
  }
  for (float& v : sum) v /= static_cast<float>(layers + 1);
  return sum;
}

void Trainer::WriteRun(const std::vector<float>& rows, int64_t epoch) {
  RunInfo info = RunInfo::ForGraph(*full_graph_, graph_dir_, config_.dim(), k_);
  info.model = ModelKindName(config_.model());
  info.epoch = epoch;
  info.step = global_step_;
  info.seed = config_.seed();
  const PartitionShard& shard = graph_->shard();
  {
    RunShardWriter writer(job_.out_dir, comm_.rank(), info, comm_.rank());
    const size_t d = static_cast<size_t>(config_.dim());
    for (NodeId i = 0; i < shard.num_owned(); ++i)
      writer.Add(shard.original_id(shard.begin() + i), std::span<const float>(rows.data() + static_cast<size_t>(i) * d, d));
    writer.Commit();
  }
  comm_.Barrier();
  if (comm_.rank() == 0) FinalizeRun(job_.out_dir, info);
  comm_.Barrier();
}

std::optional<std::pair<double, double>> Trainer::Evaluate() {
  if (comm_.rank() != 0 || job_.test_path.empty()) return std::nullopt;
  const Interactions train = Interactions::FromGraph(*full_graph_, config_.user_type(), config_.item_type(), config_.target_relation());
  const TestSet test = ReadTestSet(job_.test_path, *full_graph_, config_.user_type(), config_.item_type());
  EmbeddingScorer scorer(LoadEmbeddings(job_.out_dir, *full_graph_, config_.user_type()),
                         LoadEmbeddings(job_.out_dir, *full_graph_, config_.item_type()), "run");
  EvalOptions o;
  o.ks = {config_.eval_k()};
  const EvalResult r = ::melograph::Evaluate(train, test, scorer, o);
  return std::make_pair(r.recall[0], r.ndcg[0]);
}

void Trainer::SaveCheckpoint(int64_t epoch, int64_t step_in_epoch) {
  CheckpointState s;
  s.PutArrayView<float>("table.values", table_->local().values);
  s.PutArrayView<float>("table.state1", table_->local().state1);
  s.PutArrayView<float>("table.state2", table_->local().state2);
  if (context_) {
    s.PutArrayView<float>("context.values", context_->local().values);
    s.PutArrayView<float>("context.state1", context_->local().state1);
    s.PutArrayView<float>("context.state2", context_->local().state2);
  }
  if (kgnn_) {
    s.PutArrayView<float>("dense.values", kgnn_->params().all_values());
    s.PutArray<float>("dense.m", dense_optimizer_->first_moment());
    s.PutArray<float>("dense.v", dense_optimizer_->second_moment());
    s.PutValue<int64_t>("dense.step", dense_optimizer_->step());
  }
  s.PutValue<int64_t>("epoch", epoch);
  s.PutValue<int64_t>("step_in_epoch", step_in_epoch);
  s.PutValue<int64_t>("global_step", global_step_);
  WriteCheckpoint(comm_, job_.out_dir, {global_step_, epoch, config_.seed()}, s, 2);
}

bool Trainer::Restore(int64_t* epoch, int64_t* step_in_epoch) {
  const int64_t step = FindResumeStep(comm_, job_.out_dir);
  if (step < 0) return false;
  const CheckpointState s = LoadCheckpoint(job_.out_dir, step, comm_.rank());
  auto load = [&](const std::string& name, std::vector<float>& into) {
    std::vector<float> v = s.GetArray<float>(name);
    if (v.size() != into.size())
      throw FormatError(CheckpointRankFile(job_.out_dir, step, comm_.rank()) + ": section '" + name + "' has " +
                        std::to_string(v.size()) + " values, this job needs " + std::to_string(into.size()) +
                        " (different config or partition?)");
    into = std::move(v);
  };
  load("table.values", table_->local().values);
  load("table.state1", table_->local().state1);
  load("table.state2", table_->local().state2);
  if (context_) {
    load("context.values", context_->local().values);
    load("context.state1", context_->local().state1);
    load("context.state2", context_->local().state2);
  }
  // Checkpoints hold owned rows only: the hub replicas are copied back from their owners.
  table_->RefreshReplicas();
  if (context_) context_->RefreshReplicas();
  if (kgnn_) {
    std::vector<float> dense = s.GetArray<float>("dense.values");
    auto all = kgnn_->params().all_values();
    if (dense.size() != all.size()) throw FormatError("checkpoint: dense parameter size differs from this config");
    std::copy(dense.begin(), dense.end(), all.begin());
    load("dense.m", dense_optimizer_->first_moment());
    load("dense.v", dense_optimizer_->second_moment());
    dense_optimizer_->set_step(s.GetValue<int64_t>("dense.step"));
  }
  *epoch = s.GetValue<int64_t>("epoch");
  *step_in_epoch = s.GetValue<int64_t>("step_in_epoch");
  global_step_ = s.GetValue<int64_t>("global_step");
  if (comm_.rank() == 0)
    LogInfo("resuming from checkpoint step " + std::to_string(global_step_) + " (epoch " + std::to_string(*epoch) +
            ", step " + std::to_string(*step_in_epoch) + " of the epoch)");
  return true;
}

void Trainer::Progress(int64_t epoch, int64_t step, int64_t steps, double loss, bool final) {
  if (comm_.rank() != 0 || job_.quiet) return;
  if (!final && Since(last_progress_) < 2.0) return;
  last_progress_ = Clock::now();
  const double elapsed = Since(start_);
  const double done = static_cast<double>((epoch - 1) * steps + step);
  const double total = static_cast<double>(config_.epochs() * steps);
  const double eta = done > 0 ? elapsed * (total - done) / done : 0;
  std::fprintf(stderr, "\repoch %lld/%d step %lld/%lld loss %.5f %.0f examples/s ETA %.0fs   %s",
               static_cast<long long>(epoch), config_.epochs(), static_cast<long long>(step), static_cast<long long>(steps),
               loss, done * static_cast<double>(config_.batch_size()) / std::max(elapsed, 1e-9), eta, final ? "\n" : "");
  std::fflush(stderr);
}

TrainSummary Trainer::Run() {
  TrainSummary summary;
  MakeDirectories(job_.out_dir);
  if (comm_.rank() == 0) {
    WriteWholeFile(JoinPath(job_.out_dir, "config.pbtxt"), FormatTrainConfig(config_));
    WriteWholeFile(JoinPath(job_.out_dir, "train_info.txt"),
                   "model: " + ModelKindName(config_.model()) + "\npartition: " + job_.partition_dir +
                       "\ngraph: " + graph_dir_ + "\nranks: " + std::to_string(k_) + "\nconfig: " + job_.config_path + "\n");
  }
  int64_t first_epoch = 1, first_step = 0;
  if (job_.resume) {
    if (!Restore(&first_epoch, &first_step)) {
      if (comm_.rank() == 0) LogInfo("--resume: no usable checkpoint in " + job_.out_dir + ", starting from scratch");
    }
  }
  TruncateMetrics(MetricsPath(job_.out_dir, comm_.rank()), first_epoch);
  if (config_.model() != TrainConfig::SGNS) examples_ = LocalExamples();
  const int64_t global_examples = comm_.Allreduce(static_cast<int64_t>(examples_.size()), ReduceOp::kSum);
  if (config_.model() != TrainConfig::SGNS && global_examples == 0)
    throw UsageError("train: no " + config_.target_relation() + " edges from " + config_.user_type() + " to " +
                     config_.item_type() + " in " + job_.partition_dir);
  const std::vector<Example> base_examples = examples_;
  const auto run_start = Clock::now();
  for (int64_t epoch = first_epoch; epoch <= config_.epochs(); ++epoch) {
    const auto epoch_start = Clock::now();
    sample_s_ = exchange_s_ = compute_s_ = 0;
    comm_.ResetCounters();
    std::vector<SkipGramPair> pairs;
    int64_t local_n = 0;
    if (config_.model() == TrainConfig::SGNS) {
      auto t0 = Clock::now();
      WalkOptions wo;
      wo.walk_length = config_.walk_length();
      wo.walks_per_node = config_.walks_per_node();
      wo.seed = config_.seed();
      wo.epoch = static_cast<uint64_t>(epoch);
      Walks walks;
      for (const Metapath& mp : metapaths_) {
        std::vector<NodeId> starts;
        if (mp.types.empty()) {
          for (NodeId i = 0; i < graph_->shard().num_owned(); ++i)
            starts.push_back(graph_->shard().original_id(graph_->shard().begin() + i));
        } else {
          starts = OwnedNodesOfType(walk_shard_->view(), mp.types.front());
        }
        const Walks w = DistributedRandomWalks(comm_, walk_shard_->view(), mp, starts, wo);
        for (int64_t i = 0; i < w.num_walks(); ++i) {
          walks.start.push_back(w.start[static_cast<size_t>(i)]);
          walks.repetition.push_back(w.repetition[static_cast<size_t>(i)]);
          const auto path = w.walk(i);
          walks.nodes.insert(walks.nodes.end(), path.begin(), path.end());
          walks.offsets.push_back(static_cast<int64_t>(walks.nodes.size()));
        }
      }
      SkipGramOptions sk;
      sk.window = config_.window();
      pairs = SkipGramPairs(walks, walk_shard_->node_types, sk);
      // Shuffle the pairs by a key of (seed, epoch, pair contents, position).
      pairs = ShuffledByKey(pairs, [&](const SkipGramPair& p, size_t i) {
        return HashCombine(config_.seed(), kOrderTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(p.center),
                           static_cast<uint64_t>(p.context), i);
      });
      local_n = static_cast<int64_t>(pairs.size());
      sample_s_ += Since(t0);
    } else {
      // Order drawn from (seed, epoch, user, item): a function of the examples only.
      examples_ = ShuffledByKey(base_examples, [&](const Example& e, size_t) {
        return HashCombine(config_.seed(), kOrderTag, static_cast<uint64_t>(epoch), static_cast<uint64_t>(e.user),
                           static_cast<uint64_t>(e.item));
      });
      local_n = static_cast<int64_t>(examples_.size());
    }
    const int64_t steps = comm_.Allreduce((local_n + local_batch_ - 1) / local_batch_, ReduceOp::kMax);
    double loss_sum = 0;
    int64_t loss_steps = 0;
    const int64_t start_step = epoch == first_epoch ? first_step : 0;
    for (int64_t step = start_step; step < steps; ++step) {
      const int64_t b0 = std::min(local_n, step * local_batch_), b1 = std::min(local_n, (step + 1) * local_batch_);
      const int64_t global_batch = comm_.Allreduce(b1 - b0, ReduceOp::kSum);
      double loss = 0;
      if (config_.model() == TrainConfig::SGNS)
        loss = SgnsStep(epoch, step, std::span<const SkipGramPair>(pairs).subspan(static_cast<size_t>(b0), static_cast<size_t>(b1 - b0)),
                        std::max<int64_t>(1, global_batch));
      else {
        // The next step's batch (sampled during this step's compute); none after the last step
        // of the epoch or when this step stops the run.
        const int64_t n0 = std::min(local_n, (step + 1) * local_batch_), n1 = std::min(local_n, (step + 2) * local_batch_);
        const std::span<const Example> next =
            std::span<const Example>(examples_).subspan(static_cast<size_t>(n0), static_cast<size_t>(n1 - n0));
        const bool last = step + 1 >= steps || (job_.max_steps > 0 && global_step_ + 1 >= job_.max_steps);
        loss = GnnStep(epoch, step, std::span<const Example>(examples_).subspan(static_cast<size_t>(b0), static_cast<size_t>(b1 - b0)),
                       std::max<int64_t>(1, global_batch), last ? nullptr : &next);
      }
      ++global_step_;
      summary.examples += b1 - b0;
      loss_sum += loss;
      ++loss_steps;
      summary.last_loss = loss;
      Progress(epoch, step + 1, steps, loss_sum / static_cast<double>(loss_steps), false);
      const bool stop = job_.max_steps > 0 && global_step_ >= job_.max_steps;
      if ((config_.checkpoint_every_steps() > 0 && global_step_ % config_.checkpoint_every_steps() == 0) || stop) {
        // A checkpoint inside an epoch resumes at the next step of the same epoch.
        SaveCheckpoint(step + 1 < steps ? epoch : epoch + 1, step + 1 < steps ? step + 1 : 0);
      }
      if (stop) {
        summary.stopped_early = true;
        summary.bytes_sent = comm_.total_exchanged().bytes_sent;
        summary.steps = global_step_;
        summary.seconds = Since(run_start);
        Progress(epoch, step + 1, steps, loss_sum / static_cast<double>(loss_steps), true);
        return summary;
      }
    }
    Progress(epoch, steps, steps, loss_steps ? loss_sum / static_cast<double>(loss_steps) : 0, true);
    EpochMetrics m;
    m.epoch = epoch;
    m.steps = steps - start_step;
    m.examples = local_n;
    m.loss = loss_steps ? loss_sum / static_cast<double>(loss_steps) : 0;
    m.sample_seconds = sample_s_;
    m.exchange_seconds = exchange_s_;
    m.compute_seconds = compute_s_;
    m.bytes_sent = comm_.total_exchanged().bytes_sent;
    summary.bytes_sent = m.bytes_sent;
    m.bytes_received = comm_.total_exchanged().bytes_received;
    m.eval_k = config_.eval_k();
    if (config_.eval_every_epochs() > 0 && epoch % config_.eval_every_epochs() == 0 && epoch < config_.epochs()) {
      WriteRun(Infer(), epoch);
      if (auto r = Evaluate()) {
        m.recall = r->first;
        m.ndcg = r->second;
        if (!job_.quiet)
          std::fprintf(stderr, "epoch %lld: recall@%d %.4f ndcg@%d %.4f\n", static_cast<long long>(epoch), config_.eval_k(),
                       r->first, config_.eval_k(), r->second);
      }
    }
    m.seconds = Since(epoch_start);
    SaveCheckpoint(epoch + 1, 0);
    m.peak_rss_bytes = PeakRssBytes();  // after the epoch's checkpoint: its buffers count
    m.rss_bytes = CurrentRssBytes();
    AppendEpochMetrics(MetricsPath(job_.out_dir, comm_.rank()), m);
    summary.epochs = epoch;
  }
  WriteRun(Infer(), config_.epochs());
  if (config_.eval_every_epochs() > 0) {
    if (auto r = Evaluate()) {
      const std::string path = MetricsPath(job_.out_dir, 0);
      std::vector<EpochMetrics> rows = ReadMetricsFile(path);
      if (!rows.empty() && !rows.back().recall) {
        rows.back().recall = r->first;
        rows.back().ndcg = r->second;
        TruncateMetrics(path, rows.back().epoch);
        AppendEpochMetrics(path, rows.back());
      }
      if (!job_.quiet)
        std::fprintf(stderr, "final: recall@%d %.4f ndcg@%d %.4f\n", config_.eval_k(), r->first, config_.eval_k(), r->second);
    }
  }
  summary.steps = global_step_;
  summary.seconds = Since(run_start);
  return summary;
}

}  // namespace

TrainSummary RunTraining(Communicator& comm, const TrainJob& job) {
  // A step allocates and frees buffers of 1-30 MB (pulled rows, gradients, exchange). Served by
  // fresh mmaps they cost a page fault per 4 KiB every step (+0.7 s, +13%, on a Last.fm epoch).
  // glibc raises its mmap threshold to 32 MiB only after freeing such a mapping, which made the
  // speed depend on the allocation history; fix it at the value it converges to (and the trim
  // threshold at twice that, as the dynamic rule does), so such buffers are reused from the heap.
  FixMallocThresholds(int64_t{32} << 20);
  Trainer trainer(comm, job);
  return trainer.Run();
}

}  // namespace melograph
