#include "common/file_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/line_reader.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

TEST(AtomicFile, keeps_previous_file_until_commit) {
  testing::TempDir dir;
  const std::string path = dir.File("out.txt");
  testing::WriteFile(path, "old");
  {
    AtomicFile f(path);
    f.Write("new contents");
    EXPECT_EQ(testing::ReadFile(path), "old");  // not visible before Commit
  }  // destroyed without commit: previous file intact, temporary removed
  EXPECT_EQ(testing::ReadFile(path), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  AtomicFile f(path);
  f.Write("new");
  f.Commit();
  EXPECT_EQ(testing::ReadFile(path), "new");
  EXPECT_EQ(f.crc32(), Crc32("new", 3));
}

TEST(AtomicFile, writes_gzip_by_extension) {
  testing::TempDir dir;
  const std::string path = dir.File("out.tsv.gz");
  AtomicFile f(path);
  f.Write("a\nb\n");
  f.Commit();
  LineReader r(path);
  std::string_view line;
  ASSERT_TRUE(r.Next(line));
  EXPECT_EQ(line, "a");
}

// Writes smaller than the buffer are gathered in it; one that does not fit after a flush and is
// at least the buffer's size goes straight to the file. Either way the bytes, their order, the
// count and the CRC must be those of the concatenation, plain and gzip.
TEST(AtomicFile, mixes_buffered_and_direct_writes_in_order) {
  testing::TempDir dir;
  std::string big(10000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i * 7 % 26);
  const std::vector<std::string> pieces = {"head\n", big, "x", std::string(63, 'y'), big.substr(1, 64),
                                           big.substr(5, 65), "", "tail\n"};
  std::string expected;
  for (const std::string& p : pieces) expected += p;
  for (const char* name : {"out.bin", "out.bin.gz"}) {
    const std::string path = dir.File(name);
    AtomicFile f(path, 64);
    for (const std::string& p : pieces) f.Write(p);
    f.Write(static_cast<const void*>(nullptr), 0);  // an empty array's data(): nothing, no memcpy
    f.Put('!');
    std::memcpy(f.Space(3), "end", 3);
    f.Advance(3);
    f.Commit();
    const std::string all = expected + "!end";
    EXPECT_EQ(f.bytes_written(), static_cast<int64_t>(all.size())) << name;
    EXPECT_EQ(f.crc32(), Crc32(all.data(), all.size())) << name;
    std::string read;
    LineReader r(path);
    std::string_view line;
    while (r.Next(line)) read += std::string(line) + "\n";
    std::string lines = all;  // LineReader splits on newlines; the last line has none
    lines += "\n";
    EXPECT_EQ(read, lines) << name;
  }
}

// The buffer is allocated on first use: every kind of first call (a character, room for more
// than the buffer holds, a direct write, a small write) must give the same bytes.
TEST(AtomicFile, any_first_call_on_a_fresh_file) {
  testing::TempDir dir;
  const std::string wide(100, 'w');
  const auto first_put = [&](AtomicFile& f) { f.Put('p'); };
  const auto first_space = [&](AtomicFile& f) {
    std::memcpy(f.Space(wide.size()), wide.data(), wide.size());  // more than the 64-byte buffer
    f.Advance(wide.size());
  };
  const auto first_direct = [&](AtomicFile& f) { f.Write(wide); };
  const auto first_small = [&](AtomicFile& f) { f.Write("s"); };
  const std::vector<std::pair<std::function<void(AtomicFile&)>, std::string>> cases = {
      {first_put, "p"}, {first_space, wide}, {first_direct, wide}, {first_small, "s"}};
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::string path = dir.File("f" + std::to_string(c));
    AtomicFile f(path, 64);
    cases[c].first(f);
    f.Put('!');
    f.Write(std::string(70, 'z'));
    f.Commit();
    const std::string expected = cases[c].second + "!" + std::string(70, 'z');
    EXPECT_EQ(testing::ReadFile(path), expected) << c;
    EXPECT_EQ(f.crc32(), Crc32(expected.data(), expected.size())) << c;
  }
  AtomicFile empty(dir.File("empty"), 64);  // nothing written: an empty file
  empty.Commit();
  EXPECT_EQ(testing::ReadFile(dir.File("empty")), "");
}

// With the default buffer: a 64 KiB first buffer, then the whole 1 MiB one (on a huge page)
// once the file outgrows it. Lines formatted in place, single characters and writes of every
// size across both switches give the exact bytes and checksum.
TEST(AtomicFile, default_buffer_grows_once_the_file_outgrows_the_first) {
  testing::TempDir dir;
  const std::string path = dir.File("big.tsv");
  std::string expected;
  {
    AtomicFile f(path);
    for (int i = 0; i < 60000; ++i) {
      const std::string line =
          "user:" + std::to_string(i * 7919) + "\tlistened\tsong:" + std::to_string(i) + "\n";
      if (i % 3 == 0) {
        std::memcpy(f.Space(line.size()), line.data(), line.size());
        f.Advance(line.size());
      } else if (i % 3 == 1) {
        for (char c : line) f.Put(c);
      } else {
        f.Write(line);
      }
      expected += line;
      if (i == 30000) {  // one write larger than the buffer: straight to the file, in order
        const std::string block((size_t{1} << 20) + 17, 'b');
        f.Write(block);
        expected += block;
      }
    }
    f.Commit();
    EXPECT_EQ(f.bytes_written(), static_cast<int64_t>(expected.size()));
    EXPECT_EQ(f.crc32(), Crc32(expected.data(), expected.size()));
  }
  ASSERT_GT(expected.size(), size_t{2} << 20);
  EXPECT_EQ(testing::ReadFile(path), expected);
}

// A test pattern of `bytes` bytes, different at every position modulo 251.
std::string Pattern(size_t bytes) {
  std::string s(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) s[i] = static_cast<char>('a' + i % 251 % 26);
  return s;
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    names.push_back(std::filesystem::relative(e.path(), dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicDirectory, replaces_directory_only_on_commit) {
  testing::TempDir dir;
  const std::string out = dir.File("graph");
  MakeDirectories(out);
  testing::WriteFile(out + "/old.bin", "x");
  {
    AtomicDirectory d(out);
    testing::WriteFile(d.File("new.bin"), "y");
    WriteWholeFile(d, "in_place.bin", "z");  // committed into it, synced by its Commit
  }  // destroyed without Commit: the previous directory intact, nothing else left
  EXPECT_EQ(Listing(dir.path()), (std::vector<std::string>{"graph", "graph/old.bin"}));
  EXPECT_EQ(testing::ReadFile(out + "/old.bin"), "x");
  {
    // A committed file that is gone by the directory's Commit: an IoError naming it, and the
    // previous directory stays.
    AtomicDirectory d(out);
    WriteWholeFile(d, "lost.bin", "z");
    std::filesystem::remove(d.File("lost.bin"));
    try {
      d.Commit();
      ADD_FAILURE() << "expected IoError";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(d.File("lost.bin")), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(Listing(dir.path()), (std::vector<std::string>{"graph", "graph/old.bin"}));
  AtomicDirectory d(out);
  testing::WriteFile(d.File("new.bin"), "y");
  d.Commit();
  EXPECT_FALSE(PathExists(out + "/old.bin"));
  EXPECT_EQ(testing::ReadFile(out + "/new.bin"), "y");
}

TEST(AtomicDirectory, files_inside_are_written_in_place_and_made_durable_by_its_commit) {
  testing::TempDir dir;
  const std::string out = dir.File("graph");
  // Larger than two write-behind steps, written in pieces of odd sizes.
  const std::string big = Pattern(static_cast<size_t>(2 * kWriteBehindBytes + 12345));
  AtomicDirectory d(out);
  MakeDirectories(d.File("nodes"));
  {
    AtomicFile f(d, "nodes/big.bin");
    for (size_t off = 0; off < big.size(); off += 777777)
      f.Write(std::string_view(big).substr(off, 777777));
    f.Commit();
    EXPECT_EQ(f.bytes_written(), static_cast<int64_t>(big.size()));
    EXPECT_EQ(f.crc32(), Crc32(big.data(), big.size()));
  }
  WriteWholeFile(d, "manifest.txt", "m\n");
  {
    AtomicFile dropped(d, "dropped.bin");  // never committed: removed by its destructor
    dropped.Write("x");
  }
  // Written under their own names inside the temporary tree, no temporaries beside them, and
  // nothing at the final path before the directory's Commit.
  EXPECT_EQ(Listing(d.temp_path()),
            (std::vector<std::string>{"manifest.txt", "nodes", "nodes/big.bin"}));
  EXPECT_FALSE(PathExists(out));
  d.Commit();
  EXPECT_FALSE(PathExists(d.temp_path()));
  EXPECT_EQ(Listing(out), (std::vector<std::string>{"manifest.txt", "nodes", "nodes/big.bin"}));
  EXPECT_EQ(testing::ReadFile(out + "/nodes/big.bin"), big);
  EXPECT_EQ(testing::ReadFile(out + "/manifest.txt"), "m\n");
}

TEST(AtomicDirectory, an_output_to_be_replaced_leaves_the_page_cache_but_stays_on_disk) {
  testing::TempDir dir;
  if (testing::OnTmpfs(dir.path())) GTEST_SKIP() << "tmpfs keeps its files in the page cache";
  const std::string out = dir.File("kg");
  const std::string old = Pattern(size_t{1} << 20);
  {
    AtomicDirectory d(out);
    WriteWholeFile(d, "train.tsv", old);
    d.Commit();  // synced: the cached pages are clean and can be dropped
  }
  const std::string single = dir.File("single.tsv");
  WriteWholeFile(single, old);
  ASSERT_EQ(testing::ReadFile(out + "/train.tsv"), old);  // cached now
  ASSERT_GT(testing::CachedPages(out + "/train.tsv"), 0u);
  ASSERT_GT(testing::CachedPages(single), 0u);
  AtomicDirectory d(out);
  EXPECT_EQ(testing::CachedPages(out + "/train.tsv"), 0u);
  AtomicFile f(single);
  EXPECT_EQ(testing::CachedPages(single), 0u);
  // Still there, unchanged, until the new output is committed.
  EXPECT_EQ(testing::ReadFile(out + "/train.tsv"), old);
  EXPECT_EQ(testing::ReadFile(single), old);
  WriteWholeFile(d, "train.tsv", "new");
  d.Commit();
  f.Write("new");
  f.Commit();
  EXPECT_EQ(testing::ReadFile(out + "/train.tsv"), "new");
  EXPECT_EQ(testing::ReadFile(single), "new");
}

TEST(MappedFile, maps_contents_and_empty_files) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("a"), "abc");
  testing::WriteFile(dir.File("e"), "");
  MappedFile a(dir.File("a"));
  EXPECT_EQ(std::string(static_cast<const char*>(a.data()), a.size()), "abc");
  MappedFile e(dir.File("e"));
  EXPECT_EQ(e.size(), 0u);
  EXPECT_THROW(MappedFile(dir.File("missing")), IoError);
}

}  // namespace
}  // namespace melograph
