// Placeholder until the subcommand lands.
#include "common/error.h"
#include "tools/commands.h"

namespace melograph::cli {
void RegisterStats(CLI::App& app) {
  auto* cmd = app.add_subcommand("stats", "(not yet implemented)");
  cmd->callback([] { throw UsageError("not implemented yet"); });
}
}  // namespace melograph::cli
