// `melograph report`: the HTML page is self-contained (no scripts, no external resources), shows
// every rank's figures and the partition's balance, and refuses a run without metrics.
#include "worker/run_report.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "partition/partition_pipeline.h"
#include "tests/partition/partition_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

EpochMetrics Epoch(int64_t e, int rank) {
  EpochMetrics m;
  m.epoch = e;
  m.steps = 5;
  m.examples = 1000 + 100 * rank;
  m.loss = 0.7 - 0.1 * static_cast<double>(e) + 0.01 * rank;
  m.seconds = 2.0;
  m.sample_seconds = 0.5;
  m.exchange_seconds = 0.25 * (rank + 1);
  m.compute_seconds = 1.0;
  m.bytes_sent = 2000000;
  m.peak_rss_bytes = (100 + 10 * rank) * 1000000LL;  // MB 100 / 110 on the memory chart
  m.rss_bytes = 90 * 1000000LL;
  if (rank == 0 && e % 2 == 1) {
    m.recall = 0.1 * static_cast<double>(e);
    m.ndcg = 0.05 * static_cast<double>(e);
  }
  return m;
}

TEST(RunReport, renders_self_contained_html_with_every_chart) {
  testing::TempDir dir;
  const std::string run = dir.File("run");
  for (int r = 0; r < 2; ++r)
    for (int e = 0; e < 4; ++e) AppendEpochMetrics(MetricsPath(run, r), Epoch(e, r));
  PartitionOptions opt;
  opt.num_parts = 2;
  opt.method = PartitionMethod::kHash;
  opt.sample_roots = 10;
  PartitionGraph(testing::TwoCommunities(), opt, dir.File("part"));
  testing::WriteFile(run + "/train_info.txt", "model: lightgcn\npartition: " + dir.File("part") + "\n");

  const ReportInputs in = LoadReportInputs(run, "");
  ASSERT_EQ(in.per_rank.size(), 2u);
  EXPECT_EQ(in.part_nodes, (std::vector<int64_t>{3, 3}));  // hash: ids 0,2,4 | 1,3,5
  const std::string html = RenderRunReport(in);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  size_t svgs = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
  EXPECT_EQ(svgs, 7u);  // loss, quality, memory, throughput, time split, bytes, balance
  for (const char* needle : {"Training loss per epoch", "Peak resident memory per rank", "recall@20", "rank 1", "Partition balance (hash)",
                             "sampling", "exchange", "compute", "<td>0.70000</td>"})
    EXPECT_NE(html.find(needle), std::string::npos) << needle;
  // Throughput bar of rank 1: 4 epochs x 1100 examples / 8 s.
  EXPECT_NE(html.find("rank 1 examples/s: 550"), std::string::npos);
}

TEST(RunReport, run_without_metrics_is_a_clear_error_and_values_are_escaped) {
  testing::TempDir dir;
  try {
    LoadReportInputs(dir.path(), "");
    ADD_FAILURE() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("no training metrics"), std::string::npos) << e.what();
  }
  ReportInputs in;
  in.title = "<run & co>";
  in.per_rank = {{Epoch(0, 0)}};
  const std::string html = RenderRunReport(in);
  EXPECT_NE(html.find("&lt;run &amp; co&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<run & co>"), std::string::npos);
  EXPECT_NE(html.find("No evaluation ran"), std::string::npos);
}

}  // namespace
}  // namespace melograph
