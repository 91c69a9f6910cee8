#include "common/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

namespace melograph {
namespace {

uint32_t ZlibCrc(const unsigned char* p, size_t n, uint32_t crc) {
  return static_cast<uint32_t>(::crc32(crc, p, static_cast<uInt>(n)));
}

TEST(Crc32, check_value) {
  // The CRC-32/ISO-HDLC check value.
  EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32("", 0), 0u);
  EXPECT_EQ(Crc32("", 0, 0xDEADBEEFu), 0xDEADBEEFu);
}

TEST(Crc32, equals_zlib_at_every_length_offset_and_seed) {
  // Lengths around the 64-byte folding threshold and the 16-byte steps, unaligned starts, and
  // the chaining seeds a writer passes (0, a previous CRC).
  std::mt19937_64 rng(3);
  std::vector<unsigned char> buf(700);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  for (size_t n = 0; n <= 600; ++n)
    for (size_t off = 0; off < 4; ++off)
      for (const uint32_t seed : {0u, 0xFFFFFFFFu, 0x12345678u}) {
        ASSERT_EQ(Crc32(buf.data() + off, n, seed), ZlibCrc(buf.data() + off, n, seed))
            << "n " << n << " offset " << off << " seed " << seed;
        ASSERT_EQ(Crc32Zlib(buf.data() + off, n, seed), ZlibCrc(buf.data() + off, n, seed));
      }
}

TEST(Crc32, chains_like_one_call_over_a_large_buffer) {
  std::mt19937_64 rng(5);
  std::vector<unsigned char> buf((size_t{3} << 20) + 17);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  const uint32_t whole = ZlibCrc(buf.data(), buf.size(), 0);
  EXPECT_EQ(Crc32(buf.data(), buf.size()), whole);
  // In pieces of uneven sizes, as AtomicFile checksums its buffer flushes.
  uint32_t c = 0;
  size_t at = 0;
  for (const size_t piece :
       {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{1} << 20, size_t{4095}}) {
    c = Crc32(buf.data() + at, piece, c);
    at += piece;
  }
  c = Crc32(buf.data() + at, buf.size() - at, c);
  EXPECT_EQ(c, whole);
}

}  // namespace
}  // namespace melograph
