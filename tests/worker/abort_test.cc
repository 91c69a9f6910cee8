// The rank-aware error boundary, checked from outside: `mpirun -np 2 melograph mpi-selftest
// --fail-rank R` must end the whole job promptly with a non-zero code and `rank R: <what>` on
// stderr while the other rank waits in a collective (it would hang without MPI_Abort).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/log.h"
#include "tests/test_util.h"
#include "worker/mpi_boundary.h"

namespace melograph {
namespace {

// `timeout` ends a hung job with 124; the boundary must end it long before.
constexpr int kTimeoutSeconds = 60;

testing::CommandResult RunUnderMpirun(int ranks, const std::string& args, double* seconds) {
  const std::string command = "timeout " + std::to_string(kTimeoutSeconds) + " " +
                              MELOGRAPH_MPIEXEC + " -np " + std::to_string(ranks) +
                              " --oversubscribe --allow-run-as-root " + MELOGRAPH_BINARY + " " +
                              args;
  const auto start = std::chrono::steady_clock::now();
  testing::CommandResult r = testing::Run(command);
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

TEST(MpiBoundary, selftest_passes_on_two_ranks) {
  double seconds = 0;
  const auto r = RunUnderMpirun(2, "mpi-selftest --chunk-bytes 5", &seconds);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ranks: 2\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("alltoallv: ok\n"), std::string::npos) << r.output;
  // Largest pair: rank 1 -> rank 1 sends 4 uint64 = 32 bytes; 5-byte chunks take 7 rounds.
  EXPECT_NE(r.output.find("chunked_alltoallv_rounds: 7\n"), std::string::npos) << r.output;
  // Rank 0 sends 2 values (16 bytes) to rank 1 and receives 2 from it.
  EXPECT_NE(r.output.find("rank0_bytes_sent: 16\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rank0_bytes_received: 16\n"), std::string::npos) << r.output;
}

TEST(MpiBoundary, failing_rank_aborts_the_whole_job_with_its_message) {
  for (const char* extra : {"", " --hang-check"}) {
    double seconds = 0;
    const auto r = RunUnderMpirun(2, std::string("mpi-selftest --fail-rank 1") + extra, &seconds);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.exit_code, 124) << "job hung until timeout:\n" << r.output;
    EXPECT_LT(seconds, kTimeoutSeconds / 2.0) << r.output;
    EXPECT_NE(r.output.find("rank 1: mpi-selftest: deliberate failure on rank 1"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("rank 0: "), std::string::npos) << "only the failing rank reports:\n"
                                                            << r.output;
  }
}

TEST(MpiBoundary, failing_rank_zero_also_aborts) {
  double seconds = 0;
  const auto r = RunUnderMpirun(2, "mpi-selftest --fail-rank 0", &seconds);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << r.output;
  EXPECT_NE(r.output.find("rank 0: mpi-selftest: deliberate failure on rank 0"), std::string::npos)
      << r.output;
}

TEST(MpiBoundary, usage_error_on_every_rank_is_reported_by_each) {
  double seconds = 0;
  const auto r = RunUnderMpirun(2, "mpi-selftest --fail-rank 5", &seconds);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << r.output;
  EXPECT_NE(r.output.find(": --fail-rank 5 >= 2 ranks"), std::string::npos) << r.output;
}

TEST(MpiBoundary, without_mpi_the_boundary_prints_the_plain_prefix_and_returns) {
  // MPI is not initialised in this process, so ReportFatalError must return rather than abort.
  ::testing::internal::CaptureStderr();
  const int code = ReportFatalError("graph.csr: truncated");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err, LogRank() >= 0 ? "rank " + std::to_string(LogRank()) + ": graph.csr: truncated\n"
                                : "melograph: error: graph.csr: truncated\n");
  SetLogRank(3);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ReportFatalError("bad flag"), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "rank 3: bad flag\n");
  SetLogRank(-1);
}

}  // namespace
}  // namespace melograph
