// The gtest main of every add_mpi_test executable (cmake/MelographHelpers.cmake).
//
// Contract: initialises MPI (MpiEnvironment), runs the same tests on every rank, and then gathers
// every rank's failures so that rank 0 prints them ("[rank N] FAILED Suite.Test at file:line:
// message"); every rank exits non-zero if any rank had a failure, so mpiexec and CTest see it.
// Only rank 0 prints gtest's usual progress; other ranks print their own failures as they
// happen. An exception escaping the main goes through the error boundary (MPI_Abort).
// Test bodies must call collectives in the same order on every rank; a test that fails on one
// rank must not skip a collective the others enter (use EXPECT_*, not ASSERT_*, before one).
#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "worker/communicator.h"
#include "worker/mpi_boundary.h"
#include "worker/mpi_environment.h"

namespace {

class FailureCollector : public ::testing::EmptyTestEventListener {
 public:
  FailureCollector(int rank, bool echo) : rank_(rank), echo_(echo) {}
  void OnTestStart(const ::testing::TestInfo& info) override {
    current_ = std::string(info.test_suite_name()) + "." + info.name();
  }
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::string line = "[rank " + std::to_string(rank_) + "] FAILED " + current_ + " at " +
                       (result.file_name() ? result.file_name() : "?") + ":" +
                       std::to_string(result.line_number()) + ": " + result.summary() + "\n";
    if (echo_) std::fputs(line.c_str(), stderr);
    failures_ += line;
  }
  const std::string& failures() const { return failures_; }

 private:
  int rank_;
  bool echo_;
  std::string current_;
  std::string failures_;
};

int RunAllRanks(int* argc, char*** argv) {
  melograph::MpiEnvironment env(argc, argv);
  ::testing::InitGoogleTest(argc, *argv);
  melograph::Communicator comm;
  ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (comm.rank() != 0) delete listeners.Release(listeners.default_result_printer());
  auto* collector = new FailureCollector(comm.rank(), comm.rank() != 0);
  listeners.Append(collector);  // gtest owns it
  const int local_rc = RUN_ALL_TESTS();
  const std::string failures = collector->failures();
  const bool local_failed = local_rc != 0 || !failures.empty();
  const std::vector<std::string> all = comm.AllgatherStrings(failures);
  const int64_t failed_ranks =
      comm.Allreduce(int64_t{local_failed ? 1 : 0}, melograph::ReduceOp::kSum);
  if (comm.rank() == 0) {
    if (failed_ranks > 0) {
      std::fprintf(stderr, "mpi_test_main: %lld of %d ranks failed:\n",
                   static_cast<long long>(failed_ranks), comm.size());
      for (const std::string& f : all) std::fputs(f.c_str(), stderr);
    } else {
      std::fprintf(stderr, "mpi_test_main: all %d ranks passed\n", comm.size());
    }
  }
  return failed_ranks > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return RunAllRanks(&argc, &argv);
  } catch (const std::exception& e) {
    return melograph::ReportFatalError(e.what());
  }
}
