#include "worker/train_metrics.h"

#include <cstdio>
#include <string_view>

#include "common/error.h"
#include "common/file_util.h"
#include "common/line_reader.h"
#include "common/text.h"

namespace melograph {
namespace {

constexpr int kColumns = 15;
// Runs written before the memory columns existed (13 columns): read with zero memory figures.
constexpr const char* kLegacyColumns =
    "epoch,steps,examples,loss,seconds,sample_seconds,exchange_seconds,compute_seconds,"
    "bytes_sent,bytes_received,eval_k,recall,ndcg";
constexpr int kLegacyCount = 13;

std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

std::string FormatLine(const EpochMetrics& m) {
  std::string s;
  s += std::to_string(m.epoch) + "," + std::to_string(m.steps) + "," + std::to_string(m.examples) + ",";
  s += FormatDouble(m.loss) + "," + FormatDouble(m.seconds) + "," + FormatDouble(m.sample_seconds) + ",";
  s += FormatDouble(m.exchange_seconds) + "," + FormatDouble(m.compute_seconds) + ",";
  s += std::to_string(m.bytes_sent) + "," + std::to_string(m.bytes_received) + ",";
  s += std::to_string(m.eval_k) + ",";
  s += (m.recall ? FormatDouble(*m.recall) : "") + ",";
  s += (m.ndcg ? FormatDouble(*m.ndcg) : "") + ",";
  s += std::to_string(m.peak_rss_bytes) + "," + std::to_string(m.rss_bytes);
  return s + "\n";
}

EpochMetrics ParseLine(std::string_view line, const std::string& path, int64_t line_no, int columns) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    f.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (static_cast<int>(f.size()) != columns)
    throw InputError(path, line_no, 1, std::to_string(f.size()) + " fields, expected " + std::to_string(columns));
  int64_t column = 1;
  size_t i = 0;
  auto next_int = [&](const char* name) {
    const auto v = ParseInt64(f[i]);
    if (!v) throw InputError(path, line_no, column, std::string("bad integer in ") + name + ": '" + std::string(f[i]) + "'");
    column += static_cast<int64_t>(f[i].size()) + 1;
    ++i;
    return *v;
  };
  auto next_double = [&](const char* name, bool optional) -> std::optional<double> {
    if (optional && f[i].empty()) {
      column += 1;
      ++i;
      return std::nullopt;
    }
    const auto v = ParseDouble(f[i]);
    if (!v) throw InputError(path, line_no, column, std::string("bad number in ") + name + ": '" + std::string(f[i]) + "'");
    column += static_cast<int64_t>(f[i].size()) + 1;
    ++i;
    return *v;
  };
  EpochMetrics m;
  m.epoch = next_int("epoch");
  m.steps = next_int("steps");
  m.examples = next_int("examples");
  m.loss = *next_double("loss", false);
  m.seconds = *next_double("seconds", false);
  m.sample_seconds = *next_double("sample_seconds", false);
  m.exchange_seconds = *next_double("exchange_seconds", false);
  m.compute_seconds = *next_double("compute_seconds", false);
  m.bytes_sent = next_int("bytes_sent");
  m.bytes_received = next_int("bytes_received");
  m.eval_k = static_cast<int>(next_int("eval_k"));
  m.recall = next_double("recall", true);
  m.ndcg = next_double("ndcg", true);
  if (columns == kLegacyCount) return m;
  m.peak_rss_bytes = next_int("peak_rss_bytes");
  m.rss_bytes = next_int("rss_bytes");
  return m;
}

}  // namespace

std::string MetricsPath(const std::string& run_dir, int rank) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "rank-%05d.csv", rank);
  return JoinPath(JoinPath(run_dir, "metrics"), buf);
}

std::vector<EpochMetrics> ReadMetricsFile(const std::string& path) {
  std::vector<EpochMetrics> out;
  LineReader reader(path);
  std::string_view line;
  const bool ok = reader.Next(line);
  const int columns = ok && line == kMetricColumns ? kColumns : ok && line == kLegacyColumns ? kLegacyCount : 0;
  if (columns == 0) throw InputError(path, 1, 1, std::string("header is not '") + kMetricColumns + "'");
  while (reader.Next(line)) {
    if (line.empty()) continue;
    out.push_back(ParseLine(line, path, reader.line_number(), columns));
  }
  return out;
}

void AppendEpochMetrics(const std::string& path, const EpochMetrics& m) {
  std::string contents;
  if (PathExists(path)) {
    ReadMetricsFile(path);  // refuse to extend a damaged file
    contents = ReadWholeFile(path);
  } else {
    MakeDirectories(std::string(path.substr(0, path.rfind('/'))));
    contents = std::string(kMetricColumns) + "\n";
  }
  contents += FormatLine(m);
  WriteWholeFile(path, contents);
}

void TruncateMetrics(const std::string& path, int64_t first_dropped_epoch) {
  if (!PathExists(path)) return;
  std::string contents = std::string(kMetricColumns) + "\n";
  for (const EpochMetrics& m : ReadMetricsFile(path))
    if (m.epoch < first_dropped_epoch) contents += FormatLine(m);
  WriteWholeFile(path, contents);
}

std::vector<std::vector<EpochMetrics>> ReadRunMetrics(const std::string& run_dir) {
  std::vector<std::vector<EpochMetrics>> out;
  for (int k = 0;; ++k) {
    const std::string path = MetricsPath(run_dir, k);
    if (!PathExists(path)) break;
    out.push_back(ReadMetricsFile(path));
  }
  return out;
}

}  // namespace melograph
