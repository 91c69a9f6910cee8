// The rank-aware error boundary: what the one catch in tools/main.cc (and the MPI test main)
// does with an exception.
//
// Contract: ReportFatalError(what) writes one line to stderr in a single write():
//  * under MPI (MPI initialised and not finalised): "rank N: <what>", then
//    MPI_Abort(MPI_COMM_WORLD, 1), which ends every rank of the job promptly with a non-zero
//    code, including ranks blocked in a collective. It does not return.
//  * otherwise: "melograph: error: <what>" (or "rank N: <what>" if a rank was set for logging)
//    and returns the exit code (1) for main to return.
#pragma once

#include <string_view>

namespace melograph {

int ReportFatalError(std::string_view what);

}  // namespace melograph
