// The multi-host test on one machine: three network namespaces mg-h1..mg-h3 bridged on
// 10.77.0.0/24 act as hosts (cluster/netns_hosts.sh); Open MPI starts the remote orted daemons
// through cluster/netns_rsh.sh (`ip netns exec HOST ...`, no ssh) and the ranks talk TCP
// across the veth links. Checks: every rank really runs in its own namespace; mpi-selftest
// passes across the hosts, directly and through cluster/launch.sh; a partition sampled with
// `sample --verify` across the three hosts passes and prints exactly what the same 3 ranks
// print on one host; the pipeline (partition -> train 1 epoch -> export -> eval) across the
// hosts writes the same embedding bytes and evaluation as on one host.
// Skips (GTEST_SKIP, with the reason) where network namespaces are not permitted. The hosts are
// torn down after the suite, and also before it (a killed earlier run leaves them behind).
#include <gtest/gtest.h>
#include <sys/file.h>

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::CommandResult;

// A shell command (stdout+stderr); not named Run, which gtest fixtures inherit.
CommandResult Sh(const std::string& command) { return testing::Run(command); }

const std::string kSource = MELOGRAPH_SOURCE_DIR;
const std::string kSubnet = "10.77.0.0/24";

// Leaks are checked by the other MPI tests; LeakSanitizer's stop-the-world tracer is flaky
// under heavy load and this test is about launching.
const std::string kMpirun = std::string("ASAN_OPTIONS=detect_leaks=0 timeout 60 ") + MELOGRAPH_MPIEXEC +
                            " --allow-run-as-root -x ASAN_OPTIONS --mca plm_rsh_agent " + kSource +
                            "/cluster/netns_rsh.sh --mca btl tcp,self --mca btl_tcp_if_include " +
                            kSubnet + " --mca oob_tcp_if_include " + kSubnet;
const std::string kThreeHosts = " -H mg-h1,mg-h2,mg-h3 -np 3 ";

// The namespace names printed by the ranks, sorted.
std::vector<std::string> SortedHostLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("mg-h", 0) == 0) lines.push_back(line);  // not Open MPI's warnings
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The `key: value` lines of a melograph report, in order (Open MPI may add warnings such as
// "plm:rsh: Warning: setpgid(...) failed" to the captured stderr).
std::string KeyValueLines(const std::string& text) {
  std::string kept;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(": ");
    if (colon == std::string::npos || colon == 0) continue;
    if (line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_@") != colon) continue;
    kept += line + "\n";
  }
  return kept;
}

class Netns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One suite at a time on this machine (the names and the subnet are fixed).
    lock_fd_ = ::open("/tmp/melograph-netns.lock", O_CREAT | O_RDWR, 0644);
    if (lock_fd_ >= 0) ::flock(lock_fd_, LOCK_EX);
    const CommandResult up = Sh(kSource + "/cluster/netns_hosts.sh up");
    if (up.exit_code == 3) {
      skip_ = "network namespaces are not permitted here: " + up.output;
    } else if (up.exit_code != 0) {
      setup_error_ = "cluster/netns_hosts.sh up failed (exit " + std::to_string(up.exit_code) + "):\n" + up.output;
    }
  }
  static void TearDownTestSuite() {
    Sh(kSource + "/cluster/netns_hosts.sh down");
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }
  static inline int lock_fd_ = -1;
  static inline std::string skip_;
  static inline std::string setup_error_;
};

TEST_F(Netns, each_rank_runs_in_its_own_namespace) {
  const CommandResult r = Sh(kMpirun + kThreeHosts + "sh -c 'ip netns identify'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(SortedHostLines(r.output), (std::vector<std::string>{"mg-h1", "mg-h2", "mg-h3"})) << r.output;
}

TEST_F(Netns, mpi_selftest_passes_across_three_hosts) {
  const CommandResult r = Sh(kMpirun + kThreeHosts + MELOGRAPH_BINARY + " mpi-selftest --chunk-bytes 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ranks: 3\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("alltoallv: ok\n"), std::string::npos) << r.output;
  // Rank 0 sends 1 value to itself (not counted) and 2 and 3 values to ranks 1 and 2: 40 bytes.
  EXPECT_NE(r.output.find("rank0_bytes_sent: 40\n"), std::string::npos) << r.output;
}

TEST_F(Netns, launch_script_runs_across_three_hosts) {
  const CommandResult r =
      Sh("ASAN_OPTIONS=detect_leaks=0 timeout 60 " + kSource + "/cluster/launch.sh --melograph " +
          MELOGRAPH_BINARY + " --hosts mg-h1,mg-h2,mg-h3 --np 3 --tcp --if " + kSubnet +
          " --rsh-agent " + kSource + "/cluster/netns_rsh.sh --bind none -x ASAN_OPTIONS run -- mpi-selftest");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--mca plm_rsh_agent"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ranks: 3\n"), std::string::npos) << r.output;
}

TEST_F(Netns, sample_verify_across_hosts_equals_one_host) {
  if (testing::RunMelograph("sample --help").exit_code != 0) GTEST_SKIP() << "melograph has no 'sample' subcommand";
  testing::TempDir tmp;  // under /tmp: the same path in every namespace
  const auto g = testing::RunMelograph(std::string("build-graph --triples ") + MELOGRAPH_TEST_DATA_DIR +
                                       "/kg/world/expected_train_cutoff500.tsv --out " + tmp.File("graph"));
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const auto p = testing::RunMelograph("partition " + tmp.File("graph") + " --parts 3 --method metis --out " +
                                       tmp.File("part"));
  ASSERT_EQ(p.exit_code, 0) << p.output;
  const std::string args = std::string(MELOGRAPH_BINARY) + " sample --partition " + tmp.File("part") + " --graph " +
                           tmp.File("graph") + " --verify --fanouts 3,-1 --batch-size 2 --batches 3 --seed 11";
  const CommandResult hosts = Sh(kMpirun + kThreeHosts + args);
  ASSERT_EQ(hosts.exit_code, 0) << hosts.output;
  EXPECT_NE(hosts.output.find("verify: PASS\n"), std::string::npos) << hosts.output;
  const CommandResult one = Sh(std::string("ASAN_OPTIONS=detect_leaks=0 timeout 60 ") + MELOGRAPH_MPIEXEC +
                                " --allow-run-as-root --oversubscribe -np 3 " + args);
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_NE(KeyValueLines(hosts.output).find("sampled_edges: "), std::string::npos) << hosts.output;
  EXPECT_EQ(KeyValueLines(hosts.output), KeyValueLines(one.output));
}

// Issue 7: partition -> train 1 epoch -> export -> eval through cluster/launch.sh across the
// three hosts gives the same embeddings (bytes) and the same evaluation as on one host.
TEST_F(Netns, pipeline_across_hosts_equals_one_host) {
  if (testing::RunMelograph("--help").output.find("\n  train ") == std::string::npos)
    GTEST_SKIP() << "melograph has no 'train' subcommand yet";
  testing::TempDir tmp;
  const std::string data = MELOGRAPH_TEST_DATA_DIR;
  const auto g = testing::RunMelograph("build-graph --triples " + data +
                                       "/kg/world/expected_train_cutoff500.tsv --out " + tmp.File("graph"));
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const std::string launch = "ASAN_OPTIONS=detect_leaks=0 timeout 120 " + kSource + "/cluster/launch.sh --melograph " +
                             MELOGRAPH_BINARY + " --bind none -x ASAN_OPTIONS ";
  const std::string pipeline = " pipeline --graph " + tmp.File("graph") + " --test " + data +
                               "/kg/world/expected_test_cutoff500.tsv --parts 3 --method hash --epochs 1 --work ";
  const CommandResult hosts = Sh(launch + "--hosts mg-h1,mg-h2,mg-h3 --tcp --if " + kSubnet + " --rsh-agent " +
                                 kSource + "/cluster/netns_rsh.sh" + pipeline + tmp.File("hosts"));
  ASSERT_EQ(hosts.exit_code, 0) << hosts.output;
  ASSERT_NE(hosts.output.find("-H mg-h1\\,mg-h2\\,mg-h3"), std::string::npos) << hosts.output;
  const CommandResult one = Sh(launch + "--oversubscribe" + pipeline + tmp.File("one"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  for (int k = 0; k < 3; ++k) {
    for (const char* ext : {".f32", ".ids"}) {
      const std::string file = "/run/embeddings/shard-" + std::to_string(k) + ext;
      const std::string a = testing::ReadFile(tmp.File("hosts") + file);
      EXPECT_FALSE(a.empty()) << file;
      EXPECT_TRUE(a == testing::ReadFile(tmp.File("one") + file)) << file << " differs";
    }
  }
  const std::string eval_hosts = testing::ReadFile(tmp.File("hosts/eval.txt"));
  EXPECT_NE(eval_hosts.find("recall@20: "), std::string::npos) << eval_hosts;
  // The metric lines (the first line names the run directory, which differs).
  EXPECT_EQ(KeyValueLines(eval_hosts), KeyValueLines(testing::ReadFile(tmp.File("one/eval.txt"))));
}

// Issue 7, fault 2: host mg-h2's link is cut in the middle of a 3-host training job. TCP alone
// would wait for minutes. The surviving ranks warn after --comm-timeout, naming rank 1 (the
// rank on mg-h2) as silent; Open MPI's daemon keepalive (launch.sh's --keepalive, here
// 4,1,3) declares mg-h2 lost and ends the job within seconds; `--resume` with the link back
// finishes with embeddings bit-identical to an uninterrupted run on one host.
TEST_F(Netns, cut_link_ends_the_job_and_resume_is_bit_identical) {
  if (testing::RunMelograph("--help").output.find("\n  train ") == std::string::npos)
    GTEST_SKIP() << "melograph has no 'train' subcommand yet";
  testing::TempDir dir;  // under /tmp: the same path in every namespace
  const std::string w = dir.path();
  auto step = [&](const std::string& args) {
    const auto r = testing::RunMelograph(args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  };
  ASSERT_NO_FATAL_FAILURE(step("generate --preset demo --users 300 --songs 400 --events 12000 --seed 3 --quiet --out " + w + "/world"));
  ASSERT_NO_FATAL_FAILURE(step("build-kg --events " + w + "/world/events.tsv --catalog " + w + "/world/catalog --out " + w + "/kg"));
  ASSERT_NO_FATAL_FAILURE(step("build-graph --triples " + w + "/kg/train.tsv --out " + w + "/graph"));
  ASSERT_NO_FATAL_FAILURE(step("partition " + w + "/graph --parts 3 --method metis --sample-roots 50 --out " + w + "/part"));
  testing::WriteFile(w + "/cfg.pbtxt",
                     "model: LIGHTGCN\ndim: 8\nepochs: 4\nbatch_size: 64\nlearning_rate: 0.01\nloss: BPR\n"
                     "fanouts: [3, 3]\nhops { relation: 'listened' relation: 'rev_listened' }\n"
                     "hops { relation: 'listened' relation: 'rev_listened' }\ncheckpoint_every_steps: 1\nseed: 5\n");
  const std::string train = std::string(MELOGRAPH_BINARY) + " train --partition " + w + "/part --config " + w +
                            "/cfg.pbtxt --quiet --comm-timeout 1 --comm-abort 60 --out ";
  const CommandResult ref = Sh(std::string("ASAN_OPTIONS=detect_leaks=0 timeout 300 ") + MELOGRAPH_MPIEXEC +
                               " --allow-run-as-root --oversubscribe -np 3 " + train + w + "/ref");
  ASSERT_EQ(ref.exit_code, 0) << ref.output;

  // Start across the hosts, wait for the first complete checkpoint, cut mg-h2's link, time the end.
  const std::string hosts_mpirun = "ASAN_OPTIONS=detect_leaks=0 timeout 120 " + std::string(MELOGRAPH_MPIEXEC) +
                                   " --allow-run-as-root -x ASAN_OPTIONS --mca plm_rsh_agent " + kSource +
                                   "/cluster/netns_rsh.sh --mca btl tcp,self --mca btl_tcp_if_include " + kSubnet +
                                   " --mca oob_tcp_if_include " + kSubnet + " --mca oob_tcp_keepalive_time 4" +
                                   " --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3" + kThreeHosts;
  testing::WriteFile(w + "/cut.sh",
                     "set -u\n" + hosts_mpirun + train + w + "/run > " + w + "/log 2>&1 &\nMP=$!\n"
                     "for i in $(seq 1 2400); do ls " + w + "/run/checkpoints/*/manifest.pb >/dev/null 2>&1 && break; sleep 0.05; done\n"
                     "ip link set mg-v2 down\nS=$(date +%s%N)\nwait $MP\nRC=$?\nE=$(date +%s%N)\n"
                     "echo rc=$RC ms=$(( (E - S) / 1000000 ))\n");
  const CommandResult cut = Sh("bash " + w + "/cut.sh");
  // Whatever happened: the link comes back and nothing is left running on the cut host.
  Sh("ip link set mg-v2 up; ip netns pids mg-h2 | xargs -r kill -9; sleep 0.5");
  const std::string log = testing::ReadFile(w + "/log");
  ASSERT_NE(cut.output.find("rc="), std::string::npos) << cut.output;
  EXPECT_EQ(cut.output.find("rc=0 "), std::string::npos) << "the job finished before the cut\n" << cut.output << log;
  EXPECT_EQ(cut.output.find("rc=124 "), std::string::npos) << "the job hung after the cut\n" << cut.output << log;
  const size_t ms_at = cut.output.find("ms=");
  ASSERT_NE(ms_at, std::string::npos);
  EXPECT_LT(std::stol(cut.output.substr(ms_at + 3)), 30000) << cut.output;
  EXPECT_NE(log.find("[rank 0] warning: "), std::string::npos) << log;
  EXPECT_NE(log.find("nothing from rank 1 (lost rank or cut link)"), std::string::npos) << log;
  EXPECT_NE(log.find("lost communication with a remote daemon"), std::string::npos) << log;
  EXPECT_FALSE(std::ifstream(w + "/run/manifest.pb").good()) << "no final run after a crash";

  // Resume across the same hosts, link restored.
  const CommandResult resumed = Sh(hosts_mpirun + train + w + "/run --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  for (int k = 0; k < 3; ++k) {
    const std::string file = "/embeddings/shard-" + std::to_string(k) + ".f32";
    const std::string a = testing::ReadFile(w + "/run" + file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == testing::ReadFile(w + "/ref" + file)) << file << " differs from the uninterrupted run";
  }
}

TEST_F(Netns, teardown_removes_namespaces_links_and_host_names) {
  // Runs last: take the hosts down and check nothing is left; TearDownTestSuite repeats it.
  ASSERT_EQ(Sh(kSource + "/cluster/netns_hosts.sh down").exit_code, 0);
  EXPECT_EQ(Sh("ip netns list | grep -c '^mg-h'").output, "0\n");
  EXPECT_EQ(Sh("ip -o link show | grep -c -E ' mg-(br0|v[123])[:@]'").output, "0\n");
  EXPECT_EQ(Sh("grep -c 'melograph-netns' /etc/hosts").output, "0\n");
}

}  // namespace
}  // namespace melograph
