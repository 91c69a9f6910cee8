#include "common/short_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace melograph {
namespace {

TEST(ShortText, copy_text_writes_exactly_the_text_at_every_length) {
  // Every branch (0-3, 4-7, 8-16 bytes, longer): the bytes copied, none written past them, and
  // the source read from a view into a longer buffer.
  const std::string source = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (size_t n = 0; n <= 40; ++n) {
    std::string dst(64, '#');
    CopyText(dst.data() + 3, std::string_view(source).substr(5, n));
    EXPECT_EQ(dst.substr(0, 3), "###") << n;
    EXPECT_EQ(dst.substr(3, n), source.substr(5, n)) << n;
    EXPECT_EQ(dst.substr(3 + n), std::string(61 - n, '#')) << n;
  }
}

TEST(ShortText, text_buffer_keeps_every_text_at_its_offset) {
  TextBuffer buffer;
  std::vector<std::pair<size_t, std::string>> kept;
  for (size_t n = 0; n < 300; ++n) {  // grows several times; lengths 0 to 99
    const std::string text(n % 100, static_cast<char>('a' + n % 26));
    kept.emplace_back(buffer.size(), text);
    buffer.append(text);
  }
  for (const auto& [at, text] : kept) EXPECT_EQ(buffer.substr(at, text.size()), text);
  buffer.clear();
  EXPECT_EQ(buffer.size(), 0u);
  buffer.append("user:u1");
  EXPECT_EQ(buffer.substr(0, 7), "user:u1");
}

TEST(ShortText, recent_text_holds_the_last_text_short_or_long) {
  RecentText last("\t");
  EXPECT_EQ(last.view(), "\t");
  for (const size_t n : {0, 1, 7, 16, 47, 48, 49, 200, 3}) {  // in place up to 48, then not
    const std::string text(n, static_cast<char>('a' + n % 26));
    last.assign(text);
    EXPECT_EQ(last.view(), text) << n;
    const RecentText copy = last;
    EXPECT_EQ(copy.view(), text) << n;
  }
}

TEST(ShortText, typed_key_prefixes_each_id_with_its_type) {
  TypedKey song("song");
  EXPECT_EQ(song.With("s1"), "song:s1");
  const std::string long_id(300, 'x');  // grows past the first buffer
  EXPECT_EQ(song.With(long_id), "song:" + long_id);
  EXPECT_EQ(song.With(""), "song:");
  EXPECT_EQ(song.With("s328608"), "song:s328608");
  TypedKey user("user");  // keys of two types side by side stay apart
  const std::string_view u = user.With("u0");
  EXPECT_EQ(song.With("s9"), "song:s9");
  EXPECT_EQ(u, "user:u0");
}

TEST(ShortText, text_buffer_takes_single_characters) {
  TextBuffer buffer;
  std::string want;
  for (int i = 0; i < 1000; ++i) {  // grows by push_back alone
    buffer.push_back(static_cast<char>('a' + i % 26));
    want.push_back(static_cast<char>('a' + i % 26));
  }
  EXPECT_EQ(buffer.view(), want);
  buffer.clear();
  buffer.append("artist");
  buffer.push_back(':');
  buffer.append("Kenshi Yonezu");
  EXPECT_EQ(buffer.view(), "artist:Kenshi Yonezu");
}

}  // namespace
}  // namespace melograph
