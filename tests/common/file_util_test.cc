#include "common/file_util.h"

#include <gtest/gtest.h>

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

TEST(AtomicDirectory, replaces_directory_only_on_commit) {
  testing::TempDir dir;
  const std::string out = dir.File("graph");
  MakeDirectories(out);
  testing::WriteFile(out + "/old.bin", "x");
  {
    AtomicDirectory d(out);
    testing::WriteFile(d.File("new.bin"), "y");
  }
  EXPECT_TRUE(PathExists(out + "/old.bin"));
  AtomicDirectory d(out);
  testing::WriteFile(d.File("new.bin"), "y");
  d.Commit();
  EXPECT_FALSE(PathExists(out + "/old.bin"));
  EXPECT_EQ(testing::ReadFile(out + "/new.bin"), "y");
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
