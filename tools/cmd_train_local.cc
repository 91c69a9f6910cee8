// `melograph train-local --graph GRAPHDIR --config FILE --out RUN [--test test.tsv]`: the
// SINGLE-PROCESS REFERENCE TRAINER (model/serial_trainer.h). Full-graph training on one
// machine, for quality work and as the serial reference of `mpirun ... melograph train`; it
// writes a 1-shard run directory (recall/run_format.h) that `melograph eval --run RUN` reads.
// With --test and eval_every_epochs (config or --eval-every), it evaluates during training
// with the eval protocol of docs/EVAL.md and prints recall/ndcg at eval_k.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "graph/graph_io.h"
#include "model/serial_trainer.h"
#include "model/train_config.h"
#include "recall/embedding_scorer.h"
#include "recall/evaluator.h"
#include "recall/interactions.h"
#include "recall/run_format.h"
#include "recall/test_set.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

EmbeddingMatrix Slice(const EmbeddingTable& table, const Graph& graph, const std::string& type) {
  const auto t = graph.FindType(type);
  if (!t) throw UsageError("the graph has no node type '" + type + "'");
  const NodeType& nt = graph.node_types()[*t];
  EmbeddingMatrix m;
  m.node_type = type;
  m.first_node = nt.begin;
  m.rows = nt.count;
  m.dim = static_cast<int>(table.dim);
  m.values.assign(table.values.begin() + static_cast<int64_t>(nt.begin) * table.dim,
                  table.values.begin() + static_cast<int64_t>(nt.begin + nt.count) * table.dim);
  return m;
}

}  // namespace

void RegisterTrainLocal(CLI::App& app) {
  struct Options {
    std::string graph, config, out, test;
    int eval_every = -1, epochs = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "train-local",
      "Single-process reference trainer: full-graph LightGCN on one machine (no MPI), written "
      "as a 1-shard run directory for eval/export/recall. Use `mpirun ... melograph train` for "
      "distributed training.");
  cmd->add_option("--graph", o->graph, "Training graph directory (build-graph output).")
      ->required();
  cmd->add_option("--config", o->config,
                  "Training config, Protobuf text (proto/train_config.proto; presets in "
                  "cluster/presets/).")
      ->required();
  cmd->add_option("--out", o->out, "Run directory to write.")->required();
  cmd->add_option("--test", o->test,
                  "Test split (`user key<TAB>item key`) for evaluation during training.");
  cmd->add_option("--eval-every", o->eval_every,
                  "Evaluate every N epochs (overrides the config's eval_every_epochs; 0: never).");
  cmd->add_option("--epochs", o->epochs, "Override the config's epochs.");
  cmd->callback([o] {
    TrainConfig config = LoadTrainConfig(o->config);
    if (o->epochs > 0) config.set_epochs(o->epochs);
    if (o->eval_every >= 0) config.set_eval_every_epochs(o->eval_every);
    const Graph graph = LoadGraph(o->graph);
    std::unique_ptr<Interactions> train;
    std::unique_ptr<TestSet> test;
    if (!o->test.empty()) {
      train = std::make_unique<Interactions>(Interactions::FromGraph(
          graph, config.user_type(), config.item_type(), config.target_relation()));
      test = std::make_unique<TestSet>(
          ReadTestSet(o->test, graph, config.user_type(), config.item_type()));
    }
    SerialTrainHooks hooks;
    const int every = config.eval_every_epochs();
    hooks.wants_embeddings = [&](int epoch) {
      return test && every > 0 && (epoch % every == 0 || epoch == config.epochs());
    };
    hooks.on_epoch = [&](const EpochStats& s, const EmbeddingTable* embeddings) {
      std::string line = "epoch " + std::to_string(s.epoch) + "/" +
                         std::to_string(config.epochs()) + " step " + std::to_string(s.steps) +
                         " loss " + std::to_string(s.loss) + " examples/s " +
                         std::to_string(static_cast<int64_t>(s.examples_per_s)) + " train_s " +
                         std::to_string(s.seconds);
      if (embeddings) {
        EmbeddingScorer scorer(Slice(*embeddings, graph, config.user_type()),
                               Slice(*embeddings, graph, config.item_type()), "train-local");
        EvalOptions eo;
        eo.ks = {config.eval_k()};
        const EvalResult r = Evaluate(*train, *test, scorer, eo);
        line += " recall@" + std::to_string(config.eval_k()) + " " + std::to_string(r.recall[0]) +
                " ndcg@" + std::to_string(config.eval_k()) + " " + std::to_string(r.ndcg[0]);
      }
      LogInfo(line);
    };
    SerialTrainResult result = TrainSerial(graph, config, hooks);

    RunInfo info = RunInfo::ForGraph(graph, o->graph, config.dim(), 1);
    info.model = ModelKindName(config.model());
    info.epoch = config.epochs();
    info.step = result.steps;
    info.seed = config.seed();
    {
      RunShardWriter writer(o->out, 0, info, 0);
      for (NodeId v = 0; v < graph.num_nodes(); ++v)
        writer.Add(v, {result.embeddings.row(v), static_cast<size_t>(config.dim())});
      writer.Commit();
    }
    FinalizeRun(o->out, info);
    std::printf("train_seconds: %.3f\nsteps: %lld\nfinal_loss: %.6f\nrun: %s\n", result.seconds,
                static_cast<long long>(result.steps),
                result.epochs.empty() ? 0.0 : result.epochs.back().loss, o->out.c_str());
  });
}

}  // namespace melograph::cli
