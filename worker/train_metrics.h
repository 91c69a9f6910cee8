// Per-epoch training metrics: what every rank appends to RUN/metrics/rank-<k>.csv and what
// `melograph report` draws.
//
// File format: CSV with a header line naming the columns (kMetricColumns, in that order), then one
// line per finished epoch. Numbers are plain decimal; an evaluation column is empty when no
// evaluation ran at that epoch (only rank 0 evaluates).
//
// Contract:
//  * AppendEpochMetrics rewrites the whole file atomically (read, append, AtomicFile), so a crash
//    leaves the previous good file; a resumed run first truncates rows after its resume epoch
//    (TruncateMetrics) so epochs are never duplicated.
//  * ReadMetricsFile validates the header and every field and throws InputError naming the file,
//    line and column on a malformed line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace melograph {

struct EpochMetrics {
  int64_t epoch = 0;
  int64_t steps = 0;             // optimiser steps in this epoch
  int64_t examples = 0;          // training examples (edges, pairs) this rank processed
  double loss = 0;               // mean loss over the epoch on this rank
  double seconds = 0;            // wall time of the epoch
  double sample_seconds = 0;     // time in the samplers (including their exchanges)
  double exchange_seconds = 0;   // time in embedding pull/push and allreduce
  double compute_seconds = 0;    // forward/backward/optimiser
  int64_t bytes_sent = 0;        // payload bytes to other ranks
  int64_t bytes_received = 0;
  std::optional<double> recall;  // at eval_k, when evaluated
  std::optional<double> ndcg;
  int eval_k = 20;
  int64_t peak_rss_bytes = 0;    // this rank's peak resident set so far (VmHWM) at the epoch's end
  int64_t rss_bytes = 0;         // its resident set at the epoch's end (VmRSS)

  double examples_per_second() const { return seconds > 0 ? static_cast<double>(examples) / seconds : 0; }
};

inline constexpr const char* kMetricColumns =
    "epoch,steps,examples,loss,seconds,sample_seconds,exchange_seconds,compute_seconds,"
    "bytes_sent,bytes_received,eval_k,recall,ndcg,peak_rss_bytes,rss_bytes";

std::string MetricsPath(const std::string& run_dir, int rank);

void AppendEpochMetrics(const std::string& path, const EpochMetrics& m);
// Keeps only rows with epoch < first_dropped_epoch (no-op when the file does not exist).
void TruncateMetrics(const std::string& path, int64_t first_dropped_epoch);
std::vector<EpochMetrics> ReadMetricsFile(const std::string& path);
// Every RUN/metrics/rank-<k>.csv, indexed by k (k = 0, 1, ... until the first missing file).
std::vector<std::vector<EpochMetrics>> ReadRunMetrics(const std::string& run_dir);

}  // namespace melograph
