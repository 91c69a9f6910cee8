#include "common/line_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/error.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

std::vector<std::string> ReadAll(const std::string& path, size_t buffer = 1 << 20) {
  LineReader r(path, buffer);
  std::vector<std::string> out;
  std::string_view line;
  while (r.Next(line)) out.emplace_back(line);
  return out;
}

TEST(LineReader, strips_lf_and_crlf_and_keeps_last_unterminated_line) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("a.txt"), "one\r\ntwo\n\nthree");
  EXPECT_EQ(ReadAll(dir.File("a.txt")), (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(LineReader, grows_buffer_for_long_lines) {
  testing::TempDir dir;
  const std::string longline(10000, 'x');
  testing::WriteFile(dir.File("a.txt"), "a\n" + longline + "\nb\n");
  EXPECT_EQ(ReadAll(dir.File("a.txt"), 16), (std::vector<std::string>{"a", longline, "b"}));
}

TEST(LineReader, reads_gzip) {
  testing::TempDir dir;
  const std::string path = dir.File("a.txt.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  const std::string text = "h1\tr\tt1\r\nh2\tr\tt2\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  EXPECT_EQ(ReadAll(path), (std::vector<std::string>{"h1\tr\tt1", "h2\tr\tt2"}));
}

TEST(EstimateLineCount, sizes_plain_files_and_never_opens_anything_else) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "line " + std::to_string(1000 + i) + "\n";  // 10 bytes each
  testing::WriteFile(dir.File("a.txt"), text);
  // 3,000 lines of 10 bytes: 3,000 * 1.05 + 1,024, within rounding.
  const size_t estimate = EstimateLineCount(dir.File("a.txt"));
  EXPECT_GE(estimate, 3000u + 1024u);
  EXPECT_LE(estimate, 3150u + 1025u);
  EXPECT_EQ(EstimateLineCount(dir.File("missing.txt")), 0u);
  EXPECT_EQ(EstimateLineCount(dir.path()), 0u);
  testing::WriteFile(dir.File("empty.txt"), "");
  EXPECT_EQ(EstimateLineCount(dir.File("empty.txt")), 0u);
  // A gzip file (size says nothing about lines) and a FIFO (opening it would block without a
  // writer, and reading would consume what the real reader needs) are not sampled.
  testing::WriteFile(dir.File("a.txt.gz"), "not really gzip");
  EXPECT_EQ(EstimateLineCount(dir.File("a.txt.gz")), 0u);
  ASSERT_EQ(::mkfifo(dir.File("pipe").c_str(), 0600), 0);
  EXPECT_EQ(EstimateLineCount(dir.File("pipe")), 0u);
}

TEST(LineReader, counts_lines_and_reports_missing_file) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("a.txt"), "a\nb\n");
  LineReader r(dir.File("a.txt"));
  std::string_view line;
  r.Next(line);
  r.Next(line);
  EXPECT_EQ(r.line_number(), 2);
  EXPECT_FALSE(r.Next(line));
  EXPECT_THROW(LineReader(dir.File("missing.txt")), IoError);
}

}  // namespace
}  // namespace melograph
