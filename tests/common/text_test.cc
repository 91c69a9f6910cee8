#include "common/text.h"

#include <gtest/gtest.h>

namespace melograph {
namespace {

TEST(Text, parses_numbers_strictly) {
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("-7"), -7);
  EXPECT_EQ(ParseInt64("+7"), 7);
  EXPECT_FALSE(ParseInt64("4x"));
  EXPECT_FALSE(ParseInt64(""));
  EXPECT_DOUBLE_EQ(*ParseDouble("3.2466e+05"), 324660.0);
  EXPECT_DOUBLE_EQ(*ParseDouble("-0.5"), -0.5);
  EXPECT_FALSE(ParseDouble("1.0abc"));
  EXPECT_FALSE(ParseDouble(" 1"));
}

TEST(Text, finds_invalid_utf8) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii text"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("米津玄師 Kenshi Yonezu"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("tropic\xe1lia"), 6u);         // Latin-1 byte
  EXPECT_EQ(FindInvalidUtf8("ab\xc0\xafz"), 2u);           // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xed\xa0\x80"), 1u);         // surrogate
  EXPECT_EQ(FindInvalidUtf8("0123456789\xe3\x81"), 10u);   // truncated sequence
}

TEST(Text, converts_latin1) {
  EXPECT_EQ(Latin1ToUtf8("fu\xdf" "ball"), "fu\xc3\x9f" "ball");
}

TEST(Text, splits_fields_and_lists) {
  std::vector<std::string_view> f;
  EXPECT_EQ(SplitFields("a\t\tb", '\t', f), 3u);
  EXPECT_EQ(f[1], "");
  EXPECT_EQ(SplitList("a; b;c", ';'), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("", ';').empty());
}

TEST(Text, parses_byte_sizes) {
  EXPECT_EQ(ParseByteSize("16G"), int64_t{16} << 30);
  EXPECT_EQ(ParseByteSize("512M"), int64_t{512} << 20);
  EXPECT_EQ(ParseByteSize("100"), 100);
  EXPECT_FALSE(ParseByteSize("lots"));
}

}  // namespace
}  // namespace melograph
