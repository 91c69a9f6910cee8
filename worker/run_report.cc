#include "worker/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "common/error.h"
#include "common/file_util.h"
#include "common/line_reader.h"
#include "common/svg_chart.h"
#include "partition/partition_view.h"
#include "proto/run_manifest.pb.h"

namespace melograph {
namespace {

// The charts live in common/svg_chart.h; these short names keep the page code below readable.
using Series = ChartSeries;
std::string Escape(std::string_view s) { return SvgEscape(s); }
std::string Num(double v, const char* fmt = "%.4g") { return SvgNum(v, fmt); }
std::string LineChart(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<double>& xs, const std::vector<Series>& series) {
  return SvgLineChart(title, x_label, y_label, xs, series);
}
std::string BarChart(const std::string& title, const std::string& y_label, const std::vector<std::string>& categories,
                     const std::vector<Series>& series, bool stacked) {
  return SvgBarChart(title, y_label, categories, series, stacked);
}

std::string PartitionFromInfo(const std::string& run_dir) {
  const std::string path = JoinPath(run_dir, "train_info.txt");
  if (!PathExists(path)) return "";
  LineReader reader(path);
  std::string_view line;
  while (reader.Next(line))
    if (line.rfind("partition: ", 0) == 0) return std::string(line.substr(11));
  return "";
}

}  // namespace

ReportInputs LoadReportInputs(const std::string& run_dir, const std::string& partition_dir) {
  ReportInputs in;
  in.title = run_dir;
  in.per_rank = ReadRunMetrics(run_dir);
  if (in.per_rank.empty())
    throw FormatError(run_dir + ": no training metrics (expected " + MetricsPath(run_dir, 0) + ")");
  const std::string manifest = JoinPath(run_dir, "manifest.pb");
  if (PathExists(manifest)) {
    proto::RunManifest m;
    if (!m.ParseFromString(ReadWholeFile(manifest))) throw FormatError(manifest + ": unparsable RunManifest");
    in.facts.push_back("model: " + m.header().model());
    in.facts.push_back("dim: " + std::to_string(m.header().dim()));
    in.facts.push_back("epoch: " + std::to_string(m.header().epoch()));
    in.facts.push_back("seed: " + std::to_string(m.header().seed()));
    in.facts.push_back("graph: " + m.header().graph().dir());
  }
  in.facts.push_back("ranks: " + std::to_string(in.per_rank.size()));
  const std::string pdir = partition_dir.empty() ? PartitionFromInfo(run_dir) : partition_dir;
  if (!pdir.empty()) {
    const proto::PartitionManifest pm = LoadPartitionManifest(pdir);
    in.partition_method = pm.method();
    in.facts.push_back("partition: " + pdir + " (" + pm.method() + ", K=" + std::to_string(pm.num_parts()) +
                       ", edge cut " + Num(pm.quality().edge_cut_fraction()) + ")");
    for (const auto& p : pm.parts()) {
      in.part_nodes.push_back(p.nodes());
      in.part_edges.push_back(p.edges());
      in.part_seeds.push_back(p.seeds());
    }
  }
  return in;
}

std::string RenderRunReport(const ReportInputs& in) {
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>melograph report: " + Escape(in.title) +
      "</title>\n<style>body{font-family:sans-serif;margin:24px;max-width:1340px}"
      "svg{border:1px solid #eee;margin:6px}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head><body>\n";
  html += "<h1>melograph training report</h1>\n<p><code>" + Escape(in.title) + "</code></p>\n<ul>\n";
  for (const auto& f : in.facts) html += "<li>" + Escape(f) + "</li>\n";
  html += "</ul>\n";

  // Epochs present on rank 0 define the x axis; other ranks align by epoch number.
  std::vector<double> epochs;
  for (const auto& m : in.per_rank.front()) epochs.push_back(static_cast<double>(m.epoch));
  auto by_epoch = [&](const std::vector<EpochMetrics>& rows, auto get) {
    std::vector<std::optional<double>> out(epochs.size());
    for (size_t i = 0; i < epochs.size(); ++i)
      for (const auto& m : rows)
        if (static_cast<double>(m.epoch) == epochs[i]) out[i] = get(m);
    return out;
  };
  std::vector<Series> loss;
  for (size_t r = 0; r < in.per_rank.size(); ++r)
    loss.push_back({"rank " + std::to_string(r), by_epoch(in.per_rank[r], [](const EpochMetrics& m) { return std::optional<double>(m.loss); })});
  html += "<h2>Loss and quality per epoch</h2>\n";
  html += LineChart("Training loss per epoch", "epoch", "mean loss", epochs, loss);
  int eval_k = 20;
  for (const auto& m : in.per_rank.front()) eval_k = m.eval_k;
  std::vector<Series> quality{
      {"recall@" + std::to_string(eval_k), by_epoch(in.per_rank.front(), [](const EpochMetrics& m) { return m.recall; })},
      {"ndcg@" + std::to_string(eval_k), by_epoch(in.per_rank.front(), [](const EpochMetrics& m) { return m.ndcg; })}};
  bool any_eval = false;
  for (const auto& v : quality[0].values) any_eval |= v.has_value();
  if (any_eval) html += LineChart("Recall and NDCG per epoch (rank 0 evaluation)", "epoch", "metric", epochs, quality);
  else html += "<p>No evaluation ran during training (use <code>--eval-every N</code>).</p>\n";

  // Memory: a soak shows whether each rank's peak stays flat after the first epoch.
  std::vector<Series> memory;
  bool any_rss = false;
  for (size_t r = 0; r < in.per_rank.size(); ++r) {
    memory.push_back({"rank " + std::to_string(r), by_epoch(in.per_rank[r], [](const EpochMetrics& m) {
                        return m.peak_rss_bytes > 0 ? std::optional<double>(static_cast<double>(m.peak_rss_bytes) / 1e6)
                                                    : std::nullopt;
                      })});
    for (const auto& m : in.per_rank[r]) any_rss |= m.peak_rss_bytes > 0;
  }
  if (any_rss) html += LineChart("Peak resident memory per rank (end of each epoch)", "epoch", "MB", epochs, memory);

  // Per rank: throughput and time split, averaged over the epochs each rank recorded.
  std::vector<std::string> ranks;
  Series throughput{"examples/s", {}}, sample{"sampling", {}}, exchange{"exchange", {}}, compute{"compute", {}}, other{"other", {}};
  Series sent{"MB sent/epoch", {}};
  for (size_t r = 0; r < in.per_rank.size(); ++r) {
    ranks.push_back("rank " + std::to_string(r));
    double ex = 0, sec = 0, s = 0, x = 0, c = 0, b = 0;
    for (const auto& m : in.per_rank[r]) {
      ex += static_cast<double>(m.examples), sec += m.seconds, s += m.sample_seconds;
      x += m.exchange_seconds, c += m.compute_seconds, b += static_cast<double>(m.bytes_sent);
    }
    const double n = std::max<double>(1, static_cast<double>(in.per_rank[r].size()));
    throughput.values.push_back(sec > 0 ? ex / sec : 0);
    sample.values.push_back(s / n);
    exchange.values.push_back(x / n);
    compute.values.push_back(c / n);
    other.values.push_back(std::max(0.0, (sec - s - x - c) / n));
    sent.values.push_back(b / n / 1e6);
  }
  html += "<h2>Throughput and time per rank</h2>\n";
  html += BarChart("Training examples per second, per rank", "examples/s", ranks, {throughput}, false);
  html += BarChart("Seconds per epoch: sampling, exchange, compute", "seconds", ranks, {sample, exchange, compute, other}, true);
  html += BarChart("Bytes sent to other ranks per epoch", "MB", ranks, {sent}, false);

  if (!in.part_nodes.empty()) {
    std::vector<std::string> parts;
    auto normalised = [](const std::vector<int64_t>& v) {
      double mean = 0;
      for (int64_t x : v) mean += static_cast<double>(x);
      mean /= std::max<double>(1, static_cast<double>(v.size()));
      Series s;
      for (int64_t x : v) s.values.push_back(mean > 0 ? static_cast<double>(x) / mean : 0);
      return s;
    };
    Series nodes = normalised(in.part_nodes), edges = normalised(in.part_edges), seeds = normalised(in.part_seeds);
    nodes.name = "nodes", edges.name = "edges", seeds.name = "seeds";
    for (size_t p = 0; p < in.part_nodes.size(); ++p) parts.push_back("part " + std::to_string(p));
    html += "<h2>Partition balance (" + Escape(in.partition_method) + ")</h2>\n";
    html += BarChart("Load per part / mean load (1 = perfect balance)", "load / mean", parts, {nodes, edges, seeds}, false);
    html += "<table><tr><th>part</th><th>nodes</th><th>edges</th><th>seeds</th></tr>\n";
    for (size_t p = 0; p < in.part_nodes.size(); ++p)
      html += "<tr><td>" + std::to_string(p) + "</td><td>" + std::to_string(in.part_nodes[p]) + "</td><td>" +
              std::to_string(in.part_edges[p]) + "</td><td>" + std::to_string(in.part_seeds[p]) + "</td></tr>\n";
    html += "</table>\n";
  }

  html += "<h2>Per-epoch figures (rank 0)</h2>\n<table><tr><th>epoch</th><th>steps</th><th>loss</th><th>seconds</th>"
          "<th>examples/s</th><th>recall</th><th>ndcg</th></tr>\n";
  for (const auto& m : in.per_rank.front())
    html += "<tr><td>" + std::to_string(m.epoch) + "</td><td>" + std::to_string(m.steps) + "</td><td>" + Num(m.loss, "%.5f") +
            "</td><td>" + Num(m.seconds, "%.2f") + "</td><td>" + Num(m.examples_per_second(), "%.0f") + "</td><td>" +
            (m.recall ? Num(*m.recall, "%.4f") : "") + "</td><td>" + (m.ndcg ? Num(*m.ndcg, "%.4f") : "") + "</td></tr>\n";
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace melograph
