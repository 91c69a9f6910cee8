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
      const auto graph = testing::SmallMusicWorld(96, 5);
      SaveGraph(*graph, x.graph());
      PartitionOptions o;
      o.num_parts = comm.size();
      o.method = PartitionMethod::kMetis;
      o.sample_roots = 20;
      PartitionGraph(*graph, o, x.partition(), x.graph());
      o.num_parts = comm.size() + 1;
      o.method = PartitionMethod::kHash;
      PartitionGraph(*graph, o, x.partition() + "-wrong", x.graph());
      const std::string common = "dim: 8\nbatch_size: 64\nlearning_rate: 0.02\nseed: 7\ninit_stddev: 0.1\n";
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
                                               "model: KGNN\nepochs: 1\nloss: BPR\nfanouts: [3, 3]\n"
                                               "hops { relation: 'listened' relation: 'rev_listened' relation: 'by_artist' relation: 'rev_by_artist' }\n"
                                               "hops { relation: 'listened' relation: 'rev_listened' relation: 'by_artist' relation: 'rev_by_artist' }\n");
      testing::WriteFile(x.Config("sgns"), common +
                                               "model: SGNS\nepochs: 1\nnegatives: 2\nwalk_length: 6\nwalks_per_node: 1\nwindow: 2\n"
                                               "metapaths: 'user -listened-> song -rev_listened-> user'\n");
      testing::WriteFile(x.Config("bad"), "model: LIGHTGCN\ndim: -3\n");
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
  for (const char* model : {"softmax", "kgnn", "sgns"}) {
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
  tight.mem_per_rank = 1 << 20;  // 1 MiB: the runtime term alone is 64 MiB
  try {
    RunTraining(comm, tight);
    ADD_FAILURE() << "expected LimitError";
  } catch (const LimitError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 needs"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace melograph
