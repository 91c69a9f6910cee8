// `melograph mpi-selftest`: a diagnostic run under mpirun. Checks a few collectives and the
// batched exchange (plain and force-chunked) against values every rank can compute, and prints
// `key: value` lines on rank 0. With --fail-rank R, rank R throws while the other ranks wait in
// a collective, which exercises the error boundary: the job must end with `rank R: ...` and a
// non-zero code, not hang.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "tools/commands.h"
#include "worker/communicator.h"
#include "worker/mpi_environment.h"

namespace melograph::cli {
namespace {

struct SelftestOptions {
  int fail_rank = -1;
  bool hang_check = false;
  int64_t chunk_bytes = 7;
  uint64_t seed = 1;
};

// Buffer rank `source` sends to rank `dest`: (source + 1) * (dest + 1) values from the seed.
std::vector<uint64_t> Payload(uint64_t seed, int source, int dest) {
  std::vector<uint64_t> v(static_cast<size_t>((source + 1) * (dest + 1)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = HashCombine(seed, source, dest, i);
  return v;
}

void Expect(bool ok, const std::string& what) {
  if (!ok) throw Error("mpi-selftest: check failed: " + what);
}

void RunSelftest(const SelftestOptions& o) {
  MpiEnvironment env;
  Communicator comm;
  const int rank = comm.rank(), size = comm.size();
  if (o.fail_rank >= size)
    throw UsageError("--fail-rank " + std::to_string(o.fail_rank) + " >= " + std::to_string(size) +
                     " ranks");
  const int64_t rank_sum = comm.Allreduce(static_cast<int64_t>(rank), ReduceOp::kSum);
  Expect(rank_sum == int64_t{size} * (size - 1) / 2, "allreduce sum of ranks");
  const std::vector<int> ranks = comm.Allgather(rank);
  for (int r = 0; r < size; ++r) Expect(ranks[static_cast<size_t>(r)] == r, "allgather of ranks");
  std::string greeting = rank == 0 ? "melograph selftest" : "";
  comm.Bcast(greeting, 0);
  Expect(greeting == "melograph selftest", "bcast of a string");

  if (o.fail_rank >= 0) {
    if (rank == o.fail_rank) {
      // With --hang-check, give the other ranks time to block inside the collective first.
      if (o.hang_check) std::this_thread::sleep_for(std::chrono::milliseconds(500));
      throw Error("mpi-selftest: deliberate failure on rank " + std::to_string(rank));
    }
    comm.Allreduce(int64_t{1}, ReduceOp::kSum);  // never completes: rank fail_rank is gone
    throw Error("mpi-selftest: a collective completed without rank " + std::to_string(o.fail_rank));
  }

  std::vector<std::vector<uint64_t>> send(static_cast<size_t>(size));
  for (int d = 0; d < size; ++d) send[static_cast<size_t>(d)] = Payload(o.seed, rank, d);
  const auto plain = comm.AllToAllV(send);
  const ExchangeStats plain_stats = comm.last_exchange();
  for (int s = 0; s < size; ++s)
    Expect(plain[static_cast<size_t>(s)] == Payload(o.seed, s, rank), "alltoallv payload");
  comm.set_max_chunk_bytes(o.chunk_bytes);
  const auto chunked = comm.AllToAllV(send);
  const ExchangeStats chunked_stats = comm.last_exchange();
  Expect(chunked == plain, "chunked alltoallv equals the plain one");
  MELOGRAPH_ASSERT_ALL_AGREE(comm, size, "the rank count");
  comm.Barrier();
  if (rank == 0) {
    std::printf("ranks: %d\ncollectives: ok\nalltoallv: ok\n", size);
    std::printf("alltoallv_rounds: %lld\nchunked_alltoallv_rounds: %lld\n",
                static_cast<long long>(plain_stats.rounds),
                static_cast<long long>(chunked_stats.rounds));
    std::printf("rank0_bytes_sent: %lld\nrank0_bytes_received: %lld\n",
                static_cast<long long>(plain_stats.bytes_sent),
                static_cast<long long>(plain_stats.bytes_received));
    std::fflush(stdout);
  }
}

}  // namespace

void RegisterMpiSelftest(CLI::App& app) {
  auto opts = std::make_shared<SelftestOptions>();
  auto* cmd =
      app.add_subcommand("mpi-selftest",
                         "Diagnostic: check collectives and the chunked exchange under mpirun; "
                         "--fail-rank tests that a failing rank ends the whole job");
  cmd->group("Diagnostics");
  cmd->add_option("--fail-rank", opts->fail_rank,
                  "Rank that throws after the first collectives while the others wait in an "
                  "allreduce; the job must end with 'rank R: ...' and a non-zero code")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag(
      "--hang-check", opts->hang_check,
      "With --fail-rank: the failing rank waits 0.5 s before throwing, so the other ranks "
      "are surely blocked inside the collective when the job is aborted");
  cmd->add_option("--chunk-bytes", opts->chunk_bytes,
                  "MPI message size limit (bytes) for the force-chunked exchange (default 7)")
      ->check(CLI::Range(int64_t{1}, Communicator::kMaxMpiCount));
  cmd->add_option("--seed", opts->seed, "Seed of the exchanged payload values (default 1)");
  cmd->callback([opts] { RunSelftest(*opts); });
}

}  // namespace melograph::cli
