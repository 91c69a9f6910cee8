// `melograph report RUN`: one self-contained HTML page (inline SVG, no scripts, no network) that
// shows a training run: loss and Recall@K per epoch, throughput per rank, the time split between
// sampling, exchange and compute per rank, and the partition's balance per part.
//
// Inputs: RUN/metrics/rank-<k>.csv (worker/train_metrics.h, required), RUN/manifest.pb (run
// header, optional), and a partition directory (optional: `partition_dir`, or the
// `partition: DIR` line of RUN/train_info.txt when present).
//
// Contract: RenderRunReport is a pure function of those files; a run without metrics is a
// FormatError naming the directory; damaged metrics propagate InputError (file, line, column).
// Every value shown is HTML-escaped.
#pragma once

#include <string>
#include <vector>

#include "worker/train_metrics.h"

namespace melograph {

struct ReportInputs {
  std::string title;                                // e.g. the run directory
  std::vector<std::string> facts;                   // "key: value" lines shown at the top
  std::vector<std::vector<EpochMetrics>> per_rank;  // metrics of every rank
  // Partition balance: per part nodes / CSR entries / seeds (empty when unknown).
  std::vector<int64_t> part_nodes, part_edges, part_seeds;
  std::string partition_method;
};

// Reads the inputs of a run directory.
ReportInputs LoadReportInputs(const std::string& run_dir, const std::string& partition_dir);
std::string RenderRunReport(const ReportInputs& in);

}  // namespace melograph
