#include "kg_builder/triple_io.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace melograph {
namespace {

struct Parsed {
  std::string head, relation, tail;
  float weight;
  bool has_ts;
  int64_t ts;
};

std::vector<Parsed> ReadAll(const std::string& path, BadLineBudget* budget = nullptr) {
  TripleReader r(path, budget);
  TripleRecord t;
  std::vector<Parsed> out;
  while (r.Next(t))
    out.push_back({std::string(t.head), std::string(t.relation), std::string(t.tail), t.weight,
                   t.has_timestamp, t.timestamp});
  return out;
}

// Expects reading `contents` to fail with "<file>:<line>:<column>: <reason...>".
void ExpectBadTriples(const std::string& contents, int line, int column, const std::string& reason_part) {
  testing::TempDir dir;
  const std::string path = dir.File("bad.tsv");
  testing::WriteFile(path, contents);
  try {
    ReadAll(path);
    FAIL() << "expected an InputError for: " << contents;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.reason().find(reason_part), std::string::npos) << e.what();
  }
}

TEST(TripleReader, reads_all_field_counts_comments_blank_lines_and_crlf) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"),
                     "# comment\n"
                     "user:42\tlistened\tsong:7\r\n"
                     "\n"
                     "artist:Kenshi Yonezu\tsang_in\tost:anime/Bungo Stray Dogs\t2.5\n"
                     "user:1\tskipped\tsong:x:y\t-1\t1700000000\n");
  const auto t = ReadAll(dir.File("t.tsv"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].head, "user:42");
  EXPECT_EQ(t[0].tail, "song:7");
  EXPECT_FLOAT_EQ(t[0].weight, 1.0f);
  EXPECT_FALSE(t[0].has_ts);
  EXPECT_EQ(t[1].head, "artist:Kenshi Yonezu");
  EXPECT_EQ(t[1].tail, "ost:anime/Bungo Stray Dogs");
  EXPECT_FLOAT_EQ(t[1].weight, 2.5f);
  EXPECT_EQ(t[2].tail, "song:x:y");  // ids may contain ':'
  EXPECT_FLOAT_EQ(t[2].weight, -1.0f);
  EXPECT_TRUE(t[2].has_ts);
  EXPECT_EQ(t[2].ts, 1700000000);
}

TEST(TripleReader, rejects_each_malformed_field_with_position) {
  ExpectBadTriples("user:1\tlistened\n", 1, 1, "found 2");
  ExpectBadTriples("a\nuser:1 listened song:2\n", 1, 1, "found 1");
  ExpectBadTriples("user:1\tr\tsong:2\t1\t2\t3\n", 1, 1, "found 6");
  ExpectBadTriples("User:1\tr\tsong:2\n", 1, 1, "bad head key");
  ExpectBadTriples("user1\tr\tsong:2\n", 1, 1, "no ':'");
  ExpectBadTriples("user:1\tr\tsong:\n", 1, 10, "id is empty");
  ExpectBadTriples("user:1\tListened\tsong:2\n", 1, 8, "bad relation");
  ExpectBadTriples("user:1\tr\tsong:2\tabc\n", 1, 17, "not a number");
  ExpectBadTriples("user:1\tr\tsong:2\tnan\n", 1, 17, "not finite");
  ExpectBadTriples("user:1\tr\tsong:2\tinf\n", 1, 17, "not finite");
  ExpectBadTriples("user:1\tr\tsong:2\t1\t12.5\n", 1, 19, "timestamp");
  ExpectBadTriples("# ok\nuser:1\tr\tsong:caf\xe9\n", 2, 18, "invalid UTF-8");
}

TEST(TripleReader, a_bad_key_or_relation_after_good_lines_like_it_is_still_rejected) {
  // The reader skips re-checking a head, relation or tail type equal to the last valid one:
  // text that differs from them, however slightly, must still be checked.
  const std::string good = "user:1\tlistened\tsong:2\n";
  ExpectBadTriples(good + "User:1\tlistened\tsong:2\n", 2, 1, "bad head key");
  ExpectBadTriples(good + "user1\tlistened\tsong:2\n", 2, 1, "no ':'");
  ExpectBadTriples(good + "user:\tlistened\tsong:2\n", 2, 1, "id is empty");
  ExpectBadTriples(good + "user:1\tListened\tsong:2\n", 2, 8, "bad relation");
  ExpectBadTriples(good + "user:1\tlistened\tsong:\n", 2, 17, "id is empty");
  ExpectBadTriples(good + "user:1\tlistened\tsong2\n", 2, 17, "no ':'");
  ExpectBadTriples(good + "user:1\tlistened\tSong:2\n", 2, 17, "bad tail key");
  ExpectBadTriples(
      good + "user:1\tlistened\tsong_:2\n" + "user:1\tlistened\tso:2\n" + "user:1\tlistened\t:2\n",
      4, 17, "key type must match");
  // And the cached parts still come out right when only the id changes.
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"),
                     good + "user:1\tlistened\tsong:3\nuser:12\trejected\tsong:x:4\n");
  const auto t = ReadAll(dir.File("t.tsv"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].tail, "song:3");
  EXPECT_EQ(t[2].head, "user:12");
  EXPECT_EQ(t[2].relation, "rejected");
  EXPECT_EQ(t[2].tail, "song:x:4");
  TripleReader r(dir.File("t.tsv"), nullptr);
  TripleRecord rec;
  std::vector<std::string> types;
  while (r.Next(rec))
    types.push_back(std::string(rec.head_type) + "/" + std::string(rec.tail_type));
  EXPECT_EQ(types, (std::vector<std::string>{"user/song", "user/song", "user/song"}));
}

TEST(TripleReader, same_head_and_same_kind_compare_with_the_previous_record_returned) {
  // Flags as "head kind": H = same head key, K = same head type, relation and tail type. The
  // skipped bad lines (a bad tail after a new head and relation; a bad weight after a new tail
  // type) must not count as "previous": the line after each is compared with the last good one.
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"),
                     "user:1\tlistened\tsong:2\t1\n"  // first record: nothing repeats
                     "user:1\tlistened\tsong:3\n"     // H K
                     "# a comment between\n"
                     "user:2\tlistened\tsong:3\n"        // K (another user)
                     "user:2\trejected\tsong:3\n"        // H, relation changes
                     "user:2\trejected\tartist:3\n"      // H, tail type changes
                     "song:2\trejected\tartist:3\n"      // head type changes
                     "user:9\tfollows\tuser\n"           // bad tail: skipped
                     "user:9\tfollows\tuser:1\n"         // neither: compared with song:2 rejected
                     "user:9\tfollows\tplaylist:1\tx\n"  // bad weight: skipped
                     "user:9\tfollows\tplaylist:2\n"     // H only: the last good tail type is user
                     "user:9\tfollows\tplaylist:3\n");   // H K
  BadLineBudget budget(2);
  TripleReader r(dir.File("t.tsv"), &budget);
  TripleRecord rec;
  std::vector<std::string> flags;
  while (r.Next(rec))
    flags.push_back(std::string(rec.same_head ? "H" : "") + (rec.same_kind ? "K" : ""));
  EXPECT_EQ(budget.count(), 2);
  EXPECT_EQ(flags, (std::vector<std::string>{"", "HK", "K", "H", "H", "", "", "H", "HK"}));
}

TEST(TripleReader, repeated_and_colliding_weight_texts_read_as_parsed_afresh) {
  // Weight texts are remembered by their bytes in 256 slots: 3,000 distinct texts (so slots are
  // shared and overwritten), each written several times in different forms, must all read as
  // std::from_chars reads them.
  testing::TempDir dir;
  std::string text;
  std::vector<float> want;
  uint64_t state = 5;
  std::vector<std::string> forms;
  for (int i = 0; i < 3000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double v = static_cast<double>(state >> 40) / 997.0 - 8000.0;
    char buf[32];
    const char* end = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v)).ptr;
    forms.emplace_back(buf, static_cast<size_t>(end - buf));
  }
  for (const char* f :
       {"1", "-1", "0.5", "1e3", "-0", "0", "12345678901234.5", "1.00000000000000000001"})
    forms.emplace_back(f);
  // Texts of one length that share their first 8 bytes and differ only at the end, with far
  // apart values: a slot that compared part of the text would hand out a wrong one.
  for (int m = 1; m <= 9; ++m)
    for (int e = 1; e <= 30; ++e)
      forms.push_back(std::to_string(m) + ".0000000e" + std::to_string(e));
  // Two such texts that share a slot under TripleReader's hash (found by search), one after
  // the other.
  forms.emplace_back("1.234567000e8");
  forms.emplace_back("1.234567005e1");
  for (int round = 0; round < 3; ++round)
    for (size_t i = 0; i < forms.size(); i += static_cast<size_t>(1 + round)) {
      text += "user:1\tlistened\tsong:2\t" + forms[i] + "\n";
      float f = 0;
      std::from_chars(forms[i].data(), forms[i].data() + forms[i].size(), f);
      want.push_back(f);
    }
  testing::WriteFile(dir.File("w.tsv"), text);
  const auto t = ReadAll(dir.File("w.tsv"));
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < t.size(); ++i) {
    ASSERT_EQ(std::signbit(t[i].weight), std::signbit(want[i])) << i;
    ASSERT_EQ(t[i].weight, want[i]) << "line " << i + 1;
  }
  // A valid text, then texts that share its bytes but are not numbers or not finite.
  const std::string good = "user:1\tr\tsong:2\t1.5\n";
  ExpectBadTriples(good + "user:1\tr\tsong:2\t1.5x\n", 2, 17, "not a number");
  ExpectBadTriples(good + "user:1\tr\tsong:2\t1.5.\n", 2, 17, "not a number");
  ExpectBadTriples(good + "user:1\tr\tsong:2\t1e39\n", 2, 17, "not finite");
}

TEST(TripleReader, skips_and_counts_bad_lines_within_budget) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"), "user:1\tr\tsong:1\nbroken\nuser:2\tr\tsong:2\tx\nuser:3\tr\tsong:3\n");
  BadLineBudget budget(2);
  const auto t = ReadAll(dir.File("t.tsv"), &budget);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(budget.count(), 2);
  EXPECT_NE(budget.Summary().find("t.tsv:2:1"), std::string::npos) << budget.Summary();
  EXPECT_NE(budget.Summary().find("t.tsv:3:17"), std::string::npos) << budget.Summary();
  BadLineBudget small(1);
  EXPECT_THROW(ReadAll(dir.File("t.tsv"), &small), InputError);
}

TEST(TripleWriter, round_trips_through_reader_including_gzip) {
  testing::TempDir dir;
  for (const std::string name : {"o.tsv", "o.tsv.gz"}) {
    TripleWriter w(dir.File(name));
    w.Comment("made by a test");
    w.Write("user:1", "listened", "song:2");
    w.Write("user:1", "liked", "song:3", 0.1);
    w.Write("user:1", "skipped", "song:4", -2.0, 1234);
    w.Commit();
    const auto t = ReadAll(dir.File(name));
    ASSERT_EQ(t.size(), 3u);
    EXPECT_FLOAT_EQ(t[1].weight, 0.1f);
    EXPECT_EQ(t[2].ts, 1234);
  }
  EXPECT_EQ(testing::ReadFile(dir.File("o.tsv")),
            "# made by a test\nuser:1\tlistened\tsong:2\nuser:1\tliked\tsong:3\t0.1\n"
            "user:1\tskipped\tsong:4\t-2\t1234\n");
}

// Weights are written as the shortest text of their float, from a cache of recent texts keyed
// by the float's bits: repeated values, values sharing a cache slot, -0 and 0, long and short
// texts must all come out exactly as std::to_chars writes them, in both Write forms.
TEST(TripleWriter, writes_fields_of_every_length_exactly) {
  // Fields are copied by length class (under 4, 4-7, 8-16, longer bytes): every length from 1
  // to 40 in every field, each next to distinct neighbours so an overlong or short copy shows.
  testing::TempDir dir;
  std::string want;
  {
    TripleWriter w(dir.File("o.tsv"));
    for (size_t n = 1; n <= 40; ++n) {
      std::string id, rel;
      for (size_t i = 0; i < n; ++i) {
        id.push_back(static_cast<char>('A' + (i * 7 + n) % 26));
        rel.push_back(static_cast<char>('a' + (i * 5 + n) % 26));
      }
      const std::string head = "h:" + id.substr(0, n > 2 ? n - 2 : 1), tail = "t:" + id;
      w.Write(head, rel, tail);
      w.Write(tail, rel, head, 0.5, static_cast<int64_t>(n));
      want += head + "\t" + rel + "\t" + tail + "\n" + tail + "\t" + rel + "\t" + head + "\t0.5\t" +
              std::to_string(n) + "\n";
    }
    w.Commit();
  }
  EXPECT_EQ(testing::ReadFile(dir.File("o.tsv")), want);
}

// Timestamps of 10 digits (Unix seconds 2001-2286) take a digit-parallel path, every other
// value std::to_chars: both must write exactly the decimal text, at and around the edges.
TEST(TripleWriter, timestamps_are_written_in_decimal_at_every_digit_count) {
  testing::TempDir dir;
  std::vector<int64_t> stamps = {0,           7,          99,          999999999,  1000000000,
                                 1000000001,  1234567890, 1710039971,  9999999999, 10000000000,
                                 12345678901, -1,         -1000000000, INT64_MAX,  INT64_MIN};
  for (int64_t t = 1000000000; t < 10000000000; t += 123456789) stamps.push_back(t);
  for (int64_t t = 1700000000; t < 1700000000 + 100001; t += 997)
    stamps.push_back(t);  // each digit
  std::string want;
  {
    TripleWriter w(dir.File("t.tsv"));
    for (const int64_t t : stamps) {
      w.Write("user:u1", "listened", "song:s2", 2.0, t);
      want += "user:u1\tlistened\tsong:s2\t2\t" + std::to_string(t) + "\n";
    }
    w.Commit();
  }
  EXPECT_EQ(testing::ReadFile(dir.File("t.tsv")), want);
}

TEST(TripleWriter, weights_are_the_shortest_float_text_whatever_was_written_before) {
  testing::TempDir dir;
  std::vector<float> weights = {0.5f,           -0.0f,      0.0f, 1.17549435e-38f,
                                -3.4028235e38f, 1.3862944f, 0.1f};
  for (int i = 0; i < 5000; ++i)
    weights.push_back(static_cast<float>(i % 300) * 0.37f - 20.0f);  // repeats
  for (int i = 0; i < 3000; ++i)
    weights.push_back(std::ldexp(1.0f + static_cast<float>(i) / 4096, i % 60 - 30));
  TripleWriter w(dir.File("w.tsv"));
  std::string expected;
  for (size_t i = 0; i < weights.size(); ++i) {
    char text[32];
    const std::string_view t(
        text, static_cast<size_t>(std::to_chars(text, text + 32, weights[i]).ptr - text));
    if (i % 2 == 0) {
      w.Write("user:u", "listened", "song:s", weights[i], 1700000000 + static_cast<int64_t>(i));
      expected += "user:u\tlistened\tsong:s\t" + std::string(t) + "\t" +
                  std::to_string(1700000000 + i) + "\n";
    } else {
      w.Write("user:u", "listened", "song:s", weights[i]);
      expected +=
          "user:u\tlistened\tsong:s" + (weights[i] == 1.0f ? "" : "\t" + std::string(t)) + "\n";
    }
  }
  w.Commit();
  EXPECT_EQ(testing::ReadFile(dir.File("w.tsv")), expected);
}

}  // namespace
}  // namespace melograph
