// The distributed trainer under mpirun at 1, 2 and 4 ranks, on a small music world partitioned
// with METIS into as many parts as ranks: runs are bit-identical for the same seed and rank count,
// a run stopped mid-epoch and resumed equals the uninterrupted run bit for bit, the loss falls,
// every model writes a valid run, and mismatched inputs are clear errors. Collectives are guarded
// by EXPECT_* only.
#include "worker/trainer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/error.h"
#include "common/file_util.h"
#include "graph/graph_io.h"
#include "partition/partition_pipeline.h"
#include "recall/run_format.h"
#include "tests/sampler/sampler_fixtures.h"
#include "tests/test_util.h"
#include "model/kgnn.h"
#include "model/lightgcn.h"
#include "model/tape.h"
#include "partition/partition_view.h"
#include "sampler/dist_graph.h"
#include "sampler/neighbor_sampler.h"
#include "worker/checkpoint.h"
#include "worker/train_metrics.h"

namespace melograph {
namespace {

struct World {
  std::unique_ptr<testing::TempDir> dir;  // rank 0 only
  std::string root;
  std::string graph() const { return root + "/graph"; }
  std::string partition() const { return root + "/part"; }
  std::string Config(const std::string& name) const { return root + "/" + name + ".pbtxt"; }
  std::string Run(const std::string& name) const { return root + "/runs/" + name; }
};

World& TheWorld() {
  static World w = [] {
    World x;
    Communicator comm;
    if (comm.rank() == 0) {
      x.dir = std::make_unique<testing::TempDir>();
      x.root = x.dir->path();
      const auto graph = testing::SmallMusicWorld(96, 5, /*cold_songs=*/3);
      SaveGraph(*graph, x.graph());
      PartitionOptions o;
      o.num_parts = comm.size();
      o.method = PartitionMethod::kMetis;
      o.sample_roots = 20;
      PartitionGraph(*graph, o, x.partition(), x.graph());
      PartitionOptions rep = o;  // the same partition with hub replicas (10% of the nodes)
      rep.replicate_fraction = 0.1;
      PartitionGraph(*graph, rep, x.partition() + "-replicas", x.graph());
      o.num_parts = comm.size() + 1;
      o.method = PartitionMethod::kHash;
      PartitionGraph(*graph, o, x.partition() + "-wrong", x.graph());
      const std::string common = "dim: 8\nbatch_size: 64\nlearning_rate: 0.02\nseed: 7\ninit_stddev: 0.1\n";
      const std::string kgnn_hops =
          "hops { relation: 'listened' relation: 'rev_listened' relation: 'by_artist' relation: 'rev_by_artist' }\n"
          "hops { relation: 'listened' relation: 'rev_listened' relation: 'by_artist' relation: 'rev_by_artist' }\n";
      testing::WriteFile(x.Config("lightgcn"), common +
                                                   "model: LIGHTGCN\nepochs: 2\nloss: BPR\nfanouts: [3, 4]\n"
                                                   "hops { relation: 'listened' relation: 'rev_listened' }\n"
                                                   "hops { relation: 'listened' relation: 'rev_listened' }\n");
      testing::WriteFile(x.Config("softmax"), common +
                                                  "model: LIGHTGCN\nepochs: 1\nloss: SAMPLED_SOFTMAX\nnegatives: 16\n"
                                                  "temperature: 0.5\nfanouts: [-1, 3]\n"
                                                  "hops { relation: 'listened' relation: 'rev_listened' }\n"
                                                  "hops { relation: 'listened' relation: 'rev_listened' }\n");
      testing::WriteFile(x.Config("kgnn"), common +
                                               "model: KGNN\nepochs: 1\nloss: BPR\nfanouts: [3, 3]\n" + kgnn_hops);
      testing::WriteFile(x.Config("kgnn-drop"), common +
                                                    "model: KGNN\nepochs: 1\nloss: BPR\nfanouts: [3, 3]\nitem_id_dropout: 0.5\n" +
                                                    kgnn_hops);
      testing::WriteFile(x.Config("kgnn-norm"), common +
                                                    "model: KGNN\nepochs: 1\nloss: BPR\nfanouts: [3, 3]\nitem_id_dropout: 0.5\n"
                                                    "kgnn_aggregator: NORMALIZED_ATTENTION\n" +
                                                    kgnn_hops);
      testing::WriteFile(x.Config("sgns"), common +
                                               "model: SGNS\nepochs: 1\nnegatives: 2\nwalk_length: 6\nwalks_per_node: 1\nwindow: 2\n"
                                               "metapaths: 'user -listened-> song -rev_listened-> user'\n");
      testing::WriteFile(x.Config("bad"), "model: LIGHTGCN\ndim: -3\n");
      for (const char* model : {"lightgcn", "kgnn", "sgns"})  // the same with replicated embedding rows
        testing::WriteFile(x.Config(std::string(model) + "-rt"),
                           testing::ReadFile(x.Config(model)) + "replicate_embeddings: true\n");
    }
    comm.Bcast(x.root, 0);
    comm.Barrier();
    return x;
  }();
  return w;
}

TrainJob Job(const std::string& config, const std::string& run) {
  TrainJob j;
  j.partition_dir = TheWorld().partition();
  j.config_path = TheWorld().Config(config);
  j.out_dir = TheWorld().Run(run);
  j.quiet = true;
  return j;
}

std::string MyShard(const std::string& run, int rank) {
  return ReadWholeFile(run + "/embeddings/shard-" + std::to_string(rank) + ".f32");
}

TEST(Trainer, lightgcn_is_bit_identical_across_runs_and_after_resume) {
  Communicator comm;
  const TrainSummary a = RunTraining(comm, Job("lightgcn", "a"));
  EXPECT_EQ(a.epochs, 2);
  EXPECT_FALSE(a.stopped_early);
  RunTraining(comm, Job("lightgcn", "b"));
  EXPECT_EQ(MyShard(TheWorld().Run("a"), comm.rank()), MyShard(TheWorld().Run("b"), comm.rank()));

  // Stop inside the first epoch (after a checkpoint), then resume.
  TrainJob stop = Job("lightgcn", "c");
  stop.max_steps = a.steps / 2 - 1;
  const TrainSummary c1 = RunTraining(comm, stop);
  EXPECT_TRUE(c1.stopped_early);
  EXPECT_EQ(c1.steps, a.steps / 2 - 1);
  TrainJob resume = Job("lightgcn", "c");
  resume.resume = true;
  const TrainSummary c2 = RunTraining(comm, resume);
  EXPECT_EQ(c2.steps, a.steps);
  EXPECT_EQ(MyShard(TheWorld().Run("a"), comm.rank()), MyShard(TheWorld().Run("c"), comm.rank()));

  // Loss falls over the epochs; every rank wrote its metrics.
  const auto rows = ReadMetricsFile(MetricsPath(TheWorld().Run("a"), comm.rank()));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(rows[1].loss, rows[0].loss);
  EXPECT_GT(rows[0].examples, 0);
  const auto resumed_rows = ReadMetricsFile(MetricsPath(TheWorld().Run("c"), comm.rank()));
  EXPECT_EQ(resumed_rows.size(), 2u);  // epoch 1 recorded once, after the resume
}

TEST(Trainer, every_model_writes_a_valid_run_of_every_node) {
  Communicator comm;
  for (const char* model : {"softmax", "kgnn", "kgnn-norm", "sgns"}) {
    RunTraining(comm, Job(model, model));
    comm.Barrier();
    if (comm.rank() == 0) {
      const Graph g = LoadGraph(TheWorld().graph());
      RunReader reader(TheWorld().Run(model));
      EXPECT_NO_THROW(reader.CheckGraph(g, TheWorld().graph())) << model;
      EXPECT_NO_THROW(reader.CheckIds(g)) << model;
      EXPECT_EQ(reader.info().num_shards, comm.size());
      int64_t rows = 0;
      for (const auto& [type, n] : reader.type_rows()) rows += n;
      EXPECT_EQ(rows, g.num_nodes()) << model;
      const EmbeddingMatrix users = LoadEmbeddings(TheWorld().Run(model), g, "user");
      double norm = 0;
      for (float v : users.values) norm += static_cast<double>(v) * v;
      EXPECT_GT(norm, 0) << model;
    }
    comm.Barrier();
  }
}

// The run's embeddings are full-graph inference of the trained parameters: at one rank, they equal
// the model's Forward over a full-neighbourhood subgraph of every node, built by the serial sampler
// from the final checkpoint's table (and KGNN weights).
TEST(Trainer, inference_equals_full_neighbourhood_forward_of_the_final_parameters) {
  Communicator comm;
  if (comm.size() != 1) GTEST_SKIP() << "checked at one rank (every rank skips)";
  const std::string relations = "listened|rev_listened";
  for (const char* model : {"lightgcn", "kgnn", "kgnn-drop", "kgnn-norm"}) {
    const bool is_kgnn = std::string(model).starts_with("kgnn");
    const std::string run = TheWorld().Run(std::string("infer-") + model);
    RunTraining(comm, Job(model, std::string("infer-") + model));
    const int64_t step = FindResumeStep(comm, run);
    ASSERT_GT(step, 0);
    const CheckpointState ckpt = LoadCheckpoint(run, step, 0);
    const std::vector<float> table = ckpt.GetArray<float>("table.values");
    const auto graph = std::make_shared<const Graph>(LoadGraph(TheWorld().graph()));
    const SerialGraph serial(graph);
    const PartitionShard shard = LoadShard(TheWorld().partition(), 0);
    const int64_t dim = 8, n = graph->num_nodes();
    // Input rows in graph id order.
    std::vector<float> x(static_cast<size_t>(n * dim));
    for (NodeId g = 0; g < n; ++g)
      std::copy(table.begin() + g * dim, table.begin() + (g + 1) * dim, x.begin() + shard.original_id(g) * dim);
    const std::string hop = is_kgnn ? "listened|rev_listened|by_artist|rev_by_artist" : relations;
    const bool drops = std::string(model) == "kgnn-drop" || std::string(model) == "kgnn-norm";
    if (drops) {
      // item_id_dropout: songs without a listened edge enter inference with a zero row.
      const RelationSet heard = serial.relations().Resolve("rev_listened");
      const NodeType& songs = graph->node_types()[*graph->FindType("song")];
      int64_t cold = 0;
      for (NodeId v = songs.begin; v < songs.begin + songs.count; ++v) {
        const RowSpans row = serial.Row(v);
        bool warm = false;
        for (int64_t e = 0; e < row.size(); ++e) warm |= heard.Contains(row.relation[static_cast<size_t>(e)]);
        if (warm) continue;
        ++cold;
        std::fill(x.begin() + v * dim, x.begin() + (v + 1) * dim, 0.0f);
      }
      EXPECT_GT(cold, 0) << "the test world needs a cold song";
    }
    NeighborSamplerOptions so;
    so.fanouts = {-1, -1};
    so.relations = serial.relations().ParseHopRelations(hop + ";" + hop, 2);
    SerialNeighborSampler sampler(serial, so);
    std::vector<NodeId> all(static_cast<size_t>(n));
    for (NodeId v = 0; v < n; ++v) all[static_cast<size_t>(v)] = v;
    const SampledSubgraph sg = sampler.Sample(all, 0, 0);
    std::vector<float> src_x;
    for (NodeId v : sg.blocks.front().src) src_x.insert(src_x.end(), x.begin() + v * dim, x.begin() + (v + 1) * dim);
    Tape t;
    Var in = t.ExternalLeaf(static_cast<int64_t>(sg.blocks.front().src.size()), dim, src_x.data(), false);
    Var out;
    std::unique_ptr<KgnnModel> kgnn;
    // Degrees under the propagation relations (the hops' union).
    std::vector<float> degree(static_cast<size_t>(n), 0.0f);
    const RelationSet propagation = serial.relations().Resolve(hop);
    for (NodeId v = 0; v < n; ++v) {
      const RowSpans row = serial.Row(v);
      for (int64_t e = 0; e < row.size(); ++e) degree[static_cast<size_t>(v)] += propagation.Contains(row.relation[static_cast<size_t>(e)]) ? 1.0f : 0.0f;
    }
    if (is_kgnn) {
      kgnn = std::make_unique<KgnnModel>(dim, 2, propagation.ids, 0.2f, 7,
                                         std::string(model) == "kgnn-norm" ? KgnnAggregator::kNormalized : KgnnAggregator::kConcat);
      const std::vector<float> dense = ckpt.GetArray<float>("dense.values");
      ASSERT_EQ(dense.size(), kgnn->params().all_values().size());
      std::copy(dense.begin(), dense.end(), kgnn->params().all_values().begin());
      const std::vector<Var> w = kgnn->WeightVars(t);
      out = kgnn->Forward(t, sg, in, w, degree);
    } else {
      out = LightGcnForward(t, sg, in, degree);
    }
    auto expected = t.Value(out);  // rows in blocks.back().dst order == all
    RunReader reader(run);
    const RunReader::Shard got = reader.OpenShard(0);
    ASSERT_EQ(static_cast<int64_t>(got.ids.size()), n);
    double worst = 0;
    for (size_t i = 0; i < got.ids.size(); ++i)
      for (int64_t j = 0; j < dim; ++j)
        worst = std::max(worst, static_cast<double>(std::abs(got.row(static_cast<int64_t>(i))[j] - expected(got.ids[i], j))));
    EXPECT_LT(worst, 1e-5) << model;
  }
}

TEST(Trainer, sampling_the_next_batch_during_compute_changes_no_bit) {
  Communicator comm;
  for (const char* model : {"lightgcn", "kgnn-drop", "kgnn-norm"}) {
    const std::string name = std::string("overlap-") + model;
    RunTraining(comm, Job(model, name));
    TrainJob serial = Job(model, name + "-off");
    serial.overlap_sampling = false;
    RunTraining(comm, serial);
    EXPECT_EQ(MyShard(TheWorld().Run(name), comm.rank()), MyShard(TheWorld().Run(name + "-off"), comm.rank())) << model;
  }
}

TEST(Trainer, hub_replicas_change_no_bit_of_any_model_nor_of_a_resumed_run) {
  Communicator comm;
  const std::string replicated = TheWorld().partition() + "-replicas";
  if (comm.size() > 1) {  // one part has no remote picks, hence no replicas
    EXPECT_GT(LoadPartitionManifest(replicated).replication().nodes(), 0);
  }
  for (const std::string& model : {std::string("lightgcn"), std::string("kgnn"), std::string("sgns")}) {
    const std::string name = "replicas-" + model;
    RunTraining(comm, Job(model, name + "-off"));
    for (const std::string& config : {model, model + "-rt"}) {  // replicated adjacency; + embedding rows
      TrainJob job = Job(config, name + "-" + config);
      job.partition_dir = replicated;
      RunTraining(comm, job);
      EXPECT_EQ(MyShard(TheWorld().Run(name + "-off"), comm.rank()), MyShard(TheWorld().Run(name + "-" + config), comm.rank()))
          << config;
    }
  }
  // Stopped and resumed on the replicated partition: the replicated embedding rows are refreshed
  // from their owners (values and Adam moments), so the run ends where the uninterrupted one does.
  TrainJob stop = Job("lightgcn-rt", "replicas-resume");
  stop.partition_dir = replicated;
  const TrainSummary full = RunTraining(comm, [&] {
    TrainJob j = Job("lightgcn-rt", "replicas-full");
    j.partition_dir = replicated;
    return j;
  }());
  stop.max_steps = full.steps / 2 + 1;
  EXPECT_TRUE(RunTraining(comm, stop).stopped_early);
  TrainJob resume = stop;
  resume.max_steps = 0;
  resume.resume = true;
  RunTraining(comm, resume);
  EXPECT_EQ(MyShard(TheWorld().Run("replicas-full"), comm.rank()), MyShard(TheWorld().Run("replicas-resume"), comm.rank()));
}

TEST(Trainer, item_id_dropout_is_deterministic_and_changes_the_run) {
  Communicator comm;
  RunTraining(comm, Job("kgnn-drop", "drop-a"));
  RunTraining(comm, Job("kgnn-drop", "drop-b"));
  RunTraining(comm, Job("kgnn", "drop-off"));
  EXPECT_EQ(MyShard(TheWorld().Run("drop-a"), comm.rank()), MyShard(TheWorld().Run("drop-b"), comm.rank()));
  EXPECT_NE(MyShard(TheWorld().Run("drop-a"), comm.rank()), MyShard(TheWorld().Run("drop-off"), comm.rank()));
}

TEST(Trainer, eval_every_records_recall_per_epoch_on_rank_0) {
  Communicator comm;
  if (comm.rank() == 0) {
    std::string test;
    for (int u = 0; u < 96; u += 3) test += "user:" + std::to_string(u) + "\tsong:" + std::to_string((u * 7) % 96) + "\n";
    testing::WriteFile(TheWorld().root + "/test.tsv", test);
  }
  comm.Barrier();
  TrainJob j = Job("lightgcn", "eval");
  j.test_path = TheWorld().root + "/test.tsv";
  j.eval_every = 1;
  RunTraining(comm, j);
  const auto rows = ReadMetricsFile(MetricsPath(TheWorld().Run("eval"), comm.rank()));
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& m : rows) {
    EXPECT_EQ(m.recall.has_value(), comm.rank() == 0) << "epoch " << m.epoch;
    if (m.recall) {
      EXPECT_GE(*m.recall, 0.0);
      EXPECT_LE(*m.recall, 1.0);
      EXPECT_EQ(m.eval_k, 20);
    }
  }
}

TEST(Trainer, mismatched_inputs_are_clear_errors) {
  Communicator comm;
  TrainJob wrong = Job("lightgcn", "wrong");
  wrong.partition_dir = TheWorld().partition() + "-wrong";
  try {
    RunTraining(comm, wrong);
    ADD_FAILURE() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("ranks"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RunTraining(comm, Job("bad", "bad")), InputError);
  TrainJob tight = Job("lightgcn", "tight");
  tight.mem_per_rank = 1 << 20;  // 1 MiB: the runtime term alone is 32 MiB
  try {
    RunTraining(comm, tight);
    ADD_FAILURE() << "expected LimitError";
  } catch (const LimitError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 needs"), std::string::npos) << e.what();
  }
  // A limit the job fits: the estimate and then the plan measured on the graph both pass.
  TrainJob roomy = Job("kgnn-norm", "roomy");
  roomy.mem_per_rank = int64_t{4} << 30;
  EXPECT_NO_THROW(RunTraining(comm, roomy));
}

}  // namespace
}  // namespace melograph
