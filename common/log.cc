#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace melograph {
namespace {
std::atomic<int> g_rank{-1};
std::atomic<bool> g_quiet{false};

void Emit(std::string_view level, std::string_view message) {
  std::string line;
  const int rank = g_rank.load();
  if (rank >= 0) line += "[rank " + std::to_string(rank) + "] ";
  line += level;
  line += message;
  line += '\n';
  ssize_t unused = ::write(2, line.data(), line.size());
  (void)unused;
}
}  // namespace

void SetLogRank(int rank) { g_rank = rank; }
int LogRank() { return g_rank.load(); }
void SetLogQuiet(bool quiet) { g_quiet = quiet; }
void LogInfo(std::string_view message) {
  if (!g_quiet.load()) Emit("", message);
}
void LogWarning(std::string_view message) { Emit("warning: ", message); }

}  // namespace melograph
