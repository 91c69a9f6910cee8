#include "common/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace melograph {
namespace {

TEST(Text, parses_numbers_strictly) {
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("-7"), -7);
  EXPECT_EQ(ParseInt64("+7"), 7);
  EXPECT_FALSE(ParseInt64("4x"));
  EXPECT_FALSE(ParseInt64(""));
  // The plain-digit loop (up to 18 digits) and from_chars beyond it agree at the boundary.
  EXPECT_EQ(ParseInt64("000123"), 123);
  EXPECT_EQ(ParseInt64("999999999999999999"), 999999999999999999);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808"));
  EXPECT_FALSE(ParseInt64("99999999999999999999"));
  EXPECT_FALSE(ParseInt64("12 "));
  EXPECT_FALSE(ParseInt64("1.5"));
  EXPECT_FALSE(ParseInt64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"));
  EXPECT_FALSE(ParseInt64("/"));
  EXPECT_FALSE(ParseInt64(":"));
  EXPECT_DOUBLE_EQ(*ParseDouble("3.2466e+05"), 324660.0);
  EXPECT_DOUBLE_EQ(*ParseDouble("-0.5"), -0.5);
  EXPECT_FALSE(ParseDouble("1.0abc"));
  EXPECT_FALSE(ParseDouble(" 1"));
}

TEST(Text, parse_int64_equals_from_chars_for_every_length_and_junk_position) {
  // Digit strings of 1..20 characters (the 8-at-a-time path covers 1..16), with leading zeros,
  // and with one character replaced by a neighbour of the digits ('/', ':', ' ', 0x06 + '0'...)
  // or a sign: ParseInt64 must say what from_chars says.
  const auto reference = [](std::string_view s) { return FromCharsWhole<int64_t>(s); };
  const char junk[] = {'/', ':', ' ', '+', '-', 'a', '\x06', '\x39' + 7, '\xfa', '\xff', '.', '\0'};
  uint64_t state = 99;
  for (size_t n = 1; n <= 20; ++n) {
    for (int trial = 0; trial < 300; ++trial) {
      std::string s;
      for (size_t i = 0; i < n; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        s.push_back(static_cast<char>('0' + (state >> 33) % 10));
      }
      if (trial % 3 == 0) s[0] = '9';
      if (trial % 7 == 0) s[0] = '0';
      EXPECT_EQ(ParseInt64(s), reference(s)) << s;
      std::string bad = s;
      bad[(state >> 20) % n] = junk[(state >> 40) % sizeof junk];
      EXPECT_EQ(ParseInt64(bad), reference(bad)) << n << " " << trial;
    }
  }
  EXPECT_EQ(ParseInt64("1710039971"), 1710039971);
  EXPECT_EQ(ParseInt64("9999999999999999"), 9999999999999999);
  EXPECT_EQ(ParseInt64("12345678"), 12345678);
  EXPECT_EQ(ParseInt64("123456789"), 123456789);
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

TEST(Text, parse_int64_equals_from_chars_at_every_length_and_bad_byte) {
  // Plain digits of every length 1..19 (the 8-at-a-time path covers up to 16), and each length
  // with one byte replaced by a character just outside '0'..'9' or far from it, at every place:
  // the answer must be std::from_chars' on the whole field.
  uint64_t state = 99;
  const auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  const char bad[] = {'/', ':', ' ', '-', '+', '.', 'a', '\0', '\x80', '\xfa', '\xff', '\x06', 'v'};
  for (size_t n = 1; n <= 19; ++n) {
    for (int trial = 0; trial < 50; ++trial) {
      std::string digits;
      for (size_t i = 0; i < n; ++i) digits.push_back(static_cast<char>('0' + (next() >> 33) % 10));
      const auto want = FromCharsWhole<int64_t>(digits);
      int64_t got = -1;
      ASSERT_EQ(ParseInt64(digits, &got), want.has_value()) << digits;
      if (want) EXPECT_EQ(got, *want) << digits;
      for (size_t at = 0; at < n; ++at) {
        std::string broken = digits;
        broken[at] = bad[(next() >> 33) % sizeof bad];
        const auto want_broken = FromCharsWhole<int64_t>(broken);
        int64_t v = -1;
        ASSERT_EQ(ParseInt64(broken, &v), want_broken.has_value()) << n << " at " << at;
        if (want_broken) EXPECT_EQ(v, *want_broken) << broken;
      }
    }
  }
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ParseInt64("9999999999999999", &v));
  EXPECT_EQ(v, 9999999999999999);
  EXPECT_TRUE(ParseInt64("0000000000000001", &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(ParseInt64("1710039971", &v));
  EXPECT_EQ(v, 1710039971);
  // Bytes after the field are never read: a view into a longer buffer.
  const std::string line = "12345\t678";
  EXPECT_TRUE(ParseInt64(std::string_view(line).substr(0, 5), &v));
  EXPECT_EQ(v, 12345);
  EXPECT_TRUE(ParseInt64(std::string_view(line).substr(1, 3), &v));
  EXPECT_EQ(v, 234);
}

TEST(Text, same_text_compares_every_length) {
  for (size_t n = 0; n <= 40; ++n) {
    const std::string a(n, 'k');
    EXPECT_TRUE(SameText(a, std::string(n, 'k'))) << n;
    EXPECT_FALSE(SameText(a, std::string(n + 1, 'k'))) << n;
    for (size_t i = 0; i < n; ++i) {  // one byte differs: at the start, middle or end
      std::string b = a;
      b[i] = 'j';
      EXPECT_FALSE(SameText(a, b)) << n << " " << i;
    }
  }
}

}  // namespace
}  // namespace melograph
