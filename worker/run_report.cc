#include "worker/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "common/error.h"
#include "common/file_util.h"
#include "common/line_reader.h"
#include "partition/partition_view.h"
#include "proto/run_manifest.pb.h"

namespace melograph {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr int kWidth = 640, kHeight = 300;
constexpr int kLeft = 70, kRight = 150, kTop = 30, kBottom = 45;

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double v, const char* fmt = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// A "nice" tick step covering [0, max] in about 5 steps.
double NiceStep(double max) {
  if (!(max > 0)) return 1;
  const double raw = max / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

struct Series {
  std::string name;
  std::vector<std::optional<double>> values;
};

// Frame, title, y grid with labels; returns the y scale top.
std::string Frame(const std::string& title, const std::string& y_label, double y_max, double& top) {
  const double step = NiceStep(y_max);
  top = std::max(step, std::ceil(y_max / step) * step);
  const int plot_h = kHeight - kTop - kBottom;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                  "\" height=\"" + std::to_string(kHeight) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<text x=\"" + std::to_string(kWidth / 2) + "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
       Escape(title) + "</text>\n";
  for (double v = 0; v <= top + step / 2; v += step) {
    const double y = kTop + plot_h - v / top * plot_h;
    s += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y1=\"" +
         Num(y, "%.1f") + "\" y2=\"" + Num(y, "%.1f") + "\" stroke=\"#ddd\"/>";
    s += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + Num(y + 4, "%.1f") + "\" text-anchor=\"end\">" +
         Num(v) + "</text>\n";
  }
  s += "<text transform=\"translate(14," + std::to_string(kTop + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       Escape(y_label) + "</text>\n";
  return s;
}

std::string Legend(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    const int y = kTop + 10 + static_cast<int>(i) * 16;
    s += "<rect x=\"" + std::to_string(kWidth - kRight + 12) + "\" y=\"" + std::to_string(y - 8) +
         "\" width=\"10\" height=\"10\" fill=\"" + kPalette[i % 10] + "\"/>";
    s += "<text x=\"" + std::to_string(kWidth - kRight + 26) + "\" y=\"" + std::to_string(y + 1) + "\">" +
         Escape(names[i]) + "</text>\n";
  }
  return s;
}

std::string LineChart(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<double>& xs, const std::vector<Series>& series) {
  double y_max = 0, x_min = std::numeric_limits<double>::max(), x_max = std::numeric_limits<double>::lowest();
  for (const auto& se : series)
    for (const auto& v : se.values)
      if (v) y_max = std::max(y_max, *v);
  for (double x : xs) x_min = std::min(x_min, x), x_max = std::max(x_max, x);
  if (xs.empty()) x_min = 0, x_max = 1;
  if (x_max == x_min) x_max = x_min + 1;
  double top;
  std::string s = Frame(title, y_label, y_max, top);
  const int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - y / top * plot_h; };
  // x ticks at every x (at most ~12 labels).
  const size_t every = std::max<size_t>(1, xs.size() / 12 + (xs.size() % 12 != 0 ? 1 : 0));
  for (size_t i = 0; i < xs.size(); i += every)
    s += "<text x=\"" + Num(px(xs[i]), "%.1f") + "\" y=\"" + std::to_string(kHeight - kBottom + 15) +
         "\" text-anchor=\"middle\">" + Num(xs[i]) + "</text>";
  s += "<text x=\"" + std::to_string(kLeft + plot_w / 2) + "\" y=\"" + std::to_string(kHeight - 8) +
       "\" text-anchor=\"middle\">" + Escape(x_label) + "</text>\n";
  std::vector<std::string> names;
  for (size_t k = 0; k < series.size(); ++k) {
    names.push_back(series[k].name);
    std::string pts;
    for (size_t i = 0; i < xs.size() && i < series[k].values.size(); ++i) {
      if (!series[k].values[i]) continue;
      const std::string x = Num(px(xs[i]), "%.1f"), y = Num(py(*series[k].values[i]), "%.1f");
      pts += x + "," + y + " ";
      s += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"2.5\" fill=\"" + kPalette[k % 10] + "\"><title>" +
           Escape(series[k].name) + " @ " + Num(xs[i]) + ": " + Num(*series[k].values[i], "%.6g") + "</title></circle>";
    }
    s += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" + std::string(kPalette[k % 10]) + "\" points=\"" + pts + "\"/>\n";
  }
  s += Legend(names) + "</svg>\n";
  return s;
}

std::string BarChart(const std::string& title, const std::string& y_label, const std::vector<std::string>& categories,
                     const std::vector<Series>& series, bool stacked) {
  double y_max = 0;
  for (size_t c = 0; c < categories.size(); ++c) {
    double sum = 0;
    for (const auto& se : series) {
      const double v = c < se.values.size() && se.values[c] ? *se.values[c] : 0;
      sum = stacked ? sum + v : std::max(sum, v);
    }
    y_max = std::max(y_max, sum);
  }
  double top;
  std::string s = Frame(title, y_label, y_max, top);
  const int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double slot = categories.empty() ? plot_w : static_cast<double>(plot_w) / static_cast<double>(categories.size());
  const double group = slot * 0.8;
  const size_t bars = stacked ? 1 : std::max<size_t>(1, series.size());
  std::vector<std::string> names;
  for (const auto& se : series) names.push_back(se.name);
  for (size_t c = 0; c < categories.size(); ++c) {
    const double x0 = kLeft + slot * static_cast<double>(c) + slot * 0.1;
    double base = 0;
    for (size_t k = 0; k < series.size(); ++k) {
      const double v = c < series[k].values.size() && series[k].values[c] ? *series[k].values[c] : 0;
      const double w = group / static_cast<double>(bars);
      const double x = stacked ? x0 : x0 + w * static_cast<double>(k);
      const double y_hi = stacked ? base + v : v, y_lo = stacked ? base : 0;
      const double y = kTop + plot_h - y_hi / top * plot_h, h = (y_hi - y_lo) / top * plot_h;
      s += "<rect x=\"" + Num(x, "%.1f") + "\" y=\"" + Num(y, "%.1f") + "\" width=\"" + Num(w, "%.1f") +
           "\" height=\"" + Num(h, "%.1f") + "\" fill=\"" + kPalette[k % 10] + "\"><title>" +
           Escape(categories[c]) + " " + Escape(series[k].name) + ": " + Num(v, "%.6g") + "</title></rect>";
      if (stacked) base += v;
    }
    s += "<text x=\"" + Num(x0 + group / 2, "%.1f") + "\" y=\"" + std::to_string(kHeight - kBottom + 15) +
         "\" text-anchor=\"middle\">" + Escape(categories[c]) + "</text>\n";
  }
  s += Legend(names) + "</svg>\n";
  return s;
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
