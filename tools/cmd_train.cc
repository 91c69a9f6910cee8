// `mpirun -np K melograph train --partition DIR --config FILE --out RUN [--resume]`: the
// distributed trainer (worker/trainer.h). Also runs as a single process (K = 1) without mpirun.
#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "common/text.h"
#include "tools/commands.h"
#include "worker/communicator.h"
#include "worker/mpi_environment.h"
#include "worker/trainer.h"

namespace melograph::cli {

void RegisterTrain(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train recall embeddings on a partition, one rank per part (mpirun -np K): skip-gram on metapath walks, "
      "LightGCN or a knowledge-aware GNN (--config, presets in cluster/presets/). Writes RUN/embeddings + "
      "manifest.pb (for eval/export/recall), RUN/metrics/, RUN/checkpoints/.");
  auto job = std::make_shared<TrainJob>();
  auto mem = std::make_shared<std::string>();
  auto comm_timeout = std::make_shared<double>(-1);
  auto comm_abort = std::make_shared<double>(-1);
  cmd->add_option("--partition", job->partition_dir, "Partition directory (melograph partition) with K parts.")->required();
  cmd->add_option("--config", job->config_path, "Training config, Protobuf text (e.g. cluster/presets/lightgcn.pbtxt).")->required();
  cmd->add_option("--out", job->out_dir, "Run directory to write (created; checkpoints and metrics inside).")->required();
  cmd->add_flag("--resume", job->resume, "Continue from the newest usable checkpoint in --out (bit-identical to an uninterrupted run).");
  cmd->add_option("--graph", job->graph_dir, "Graph directory (default: the one recorded in the partition manifest).");
  cmd->add_option("--test", job->test_path, "test.tsv for evaluation during training (the config's eval_every_epochs).");
  cmd->add_option("--epochs", job->epochs_override, "Override the config's epochs.");
  cmd->add_option("--eval-every", job->eval_every,
                  "Evaluate on --test every N epochs (Recall/NDCG at the config's eval_k, recorded in the metrics); "
                  "overrides the config's eval_every_epochs, 0 = never.");
  cmd->add_option("--mem-per-rank", *mem, "Refuse to start when a rank's planned memory exceeds this (e.g. 16G); see `melograph plan`.");
  cmd->add_option("--max-steps", job->max_steps, "Stop after this many steps (after writing a checkpoint); for tests and fault drills.");
  cmd->add_option("--comm-timeout", *comm_timeout,
                  "Seconds a rank waits on the others without progress before it warns, naming the ranks it hears "
                  "nothing from (lost rank, cut link); 0 = never. Default: MELOGRAPH_COMM_TIMEOUT, else 60.");
  cmd->add_option("--comm-abort", *comm_abort,
                  "Seconds without progress before the job aborts (naming those ranks); 0 = never. "
                  "Default: MELOGRAPH_COMM_ABORT, else 600.");
  cmd->add_flag("--quiet", job->quiet, "No progress line.");
  cmd->add_flag("--no-overlap", [job](int64_t) { job->overlap_sampling = false; },
                "GNN models: sample the next batch after the current one computes instead of during it "
                "(same results; for timing comparisons).");
  cmd->callback([job, mem, comm_timeout, comm_abort] {
    if (!mem->empty()) {
      const auto v = ParseByteSize(*mem);
      if (!v || *v <= 0) throw UsageError("--mem-per-rank: '" + *mem + "' is not a size like 16G or 512M");
      job->mem_per_rank = *v;
    }
    MpiEnvironment env;
    Communicator comm;
    if (*comm_timeout >= 0)
      comm.set_stall_timeout(*comm_timeout);
    else if (std::getenv("MELOGRAPH_COMM_TIMEOUT") == nullptr)
      comm.set_stall_timeout(60);
    if (*comm_abort >= 0)
      comm.set_stall_abort(*comm_abort);
    else if (std::getenv("MELOGRAPH_COMM_ABORT") == nullptr)
      comm.set_stall_abort(600);
    const TrainSummary s = RunTraining(comm, *job);
    // Throughput figures summed over ranks (one allreduce), printed by rank 0.
    const int64_t examples = comm.Allreduce(s.examples, ReduceOp::kSum);
    const int64_t bytes = comm.Allreduce(s.bytes_sent, ReduceOp::kSum);
    if (comm.rank() == 0)
      std::printf("steps: %lld\nepochs: %lld\nseconds: %.3f\nlast_loss: %.6f\nstopped_early: %s\n"
                  "examples_per_s: %.1f\nexamples_per_s_per_rank: %.1f\nbytes_sent_last_epoch: %lld\n",
                  static_cast<long long>(s.steps), static_cast<long long>(s.epochs), s.seconds, s.last_loss,
                  s.stopped_early ? "yes" : "no", s.seconds > 0 ? static_cast<double>(examples) / s.seconds : 0.0,
                  s.seconds > 0 ? static_cast<double>(examples) / s.seconds / comm.size() : 0.0,
                  static_cast<long long>(bytes));
  });
}

}  // namespace melograph::cli
