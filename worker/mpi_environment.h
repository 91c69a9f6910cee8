// MpiEnvironment: RAII start and end of MPI for a process (one per process, in main or in a
// subcommand that runs under mpirun).
//
// Contract:
//  * The constructor calls MPI_Init_thread(MPI_THREAD_FUNNELED) unless MPI is already
//    initialised, sets MPI_ERRORS_RETURN on MPI_COMM_WORLD and sets the log rank
//    (common/log.h), so every log line and the error boundary name the rank. Throws MpiError.
//  * The destructor calls MPI_Finalize only when it is not run by an exception unwinding the
//    stack: MPI_Finalize synchronises with the other ranks, so finalising on a failing rank would
//    hang the job. The error boundary (worker/mpi_boundary.h) then ends the job with MPI_Abort.
//  * Works without mpirun too (Open MPI singleton: one rank).
#pragma once

namespace melograph {

class MpiEnvironment {
 public:
  // argc/argv may be null (subcommand callbacks do not see them).
  explicit MpiEnvironment(int* argc = nullptr, char*** argv = nullptr);
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

  int world_rank() const { return rank_; }
  int world_size() const { return size_; }

  // True between MPI_Init and MPI_Finalize (whoever called them).
  static bool Active();

 private:
  bool owns_ = false;  // this object initialised MPI and must finalise it
  int uncaught_at_start_ = 0;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace melograph
