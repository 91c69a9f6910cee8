// Self-contained SVG charts: see svg_chart.h. (Moved out of worker/run_report.cc unchanged, so
// `melograph report` draws exactly what it drew before.)
#include "common/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace melograph {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr int kWidth = 640, kHeight = 300;
constexpr int kLeft = 70, kRight = 150, kTop = 30, kBottom = 45;

}  // namespace

std::string SvgEscape(std::string_view s) {
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

std::string SvgNum(double v, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

namespace {

// A "nice" tick step covering [0, max] in about 5 steps.
double NiceStep(double max) {
  if (!(max > 0)) return 1;
  const double raw = max / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

// Frame, title, y grid with labels; returns the y scale top.
std::string Frame(const std::string& title, const std::string& y_label, double y_max, double& top) {
  const double step = NiceStep(y_max);
  top = std::max(step, std::ceil(y_max / step) * step);
  const int plot_h = kHeight - kTop - kBottom;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                  "\" height=\"" + std::to_string(kHeight) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<text x=\"" + std::to_string(kWidth / 2) + "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
       SvgEscape(title) + "</text>\n";
  for (double v = 0; v <= top + step / 2; v += step) {
    const double y = kTop + plot_h - v / top * plot_h;
    s += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y1=\"" +
         SvgNum(y, "%.1f") + "\" y2=\"" + SvgNum(y, "%.1f") + "\" stroke=\"#ddd\"/>";
    s += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + SvgNum(y + 4, "%.1f") + "\" text-anchor=\"end\">" +
         SvgNum(v) + "</text>\n";
  }
  s += "<text transform=\"translate(14," + std::to_string(kTop + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       SvgEscape(y_label) + "</text>\n";
  return s;
}

std::string Legend(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    const int y = kTop + 10 + static_cast<int>(i) * 16;
    s += "<rect x=\"" + std::to_string(kWidth - kRight + 12) + "\" y=\"" + std::to_string(y - 8) +
         "\" width=\"10\" height=\"10\" fill=\"" + kPalette[i % 10] + "\"/>";
    s += "<text x=\"" + std::to_string(kWidth - kRight + 26) + "\" y=\"" + std::to_string(y + 1) + "\">" +
         SvgEscape(names[i]) + "</text>\n";
  }
  return s;
}

}  // namespace

std::string SvgLineChart(const std::string& title, const std::string& x_label, const std::string& y_label,
                         const std::vector<double>& xs, const std::vector<ChartSeries>& series,
                         const LineChartStyle& style) {
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
    s += "<text x=\"" + SvgNum(px(xs[i]), "%.1f") + "\" y=\"" + std::to_string(kHeight - kBottom + 15) +
         "\" text-anchor=\"middle\">" + SvgNum(xs[i], style.x_format) + "</text>";
  s += "<text x=\"" + std::to_string(kLeft + plot_w / 2) + "\" y=\"" + std::to_string(kHeight - 8) +
       "\" text-anchor=\"middle\">" + SvgEscape(x_label) + "</text>\n";
  std::vector<std::string> names;
  for (size_t k = 0; k < series.size(); ++k) {
    names.push_back(series[k].name);
    std::string pts;
    for (size_t i = 0; i < xs.size() && i < series[k].values.size(); ++i) {
      if (!series[k].values[i]) continue;
      const std::string x = SvgNum(px(xs[i]), "%.1f"), y = SvgNum(py(*series[k].values[i]), "%.1f");
      pts += x + "," + y + " ";
      if (style.markers)
        s += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"2.5\" fill=\"" + kPalette[k % 10] + "\"><title>" +
             SvgEscape(series[k].name) + " @ " + SvgNum(xs[i]) + ": " + SvgNum(*series[k].values[i], "%.6g") + "</title></circle>";
    }
    s += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" + std::string(kPalette[k % 10]) + "\" points=\"" + pts + "\"/>\n";
  }
  s += Legend(names) + "</svg>\n";
  return s;
}

std::string SvgBarChart(const std::string& title, const std::string& y_label,
                        const std::vector<std::string>& categories, const std::vector<ChartSeries>& series,
                        bool stacked) {
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
      s += "<rect x=\"" + SvgNum(x, "%.1f") + "\" y=\"" + SvgNum(y, "%.1f") + "\" width=\"" + SvgNum(w, "%.1f") +
           "\" height=\"" + SvgNum(h, "%.1f") + "\" fill=\"" + kPalette[k % 10] + "\"><title>" +
           SvgEscape(categories[c]) + " " + SvgEscape(series[k].name) + ": " + SvgNum(v, "%.6g") + "</title></rect>";
      if (stacked) base += v;
    }
    s += "<text x=\"" + SvgNum(x0 + group / 2, "%.1f") + "\" y=\"" + std::to_string(kHeight - kBottom + 15) +
         "\" text-anchor=\"middle\">" + SvgEscape(categories[c]) + "</text>\n";
  }
  s += Legend(names) + "</svg>\n";
  return s;
}

}  // namespace melograph
