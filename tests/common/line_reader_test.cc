#include "common/line_reader.h"

#include <gtest/gtest.h>
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
