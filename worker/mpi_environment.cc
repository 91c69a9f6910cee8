// MpiEnvironment implementation (contract in mpi_environment.h).
#include "worker/mpi_environment.h"

#include <mpi.h>

#include <exception>

#include "common/log.h"
#include "worker/communicator.h"

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang (before 16) only answers
// __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define MELOGRAPH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MELOGRAPH_ASAN 1
#endif
#endif

#if defined(MELOGRAPH_ASAN)
#include <sanitizer/lsan_interface.h>

// Open MPI keeps (and never frees) memory allocated in MPI_Init/MPI_Finalize and in its helper
// threads; LeakSanitizer must not report it as ours. Init/Finalize run with leak tracking
// disabled, and the leak check runs just before MPI_Finalize (while the MPI libraries are still
// mapped, so their frames have names) with the suppressions below. Our own code stays
// leak-checked; only what leaks after MPI_Finalize goes unchecked in sanitizer builds.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libmpi.so\nleak:libopen-rte.so\nleak:libopen-pal.so\nleak:libevent_core\n"
         "leak:libevent_pthreads\nleak:libpmix.so\nleak:libhwloc.so\nleak:mca_\n";
}
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#define MELOGRAPH_LSAN_DISABLE() __lsan_disable()
#define MELOGRAPH_LSAN_ENABLE() __lsan_enable()
#define MELOGRAPH_LSAN_CHECK_NOW() __lsan_do_leak_check()
#else
#define MELOGRAPH_LSAN_CHECK_NOW() ((void)0)
#define MELOGRAPH_LSAN_DISABLE() ((void)0)
#define MELOGRAPH_LSAN_ENABLE() ((void)0)
#endif

namespace melograph {

MpiEnvironment::MpiEnvironment(int* argc, char*** argv)
    : uncaught_at_start_(std::uncaught_exceptions()) {
  int initialised = 0;
  CheckMpi(MPI_Initialized(&initialised), "MPI_Initialized");
  if (!initialised) {
    int provided = 0;
    MELOGRAPH_LSAN_DISABLE();
    const int rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MELOGRAPH_LSAN_ENABLE();
    CheckMpi(rc, "MPI_Init_thread");
    owns_ = true;
    if (provided < MPI_THREAD_FUNNELED)
      throw MpiError("MPI_Init_thread: the MPI library does not provide MPI_THREAD_FUNNELED");
  }
  CheckMpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  CheckMpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  CheckMpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  SetLogRank(rank_);
}

MpiEnvironment::~MpiEnvironment() {
  if (!owns_ || std::uncaught_exceptions() > uncaught_at_start_) return;
  if (!Active()) return;
  MELOGRAPH_LSAN_CHECK_NOW();
  MELOGRAPH_LSAN_DISABLE();
  MPI_Finalize();  // a destructor cannot throw; a failed finalise is not reportable
  MELOGRAPH_LSAN_ENABLE();
}

bool MpiEnvironment::Active() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised && !finalised;
}

}  // namespace melograph
