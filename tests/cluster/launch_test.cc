// cluster/launch.sh: the Open MPI / Slurm command lines it builds (--dry-run), and the pipeline
// on one host (partition -> train, or `sample --verify` while there is no train subcommand ->
// export -> eval). The multi-host run of the same script is in netns_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::CommandResult;
using testing::TempDir;

const std::string kLaunch = std::string(MELOGRAPH_SOURCE_DIR) + "/cluster/launch.sh --melograph " + MELOGRAPH_BINARY;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(LaunchScript, dry_run_maps_options_to_open_mpi_flags) {
  const CommandResult r = testing::Run("env -u SLURM_JOB_ID MELOGRAPH_PROBE=1 " + kLaunch +
                                       " --dry-run --hosts a,b --np 2 --tcp --if 10.1.0.0/16 "
                                       "--rsh-agent /bin/agent --oversubscribe run -- mpi-selftest");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"mpirun -np 2 --bind-to core", "-H a\\,b", "--oversubscribe",
                           "--mca btl tcp\\,self", "--mca btl_tcp_if_include 10.1.0.0/16",
                           "--mca oob_tcp_if_include 10.1.0.0/16", "--mca plm_rsh_agent /bin/agent",
                           "-x MELOGRAPH_PROBE", " mpi-selftest", "--mca oob_tcp_keepalive_time 10",
                           "--mca oob_tcp_keepalive_intvl 5", "--mca oob_tcp_keepalive_probes 3"})
    EXPECT_TRUE(Has(r.output, part)) << part << "\n" << r.output;
  EXPECT_EQ(Has(r.output, "--allow-run-as-root"), ::geteuid() == 0) << r.output;
  const CommandResult fast = testing::Run("env -u SLURM_JOB_ID " + kLaunch +
                                          " --dry-run --np 2 --keepalive 2,1,2 run -- mpi-selftest");
  EXPECT_TRUE(Has(fast.output, "--mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 "
                               "--mca oob_tcp_keepalive_probes 2")) << fast.output;
  const CommandResult off = testing::Run("env -u SLURM_JOB_ID " + kLaunch + " --dry-run --np 2 --keepalive off run -- x");
  EXPECT_FALSE(Has(off.output, "keepalive")) << off.output;
  EXPECT_EQ(testing::Run("env -u SLURM_JOB_ID " + kLaunch + " --dry-run --np 2 --keepalive 5 run -- x").exit_code, 2);
}

TEST(LaunchScript, inside_slurm_with_pmix_uses_srun) {
  TempDir tmp;
  // A fake srun that offers PMIx.
  testing::WriteFile(tmp.File("bin/srun"), "#!/bin/sh\necho 'MPI plugin types are...'; echo pmix\n");
  std::filesystem::permissions(tmp.File("bin/srun"), std::filesystem::perms::owner_all);
  const CommandResult r = testing::Run("PATH=" + tmp.File("bin") + ":$PATH SLURM_JOB_ID=7 SLURM_NTASKS=4 " +
                                       kLaunch + " --dry-run --tcp run -- mpi-selftest");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Has(r.output, "+ srun --mpi=pmix -n 4 --export=ALL --cpu-bind=cores ")) << r.output;
  const CommandResult forced = testing::Run("PATH=" + tmp.File("bin") + ":$PATH SLURM_JOB_ID=7 SLURM_NTASKS=4 " +
                                            kLaunch + " --dry-run --slurm mpirun run -- mpi-selftest");
  EXPECT_TRUE(Has(forced.output, "+ mpirun -np 4 ")) << forced.output;
}

TEST(LaunchScript, bad_options_are_refused) {
  EXPECT_EQ(testing::Run(kLaunch + " --bogus run -- x").exit_code, 2);
  EXPECT_EQ(testing::Run("env -u SLURM_JOB_ID " + kLaunch + " run -- mpi-selftest").exit_code, 2);  // no --np
  const CommandResult r = testing::Run(kLaunch + " --np 3 pipeline --graph g --test t --parts 2 --work /tmp/melograph-launch-unused");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.output, "--np 3 differs from --parts 2")) << r.output;
}

TEST(LaunchScript, pipeline_on_one_host) {
  TempDir tmp;
  const std::string triples = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/world/expected_train_cutoff500.tsv";
  const auto g = testing::RunMelograph("build-graph --triples " + triples + " --out " + tmp.File("graph"));
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const CommandResult r = testing::Run(
      "ASAN_OPTIONS=detect_leaks=0 timeout 120 " + kLaunch + " --oversubscribe --bind none -x ASAN_OPTIONS pipeline --graph " +
      tmp.File("graph") + " --test " + MELOGRAPH_TEST_DATA_DIR + "/kg/world/expected_test_cutoff500.tsv --parts 2 --work " +
      tmp.File("work") + " --method hash");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(tmp.File("work/partition/manifest.pb"))) << r.output;
  if (Has(r.output, "train: SKIPPED")) {
    EXPECT_TRUE(Has(r.output, "verify: PASS\n")) << r.output;
    EXPECT_TRUE(Has(r.output, "4/4 eval: SKIPPED (no run)")) << r.output;
  } else {
    EXPECT_TRUE(std::filesystem::exists(tmp.File("work/eval.txt"))) << r.output;
  }
}

}  // namespace
}  // namespace melograph
