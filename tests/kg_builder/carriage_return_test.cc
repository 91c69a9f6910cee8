// A carriage return left inside a line after CRLF stripping (a "\r\r\n" ending, or a bare CR in
// a field) is refused by the triple, events and catalog readers and by the importers' line
// reader (a HetRec tag value with a CR was found by fuzz/import_lightgcn_fuzz.cc): it would become part of a key
// that TripleWriter cannot write back (found by fuzz/catalog_reader_fuzz.cc; regression inputs
// in tests/data/fuzz_regressions/). A plain CRLF file is still accepted.
#include <gtest/gtest.h>

#include <string>

#include "kg_builder/catalog_reader.h"
#include "kg_builder/events_reader.h"
#include "kg_builder/import_common.h"
#include "kg_builder/triple_io.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::TempDir;
using testing::WriteFile;

template <typename F>
InputError Expect(F&& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("", 0, 0, "");
}

TEST(CarriageReturn, triple_reader_refuses_a_cr_inside_the_line) {
  TempDir tmp;
  WriteFile(tmp.File("t.tsv"), "user:u1\tlistened\tsong:s1\r\nuser:u2\tlistened\tsong:s2\r\r\n");
  const InputError e = Expect([&] {
    TripleReader reader(tmp.File("t.tsv"), nullptr);
    TripleRecord r;
    ASSERT_TRUE(reader.Next(r));  // plain CRLF
    EXPECT_EQ(r.tail, "song:s1");
    reader.Next(r);
  });
  EXPECT_EQ(e.file(), tmp.File("t.tsv"));
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 25);  // the CR after "song:s2"
  EXPECT_EQ(e.reason(), "carriage return inside the line (mixed line endings?)");
}

TEST(CarriageReturn, events_reader_refuses_a_cr_in_a_field) {
  TempDir tmp;
  WriteFile(tmp.File("e.tsv"), "u1\r\ts1\tplay\t100\n");
  const InputError e = Expect([&] {
    EventsReader reader(tmp.File("e.tsv"), nullptr);
    EventRecord r;
    reader.Next(r);
  });
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.column(), 3);
  EXPECT_EQ(e.reason(), "carriage return inside the line (mixed line endings?)");
}

TEST(CarriageReturn, catalog_reader_refuses_a_cr_in_a_followed_user) {
  TempDir tmp;
  WriteFile(tmp.File("cat/songs.tsv"), "s1\tTitle\ta1\t\t\t\t\t\n");
  WriteFile(tmp.File("cat/follows.tsv"), "u1\tu2\r\r\n");
  const InputError e = Expect([&] {
    MemoryTripleSink sink;
    ReadCatalog(tmp.File("cat"), nullptr, sink);
  });
  EXPECT_NE(e.file().find("follows.tsv"), std::string::npos) << e.what();
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.column(), 6);
  EXPECT_EQ(e.reason(), "carriage return inside the line (mixed line endings?)");
}

TEST(CarriageReturn, importer_lines_refuse_a_cr_inside_a_field) {
  TempDir tmp;
  WriteFile(tmp.File("tags.dat"), "tagID\ttagValue\r\n1\tpop\r\n2\tpo\rst-rock\r\n");
  std::vector<std::string> seen;
  const InputError e = Expect([&] {
    ForEachLine(tmp.File("tags.dat"), "tagID\ttagValue", [&](std::string_view text, int64_t) {
      seen.emplace_back(text);
    });
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"1\tpop"}));  // CRLF lines are fine
  EXPECT_EQ(e.file(), tmp.File("tags.dat"));
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 5);  // the CR inside "po\rst-rock"
  EXPECT_EQ(e.reason(), "carriage return inside the line (mixed line endings?)");
}

}  // namespace
}  // namespace melograph
