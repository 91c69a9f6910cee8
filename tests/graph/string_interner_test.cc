#include "graph/string_interner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace melograph {
namespace {

TEST(StringInterner, ids_follow_first_seen_order_and_round_trip) {
  StringInterner in;
  EXPECT_EQ(in.Intern("song:b"), 0);
  EXPECT_EQ(in.Intern("song:a"), 1);
  EXPECT_EQ(in.Intern("song:b"), 0);
  EXPECT_EQ(in.size(), 2u);
  EXPECT_EQ(in.Get(1), "song:a");
  EXPECT_EQ(in.Find("song:a"), 1);
  EXPECT_EQ(in.Find("song:c"), -1);
}

TEST(StringInterner, distinguishes_keys_by_length_prefix_and_tail) {
  // Keys around the 8-byte inline prefix: equal prefixes, different tails, embedded NULs.
  const std::string keys[] = {"",         "a",         std::string("a\0", 2), "abcdefgh",  "abcdefgh1",
                              "abcdefgh2", "abcdefghij", "abcdefgi",            "abcdefg",   std::string(100, 'x'),
                              std::string(99, 'x') + "y"};
  StringInterner in;
  for (size_t i = 0; i < std::size(keys); ++i) EXPECT_EQ(in.Intern(keys[i]), static_cast<int32_t>(i)) << i;
  for (size_t i = 0; i < std::size(keys); ++i) {
    EXPECT_EQ(in.Find(keys[i]), static_cast<int32_t>(i)) << i;
    EXPECT_EQ(in.Get(static_cast<int32_t>(i)), keys[i]) << i;
  }
  EXPECT_EQ(in.Find("abcdefgh3"), -1);
}

TEST(StringInterner, short_keys_differing_in_any_one_byte_are_distinct) {
  // Keys under 8 bytes live whole in the slot's prefix, read by overlapping loads: a key of each
  // length 0-9 and, for every position, copies with that byte changed (to NUL, 0xff or 'q')
  // must all get their own ids, and be found again.
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 9; ++n) {
    const std::string base = std::string("abcdefghij").substr(0, n);
    keys.push_back(base);
    for (size_t i = 0; i < n; ++i)
      for (char c : {'\0', '\xff', 'q'}) {
        std::string k = base;
        k[i] = c;
        keys.push_back(k);
      }
  }
  StringInterner in;
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(in.Intern(keys[i]), static_cast<int32_t>(i)) << i;
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(in.Find(keys[i]), static_cast<int32_t>(i)) << i;
  EXPECT_EQ(in.Find(std::string("abcdefghij").substr(0, 3) + "x"), -1);
}

TEST(StringInterner, survives_many_rehashes) {
  StringInterner in;
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(in.Intern("user:" + std::to_string(i * 7919)), i);
  for (int i = 0; i < 100000; i += 997) EXPECT_EQ(in.Find("user:" + std::to_string(i * 7919)), i);
  EXPECT_EQ(in.Find("user:1"), -1);
  EXPECT_EQ(in.Get(99999), "user:" + std::to_string(99999 * 7919));
}

TEST(StringInterner, reserve_sizes_the_table_once_and_keeps_ids) {
  StringInterner reserved, grown;
  reserved.Reserve(50000);
  EXPECT_EQ(reserved.slot_count(), 131072u);  // load <= 1/2: the power of two >= 100,000
  for (int i = 0; i < 50000; ++i) {
    const std::string key = "song:" + std::to_string(int64_t{i} * 104729);
    ASSERT_EQ(reserved.Intern(key), grown.Intern(key));
    ASSERT_EQ(reserved.slot_count(), 131072u) << "rehashed at " << i;
  }
  EXPECT_EQ(grown.slot_count(), 131072u);  // the same table in the end, reached by growing
  EXPECT_EQ(reserved.Find("song:0"), 0);
  EXPECT_EQ(reserved.Find("song:" + std::to_string(int64_t{49999} * 104729)), 49999);
  reserved.Reserve(10);  // smaller than the table: no change
  EXPECT_EQ(reserved.slot_count(), 131072u);
  EXPECT_EQ(reserved.Find("song:" + std::to_string(int64_t{123} * 104729)), 123);
}

// Growing doubles the table, except that it goes from 2^13 slots (192 KiB) straight to 2^16
// (1.5 MiB, the first on huge pages): tables of 256 KiB to 1 MiB would each take fresh 4 KiB
// pages. Ids and lookups do not depend on the sizes.
TEST(StringInterner, growth_skips_the_tables_just_below_huge_pages) {
  ASSERT_TRUE(HugePagesEnabled()) << "the test environment must not set MELOGRAPH_HUGE_PAGES=0";
  StringInterner in;
  std::vector<size_t> sizes{in.slot_count()};
  for (int i = 0; i < 40000; ++i) {
    ASSERT_EQ(in.Intern("artist:" + std::to_string(i)), i);
    if (in.slot_count() != sizes.back()) sizes.push_back(in.slot_count());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{1024, 2048, 4096, 8192, 65536, 131072}));
  for (int i = 0; i < 40000; i += 13) ASSERT_EQ(in.Find("artist:" + std::to_string(i)), i);
  EXPECT_EQ(in.Find("artist:40000"), -1);
}

}  // namespace
}  // namespace melograph
