// Minimal logging to stderr, prefixed with the process's rank once the runtime sets it.
#pragma once

#include <string_view>

namespace melograph {

void SetLogRank(int rank);
int LogRank();  // -1 when not running under MPI
void SetLogQuiet(bool quiet);
// Writes "[rank N] message\n" (or "message\n" without a rank) to stderr as one write.
void LogInfo(std::string_view message);
void LogWarning(std::string_view message);

}  // namespace melograph
