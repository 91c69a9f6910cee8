// Per-epoch metrics CSV: exact round trip, truncation for resume, malformed lines rejected with
// file, line and column.
#include "worker/train_metrics.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

EpochMetrics Epoch(int64_t e, std::optional<double> recall) {
  EpochMetrics m;
  m.epoch = e;
  m.steps = 10 + e;
  m.examples = 1000 * (e + 1);
  m.loss = 0.693 / static_cast<double>(e + 1);
  m.seconds = 2.5;
  m.sample_seconds = 0.5;
  m.exchange_seconds = 0.25;
  m.compute_seconds = 1.5;
  m.bytes_sent = 123456;
  m.bytes_received = 654321;
  m.recall = recall;
  m.ndcg = recall ? std::optional<double>(*recall / 2) : std::nullopt;
  m.peak_rss_bytes = 3000000000LL + e;
  m.rss_bytes = 2000000000LL - e;
  return m;
}

TEST(TrainMetrics, append_read_and_truncate_round_trip) {
  testing::TempDir dir;
  const std::string path = MetricsPath(dir.path(), 3);
  EXPECT_EQ(path, dir.path() + "/metrics/rank-00003.csv");
  AppendEpochMetrics(path, Epoch(0, 0.125));
  AppendEpochMetrics(path, Epoch(1, std::nullopt));
  AppendEpochMetrics(path, Epoch(2, 0.25));
  const auto rows = ReadMetricsFile(path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].epoch, 1);
  EXPECT_EQ(rows[1].steps, 11);
  EXPECT_EQ(rows[2].examples, 3000);
  EXPECT_DOUBLE_EQ(rows[0].loss, 0.693);
  EXPECT_EQ(rows[0].bytes_received, 654321);
  EXPECT_EQ(rows[0].recall, 0.125);
  EXPECT_FALSE(rows[1].recall.has_value());
  EXPECT_EQ(rows[2].ndcg, 0.125);
  EXPECT_EQ(rows[2].peak_rss_bytes, 3000000002LL);
  EXPECT_EQ(rows[1].rss_bytes, 1999999999LL);
  TruncateMetrics(path, 1);
  const auto kept = ReadMetricsFile(path);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].epoch, 0);
  EXPECT_EQ(testing::ReadFile(path).substr(0, 5), "epoch");
}

// Runs written before the memory columns existed still read (zero memory figures), and a new
// epoch appended to such a file rewrites it in the current format.
TEST(TrainMetrics, legacy_files_without_memory_columns_still_read) {
  testing::TempDir dir;
  const std::string path = dir.File("m.csv");
  testing::WriteFile(path,
                     "epoch,steps,examples,loss,seconds,sample_seconds,exchange_seconds,compute_seconds,"
                     "bytes_sent,bytes_received,eval_k,recall,ndcg\n0,1,2,0.5,1,0,0,0,0,0,20,0.25,\n");
  const auto rows = ReadMetricsFile(path);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].examples, 2);
  EXPECT_EQ(rows[0].recall, 0.25);
  EXPECT_EQ(rows[0].peak_rss_bytes, 0);
  TruncateMetrics(path, 1);
  AppendEpochMetrics(path, Epoch(1, std::nullopt));
  EXPECT_EQ(testing::ReadFile(path).substr(0, std::string(kMetricColumns).size()), kMetricColumns);
  const auto both = ReadMetricsFile(path);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].peak_rss_bytes, 3000000001LL);
  testing::WriteFile(path, "epoch,steps,examples,loss,seconds,sample_seconds,exchange_seconds,compute_seconds,"
                           "bytes_sent,bytes_received,eval_k,recall,ndcg\n0,1,2,0.5,1,0,0,0,0,0,20,,,7,5\n");
  EXPECT_THROW(ReadMetricsFile(path), InputError);  // 15 fields under the 13-column header
}

TEST(TrainMetrics, malformed_files_name_file_line_and_column) {
  testing::TempDir dir;
  const std::string path = dir.File("m.csv");
  testing::WriteFile(path, std::string(kMetricColumns) + "\n0,1,2,0.5,1,0,0,0,0,0,20,,,7,5\n1,1,x,0.5,1,0,0,0,0,0,20,,,7,5\n");
  try {
    ReadMetricsFile(path);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 5);
    EXPECT_NE(std::string(e.what()).find("bad integer in examples"), std::string::npos) << e.what();
  }
  testing::WriteFile(path, "epoch,loss\n");
  EXPECT_THROW(ReadMetricsFile(path), InputError);
  testing::WriteFile(path, std::string(kMetricColumns) + "\n0,1,2\n");
  EXPECT_THROW(ReadMetricsFile(path), InputError);
  // A damaged file is never extended.
  EXPECT_THROW(AppendEpochMetrics(path, Epoch(1, std::nullopt)), InputError);
}

}  // namespace
}  // namespace melograph
