// melograph: the single command-line entry point. The only place that wires subcommands to the
// libraries, and the one error boundary: any melograph::Error (or other exception) is reported
// on stderr as "melograph: error: <what>" and the process exits non-zero; under MPI it is
// reported as "rank N: <what>" and the whole job ends through MPI_Abort (worker/mpi_boundary.h).
#include <cstdio>
#include <exception>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "tools/commands.h"
#include "worker/mpi_boundary.h"

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
  melograph::cli::RegisterSample(app);
  melograph::cli::RegisterEval(app);
  melograph::cli::RegisterRecall(app);
  melograph::cli::RegisterExport(app);
  melograph::cli::RegisterTrainLocal(app);
  melograph::cli::RegisterReport(app);
  melograph::cli::RegisterTrain(app);
  melograph::cli::RegisterPlan(app);
  melograph::cli::RegisterMpiSelftest(app);
  melograph::cli::RegisterUpdate(app);
  melograph::cli::RegisterBandit(app);
  melograph::cli::RegisterFm(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Under MPI this prints "rank N: <what>" and MPI_Aborts the whole job (never returns).
    return melograph::ReportFatalError(e.what());
  }
  return 0;
}
