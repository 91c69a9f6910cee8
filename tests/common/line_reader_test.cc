#include "common/line_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "common/error.h"
#include "common/file_util.h"
#include "common/text.h"
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

TEST(LineReader, reads_a_file_that_grows_past_its_size_at_open) {
  // The buffer is sized to a small file at open (4 KiB here, not the 1 MiB asked for); lines
  // appended afterwards, one of them longer than that buffer, are still read whole.
  testing::TempDir dir;
  const std::string path = dir.File("a.txt");
  testing::WriteFile(path, "first\tline\n");
  LineReader r(path);
  std::string_view line;
  ASSERT_TRUE(r.Next(line));
  EXPECT_EQ(line, "first\tline");
  std::vector<std::string> added;
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    for (int i = 0; i < 2000; ++i)
      added.push_back("song:" + std::to_string(i) + "\t" + std::string(i % 7, 'x'));
    added.push_back(std::string(20000, 'y'));
    added.push_back("last");
    for (const std::string& a : added) out << a << '\n';
  }
  std::vector<std::string> rest;
  while (r.Next(line)) rest.emplace_back(line);
  EXPECT_EQ(rest, added);
  EXPECT_EQ(r.line_number(), 2003);
}

// Writes `lines` numbered lines of ~40 bytes through AtomicFile (so they are on disk and their
// cached pages clean), returns the file's size.
std::string NumberedLine(int i) {
  return "user:" + std::to_string(i) + "\tlistened\tsong:" + std::to_string(i * 7 % 1000) + "\t1";
}
int64_t WriteNumberedLines(const std::string& path, int lines) {
  AtomicFile f(path);
  for (int i = 0; i < lines; ++i) f.Write(NumberedLine(i) + "\n");
  f.Commit();
  return f.bytes_written();
}

TEST(LineReader, drops_the_pages_it_has_read_from_the_page_cache) {
  testing::TempDir dir;
  if (testing::OnTmpfs(dir.path())) GTEST_SKIP() << "tmpfs keeps its files in the page cache";
  const std::string path = dir.File("big.tsv");
  const int n = 600000;
  const int64_t size = WriteNumberedLines(path, n);
  ASSERT_GT(size, 2 * kDropBehindBytes);
  const auto head = static_cast<size_t>(kDropBehindBytes);  // the first step, surely dropped
  for (const bool keep : {false, true}) {
    SCOPED_TRACE(keep ? "MELOGRAPH_KEEP_INPUT_CACHE=1" : "default");
    if (keep) ::setenv("MELOGRAPH_KEEP_INPUT_CACHE", "1", 1);
    testing::ReadFile(path);  // all cached
    ASSERT_GT(testing::CachedPages(path, head), 0u);
    LineReader r(path);
    std::string_view line;
    int i = 0;
    for (; r.Next(line); ++i)
      if (line != NumberedLine(i)) {
        ADD_FAILURE() << "line " << i + 1 << " reads '" << line << "'";
        break;
      }
    EXPECT_EQ(i, n);
    EXPECT_EQ(r.bytes_read(), size);
    if (keep)
      EXPECT_EQ(testing::CachedPages(path, head),
                head / static_cast<size_t>(::sysconf(_SC_PAGESIZE)));
    else
      EXPECT_EQ(testing::CachedPages(path, head), 0u);
    ::unsetenv("MELOGRAPH_KEEP_INPUT_CACHE");
  }
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

// What NextFields must give for one line, from Next() and a plain split.
struct SplitLine {
  std::string line;
  size_t count = 0;
  std::vector<std::string> fields;  // the first max_fields
  std::vector<size_t> starts;
  bool plain = true;
  int64_t line_number = 0, bytes_read = 0;
  bool operator==(const SplitLine&) const = default;
};

std::ostream& operator<<(std::ostream& os, const SplitLine& l) {
  os << "line " << l.line_number << " '";
  for (const char c : l.line) {
    if (c == '\t')
      os << "\\t";
    else if (c == '\r')
      os << "\\r";
    else
      os << c;
  }
  return os << "' count " << l.count << " plain " << l.plain << " bytes " << l.bytes_read;
}

std::vector<SplitLine> Reference(const std::string& path, size_t max_fields) {
  LineReader r(path);
  std::vector<SplitLine> out;
  std::string_view line;
  std::vector<std::string_view> f;
  while (r.Next(line)) {
    SplitLine l;
    l.line = std::string(line);
    l.count = SplitFields(line, '\t', f);
    size_t at = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      if (i < max_fields) {
        l.fields.emplace_back(f[i]);
        l.starts.push_back(at);
      }
      at += f[i].size() + 1;
    }
    for (const char c : line)
      l.plain = l.plain && static_cast<unsigned char>(c) < 0x80 && c != '\r';
    l.line_number = r.line_number();
    l.bytes_read = r.bytes_read();
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<SplitLine> ReadFields(const std::string& path, size_t max_fields, size_t buffer) {
  LineReader r(path, buffer);
  std::vector<SplitLine> out;
  std::string_view line;
  std::vector<std::string_view> f(max_fields + 1, "unset");
  std::vector<size_t> starts(max_fields + 1, 999);
  size_t count = 0;
  bool plain = false;
  while (r.NextFields(line, max_fields, f.data(), starts.data(), count, plain)) {
    SplitLine l;
    l.line = std::string(line);
    l.count = count;
    for (size_t i = 0; i < std::min(count, max_fields); ++i) {
      l.fields.emplace_back(f[i]);
      l.starts.push_back(starts[i]);
      // Each view lies inside the line at its offset.
      EXPECT_EQ(f[i].data(), line.data() + starts[i]);
    }
    EXPECT_EQ(f[max_fields], "unset") << "wrote past max_fields";
    l.plain = plain;
    l.line_number = r.line_number();
    l.bytes_read = r.bytes_read();
    out.push_back(std::move(l));
  }
  return out;
}

TEST(LineReader, next_fields_matches_next_and_a_plain_split) {
  testing::TempDir dir;
  const std::string path = dir.File("a.txt");
  // Hand-picked cases: CRLF, a CR inside, a CR as the 16th byte before the LF, tabs at chunk
  // edges, empty fields and lines, a multi-byte character, a stray high byte, a long line, an
  // unterminated last line ending in CR.
  testing::WriteFile(path, std::string("a\tb\tc\r\n") + "x\ry\n" + std::string(15, 'q') + "\r\n" +
                               std::string(14, 'q') + "\r\n" + std::string(16, 'q') + "\r\n" +
                               std::string(15, 'w') + "\t" + std::string(16, 'e') + "\t\n" +
                               "\t\t\n\n\r\n" + "caf\xc3\xa9\tx\n" + "\x80\n" +
                               std::string(100, 'l') + "\t" + std::string(40, 'm') + "\n" +
                               "last\tone\r");
  for (const size_t max_fields : {size_t{0}, size_t{1}, size_t{2}, size_t{6}})
    for (const size_t buffer : {size_t{1}, size_t{3}, size_t{16}, size_t{17}, size_t{1} << 20})
      EXPECT_EQ(ReadFields(path, max_fields, buffer), Reference(path, max_fields))
          << "max_fields " << max_fields << " buffer " << buffer;
  const auto lines = ReadFields(path, 6, 1 << 20);
  ASSERT_EQ(lines.size(), 13u);
  EXPECT_TRUE(lines[0].plain);   // a CRLF terminator is not an odd byte
  EXPECT_FALSE(lines[1].plain);  // a CR inside is
  EXPECT_TRUE(lines[2].plain);   // CR as the 16th byte, LF in the next chunk
  EXPECT_EQ(lines[2].line, std::string(15, 'q'));
  EXPECT_EQ(lines[5].count, 3u);
  EXPECT_EQ(lines[9].fields, (std::vector<std::string>{"caf\xc3\xa9", "x"}));
  EXPECT_FALSE(lines[9].plain);
  EXPECT_FALSE(lines[10].plain);
  EXPECT_EQ(lines[12].fields, (std::vector<std::string>{"last", "one"}));
  EXPECT_TRUE(lines[12].plain);  // the final CR is stripped like a CRLF's

  // Lines are scanned in 64-byte blocks from the first line's start: a CRLF split across two
  // blocks (CR at byte 63), and a CR inside a line at a block's last byte with its tab and LF
  // in the next block.
  const std::string path2 = dir.File("b.txt");
  testing::WriteFile(path2, std::string(63, 'q') + "\r\n" + std::string(62, 'w') + "\r\tx\n");
  for (const size_t buffer : {size_t{1}, size_t{64}, size_t{65}, size_t{1} << 20})
    EXPECT_EQ(ReadFields(path2, 6, buffer), Reference(path2, 6)) << "buffer " << buffer;
  const auto split = ReadFields(path2, 6, 1 << 20);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_TRUE(split[0].plain);
  EXPECT_EQ(split[0].line, std::string(63, 'q'));
  EXPECT_FALSE(split[1].plain);
  EXPECT_EQ(split[1].count, 2u);
}

TEST(LineReader, next_fields_matches_next_on_random_text) {
  // Random lines dense in tabs, CRs and high bytes, at buffer sizes that move lines across
  // refills, plain and gzip.
  testing::TempDir dir;
  std::mt19937_64 rng(7);
  // Letters, tabs, CRs, LFs, a valid 3-byte character, a lone lead byte, a comment mark.
  const std::string_view pieces[] = {"a",  "b",  "\t",           "\t",   "\r",
                                     "\n", "\n", "\xe7\xb1\xb3", "\xe1", "#"};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const size_t size = rng() % 400;
    for (size_t i = 0; i < size; ++i) {
      // Runs of plain bytes so lines span several 16-byte chunks.
      text +=
          rng() % 3 ? std::string(rng() % 20, 'z') : std::string(pieces[rng() % std::size(pieces)]);
    }
    const bool gz = round % 4 == 3;
    const std::string path = dir.File(gz ? "r.txt.gz" : "r.txt");
    if (gz) {
      gzFile g = gzopen(path.c_str(), "wb");
      gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
      gzclose(g);
    } else {
      testing::WriteFile(path, text);
    }
    for (const size_t buffer : {size_t{1}, size_t{5}, size_t{16}, size_t{31}, size_t{1} << 16}) {
      const size_t max_fields = rng() % 5;
      ASSERT_EQ(ReadFields(path, max_fields, buffer), Reference(path, max_fields))
          << "round " << round << " buffer " << buffer << " max_fields " << max_fields;
    }
  }
}

}  // namespace
}  // namespace melograph
