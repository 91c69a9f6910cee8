#include "graph/string_interner.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(StringInterner, survives_many_rehashes) {
  StringInterner in;
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(in.Intern("user:" + std::to_string(i * 7919)), i);
  for (int i = 0; i < 100000; i += 997) EXPECT_EQ(in.Find("user:" + std::to_string(i * 7919)), i);
  EXPECT_EQ(in.Find("user:1"), -1);
  EXPECT_EQ(in.Get(99999), "user:" + std::to_string(99999 * 7919));
}

}  // namespace
}  // namespace melograph
