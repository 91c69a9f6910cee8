// melograph: the single command-line entry point. The only place that wires subcommands to the
// libraries, and the one error boundary: any melograph::Error (or other exception) is reported
// on stderr as "melograph: error: <what>" (prefixed with the rank under MPI) and the process
// exits non-zero.
#include <cstdio>
#include <exception>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"melograph: distributed graph learning for music recommendation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "melograph 0.1.0");
  melograph::cli::RegisterGenerate(app);
  melograph::cli::RegisterBuildKg(app);
  melograph::cli::RegisterImport(app);
  melograph::cli::RegisterBuildGraph(app);
  melograph::cli::RegisterStats(app);
  melograph::cli::RegisterPartition(app);
  melograph::cli::RegisterEval(app);
  melograph::cli::RegisterRecall(app);
  melograph::cli::RegisterExport(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    const int rank = melograph::LogRank();
    std::string prefix = rank >= 0 ? "rank " + std::to_string(rank) + ": " : "melograph: error: ";
    std::fprintf(stderr, "%s%s\n", prefix.c_str(), e.what());
    return 1;
  }
  return 0;
}
