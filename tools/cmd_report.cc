// `melograph report RUN`: a self-contained HTML page with SVG charts of a training run
// (worker/run_report.h).
#include <iostream>

#include "common/file_util.h"
#include "tools/commands.h"
#include "worker/run_report.h"

namespace melograph::cli {

void RegisterReport(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report",
      "Draw a training run as one self-contained HTML page (SVG charts, no network needed): loss and "
      "Recall@K per epoch, throughput per rank, time split between sampling, exchange and compute, and "
      "the partition's balance.");
  auto run = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto partition = std::make_shared<std::string>();
  cmd->add_option("run", *run, "Run directory written by `melograph train` (RUN/metrics/rank-<k>.csv).")->required();
  cmd->add_option("--out", *out, "HTML file to write (default RUN/report.html), atomically.");
  cmd->add_option("--partition", *partition,
                  "Partition directory for the balance chart (default: the one in RUN/train_info.txt).");
  cmd->callback([run, out, partition] {
    const std::string path = out->empty() ? JoinPath(*run, "report.html") : *out;
    WriteWholeFile(path, RenderRunReport(LoadReportInputs(*run, *partition)));
    std::cout << "report: " << path << "\n";
  });
}

}  // namespace melograph::cli
