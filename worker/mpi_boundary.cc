// Error boundary implementation (contract in mpi_boundary.h).
#include "worker/mpi_boundary.h"

#include <mpi.h>
#include <unistd.h>

#include <string>

#include "common/log.h"
#include "worker/mpi_environment.h"

namespace melograph {

int ReportFatalError(std::string_view what) {
  const bool under_mpi = MpiEnvironment::Active();
  int rank = LogRank();
  if (under_mpi && MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS) rank = LogRank();
  std::string line = rank >= 0 ? "rank " + std::to_string(rank) + ": " : "melograph: error: ";
  line += what;
  line += '\n';
  ssize_t unused = ::write(2, line.data(), line.size());
  (void)unused;
  if (under_mpi) MPI_Abort(MPI_COMM_WORLD, 1);  // does not return
  return 1;
}

}  // namespace melograph
