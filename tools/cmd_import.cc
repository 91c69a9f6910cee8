// Placeholder until the subcommand lands.
#include "common/error.h"
#include "tools/commands.h"

namespace melograph::cli {
void RegisterImport(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "(not yet implemented)");
  cmd->callback([] { throw UsageError("not implemented yet"); });
}
}  // namespace melograph::cli
