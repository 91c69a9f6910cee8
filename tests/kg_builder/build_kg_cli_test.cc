#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::kKgWorld;

std::string WorldArgs(const std::string& out) {
  return "build-kg --events " + kKgWorld + "/events.tsv --catalog " + kKgWorld + "/catalog --out " + out;
}

TEST(BuildKgCli, print_default_config) {
  const auto r = testing::RunMelograph("build-kg --print-default-config");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("event_weights {"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("collect: 6"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("compression: LOG1P"), std::string::npos) << r.output;
}

TEST(BuildKgCli, builds_world_and_reports_counts) {
  testing::TempDir dir;
  const auto r = testing::RunMelograph(WorldArgs(dir.File("kg")) + " --cutoff 500");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"events_read: 12\n", "events.play: 4\n", "events_unknown_song: 1\n",
                           "pairs: 7\n", "cutoff: 500\n", "test_pairs: 2\n", "triples: 46\n",
                           "triples.listened: 3\n", "triples.rejected: 2\n", "triples.co_show: 2\n",
                           "bad_lines_skipped: 0\n"})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " missing in\n" << r.output;
  EXPECT_NE(r.output.find("song 's9' is not in songs.tsv"), std::string::npos) << r.output;
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), testing::ReadFile(kKgWorld + "/expected_test_cutoff500.tsv"));
}

// Events from a pipe (`--events <(zcat log.gz)`, a FIFO): build-kg must not read ahead to size
// its arrays (the sampled lines would be lost, and reopening the pipe would block); the result
// equals the run from the regular file.
TEST(BuildKgCli, events_from_a_fifo_are_read_once_and_completely) {
  testing::TempDir dir;
  const std::string fifo = dir.File("events.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string tail = " --catalog " + kKgWorld + "/catalog --cutoff 500 --out ";
  const auto piped = testing::Run("cat " + kKgWorld + "/events.tsv > " + fifo + " & " + MELOGRAPH_BINARY +
                                  " build-kg --events " + fifo + tail + dir.File("piped"));
  ASSERT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_NE(piped.output.find("events_read: 12\n"), std::string::npos) << piped.output;
  const auto plain = testing::RunMelograph("build-kg --events " + kKgWorld + "/events.tsv" + tail + dir.File("plain"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  for (const char* f : {"train.tsv", "test.tsv"})
    EXPECT_EQ(testing::ReadFile(dir.File(std::string("piped/") + f)), testing::ReadFile(dir.File(std::string("plain/") + f)))
        << f;
}

// --session-gap reads the events twice, so a pipe is refused before anything opens it (opening
// a FIFO without a writer would block).
TEST(BuildKgCli, session_gap_refuses_events_from_a_pipe) {
  testing::TempDir dir;
  const std::string fifo = dir.File("events.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto r = testing::RunMelograph("build-kg --events " + fifo + " --catalog " + kKgWorld +
                                       "/catalog --session-gap 1800 --out " + dir.File("kg"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--session-gap reads the events file twice, but " + fifo + " is not a regular file"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.File("kg")));
}

TEST(BuildKgCli, config_file_overrides_weights) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("kg.txt"), "compression: IDENTITY\ncompletion_scaling: false\n");
  const auto r = testing::RunMelograph(WorldArgs(dir.File("kg")) + " --cutoff 500 --config " + dir.File("kg.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(testing::ReadFile(dir.File("kg/train.tsv")).find("user:u1\tlistened\tsong:s1\t6\t200\n"),
            std::string::npos);
}

TEST(BuildKgCli, malformed_input_fails_with_position_unless_budgeted) {
  testing::TempDir dir;
  const std::string bad = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/bad_events/bad_timestamp.tsv";
  const std::string args = "build-kg --events " + bad + " --catalog " + kKgWorld + "/catalog --out " + dir.File("kg");
  auto r = testing::RunMelograph(args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad_timestamp.tsv:1:12: timestamp '2024-01-01' is not an integer"), std::string::npos)
      << r.output;
  r = testing::RunMelograph(args + " --max-bad-lines 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("bad_lines_skipped: 1\n"), std::string::npos) << r.output;
}

TEST(BuildKgCli, usage_errors) {
  testing::TempDir dir;
  const std::string world = WorldArgs(dir.File("kg"));
  auto r = testing::RunMelograph("build-kg --catalog " + kKgWorld + "/catalog --out " + dir.File("kg"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--events"), std::string::npos) << r.output;
  r = testing::RunMelograph(world + " --test-last-n 2");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("only to --split last-n"), std::string::npos) << r.output;
  r = testing::RunMelograph(world + " --split random");
  EXPECT_NE(r.exit_code, 0);
  r = testing::RunMelograph(world + " --cutoff 5 --cutoff-quantile 0.5");
  EXPECT_NE(r.exit_code, 0);
  r = testing::RunMelograph(world + " --split fraction --test-fraction 1.5");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--test-fraction must be in (0, 1)"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.File("kg")));
}

TEST(BuildKgCli, help_documents_every_flag) {
  const auto r = testing::RunMelograph("build-kg --help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag : {"--events", "--catalog", "--out", "--config", "--print-default-config", "--split",
                           "--cutoff", "--cutoff-quantile", "--test-last-n", "--test-fraction", "--seed",
                           "--max-bad-lines"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace melograph
