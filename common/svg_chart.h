// Self-contained SVG charts (no scripts, no external resources): line charts and bar charts with
// a title, a y grid at "nice" steps, axis labels and a legend. Shared by `melograph report`
// (worker/run_report.cc) and `melograph bandit simulate` (online/bandit_simulator.cc).
//
// Contract: pure functions of their arguments; every text drawn is XML-escaped; a missing
// value (nullopt) leaves a gap in its series. The y axis starts at 0 and ends at the first nice
// step at or above the largest value. Charts are 640 x 300 px with the legend on the right.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace melograph {

struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;
};

struct LineChartStyle {
  const char* x_format = "%.4g";  // printf format of the x tick labels
  bool markers = true;            // a circle (with a tooltip) at every point
};

std::string SvgEscape(std::string_view s);
std::string SvgNum(double v, const char* fmt = "%.4g");

// One polyline per series over the shared x values (ticks at every x, at most about 12 labels).
std::string SvgLineChart(const std::string& title, const std::string& x_label,
                         const std::string& y_label, const std::vector<double>& xs,
                         const std::vector<ChartSeries>& series, const LineChartStyle& style = {});
// Grouped (or stacked) bars: one group per category, one bar per series.
std::string SvgBarChart(const std::string& title, const std::string& y_label,
                        const std::vector<std::string>& categories,
                        const std::vector<ChartSeries>& series, bool stacked);

}  // namespace melograph
