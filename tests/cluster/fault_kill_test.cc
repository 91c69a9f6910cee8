// Fault 1 of issue 7, from outside: `kill -9` of one rank in the middle of a 2-rank training job.
// The job must end non-zero within seconds, Open MPI's log must name the lost rank, and
// `--resume` must finish with embeddings bit-identical to an uninterrupted run with the same seed.
// Before resuming, the newest checkpoint is damaged (fault 3): resume detects it and falls back.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "tests/test_util.h"

namespace melograph {
namespace {

const std::string kMpi = std::string(MELOGRAPH_MPIEXEC) + " -np 2 --oversubscribe --allow-run-as-root ";

std::string Shard(const std::string& run, int k) {
  return testing::ReadFile(run + "/embeddings/shard-" + std::to_string(k) + ".f32");
}

TEST(FaultKill, killed_rank_ends_the_job_and_resume_is_bit_identical) {
  testing::TempDir dir;
  const std::string w = dir.path();
  auto run = [&](const std::string& args) {
    const auto r = testing::RunMelograph(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  };
  run("generate --preset demo --users 300 --songs 400 --events 12000 --seed 3 --quiet --out " + w + "/world");
  run("build-kg --events " + w + "/world/events.tsv --catalog " + w + "/world/catalog --out " + w + "/kg");
  run("build-graph --triples " + w + "/kg/train.tsv --out " + w + "/graph");
  run("partition " + w + "/graph --parts 2 --method metis --sample-roots 50 --out " + w + "/part");
  testing::WriteFile(w + "/cfg.pbtxt",
                     "model: LIGHTGCN\ndim: 8\nepochs: 4\nbatch_size: 128\nlearning_rate: 0.01\nloss: BPR\n"
                     "fanouts: [3, 3]\nhops { relation: 'listened' relation: 'rev_listened' }\n"
                     "hops { relation: 'listened' relation: 'rev_listened' }\ncheckpoint_every_steps: 1\nseed: 5\n");
  const std::string train = std::string(MELOGRAPH_BINARY) + " train --partition " + w + "/part --config " + w +
                            "/cfg.pbtxt --quiet --out ";
  const auto ref = testing::Run(kMpi + train + w + "/ref");
  ASSERT_EQ(ref.exit_code, 0) << ref.output;

  // Start the job, wait for its first complete checkpoint, kill -9 one rank, time the end.
  const std::string script =
      "set -u\n" + kMpi + train + w + "/run > " + w + "/log 2>&1 &\nMP=$!\n"
      "for i in $(seq 1 1200); do ls " + w + "/run/checkpoints/*/manifest.pb >/dev/null 2>&1 && break; sleep 0.05; done\n"
      "PID=$(pgrep -f '^" + std::string(MELOGRAPH_BINARY) + " train .*--out " + w + "/run$' | tail -1)\n"
      "kill -9 $PID\nS=$(date +%s%N)\nwait $MP\nRC=$?\nE=$(date +%s%N)\n"
      "echo killed_pid=$PID rc=$RC ms=$(( (E - S) / 1000000 ))\n";
  testing::WriteFile(w + "/kill.sh", script);
  const auto killed = testing::Run("bash " + w + "/kill.sh");
  const std::string log = testing::ReadFile(w + "/log");
  ASSERT_NE(killed.output.find("killed_pid="), std::string::npos) << killed.output;
  EXPECT_EQ(killed.output.find("killed_pid= "), std::string::npos) << "no rank process found\n" << killed.output;
  EXPECT_EQ(killed.output.find(" rc=0 "), std::string::npos) << "the job finished before the kill\n" << killed.output << log;
  const size_t ms_at = killed.output.find("ms=");
  ASSERT_NE(ms_at, std::string::npos);
  EXPECT_LT(std::stol(killed.output.substr(ms_at + 3)), 20000) << killed.output;
  // Open MPI names the lost rank ("process rank N with PID ... exited on signal 9 (Killed)").
  EXPECT_NE(log.find("signal 9"), std::string::npos) << log;
  EXPECT_NE(log.find("rank"), std::string::npos) << log;
  EXPECT_FALSE(std::ifstream(w + "/run/manifest.pb").good()) << "no final run after a crash";

  // Fault 3 on top: damage rank 1's file of the newest complete checkpoint (same size, one byte).
  // Resume must detect it by checksum, say so, and fall back to the previous good checkpoint
  // (or start over when none is left) — the result is the same either way.
  const auto newest = testing::Run("ls -d " + w + "/run/checkpoints/step-*/manifest.pb | tail -1 | xargs dirname");
  ASSERT_EQ(newest.exit_code, 0) << newest.output;
  const std::string victim = newest.output.substr(0, newest.output.find('\n')) + "/rank-00001.ckpt";
  ASSERT_EQ(testing::Run("printf '\\377' | dd of=" + victim + " bs=1 seek=20 conv=notrunc status=none").exit_code, 0);

  const auto resumed = testing::Run(kMpi + train + w + "/run --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("unusable, falling back"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("CRC-32 differs"), std::string::npos) << resumed.output;
  for (int k = 0; k < 2; ++k) EXPECT_EQ(Shard(w + "/run", k), Shard(w + "/ref", k)) << "shard " << k;
}

}  // namespace
}  // namespace melograph
