#include "common/crc32.h"

#include <zlib.h>

#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MELOGRAPH_CRC32_PCLMUL 1
#endif

namespace melograph {

uint32_t Crc32Zlib(const void* data, size_t bytes, uint32_t crc) {
  const auto* p = static_cast<const Bytef*>(data);
  uLong c = crc;
  while (bytes > 0) {
    const uInt chunk = bytes > (1u << 30) ? (1u << 30) : static_cast<uInt>(bytes);
    c = ::crc32(c, p, chunk);
    p += chunk;
    bytes -= chunk;
  }
  return static_cast<uint32_t>(c);
}

#ifdef MELOGRAPH_CRC32_PCLMUL
namespace {

// Folding (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ",
// Intel, 2009), for the reflected polynomial 0xEDB88320. A 128-bit lane x moved forward by D
// bits is lo(x) * (x^(D+32) mod P) xor hi(x) * (x^(D-32) mod P), both constants bit-reflected:
// D = 512 for the four lanes' loop, D = 128 to merge lanes. Only folding is done here: the
// CRC of the message equals the CRC (from a zero state) of the folded 16 bytes followed by the
// rest, which zlib computes; no Barrett reduction needed.
__attribute__((target("pclmul,sse2"))) inline __m128i Fold(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

__attribute__((target("pclmul,sse2"))) uint32_t Crc32Pclmul(const unsigned char* p, size_t n,
                                                            uint32_t crc) {
  // Requires n >= 64.
  const __m128i k512 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
  const __m128i k128 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
  const auto load = [](const unsigned char* q) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  };
  // zlib's state is the inverted crc; xor it into the message's first four bytes.
  __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(~crc)));
  __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
  p += 64;
  n -= 64;
  for (; n >= 64; p += 64, n -= 64) {
    x0 = _mm_xor_si128(Fold(x0, k512), load(p));
    x1 = _mm_xor_si128(Fold(x1, k512), load(p + 16));
    x2 = _mm_xor_si128(Fold(x2, k512), load(p + 32));
    x3 = _mm_xor_si128(Fold(x3, k512), load(p + 48));
  }
  __m128i x = _mm_xor_si128(Fold(x0, k128), x1);
  x = _mm_xor_si128(Fold(x, k128), x2);
  x = _mm_xor_si128(Fold(x, k128), x3);
  for (; n >= 16; p += 16, n -= 16) x = _mm_xor_si128(Fold(x, k128), load(p));
  unsigned char folded[16];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(folded), x);
  // From a zero state: zlib's crc argument 0xFFFFFFFF is the state 0.
  uint32_t c = Crc32Zlib(folded, sizeof folded, 0xFFFFFFFFu);
  return Crc32Zlib(p, n, c);
}

bool HavePclmul() {
  static const bool have = __builtin_cpu_supports("pclmul");  // (x86-64 always has SSE2)
  return have;
}

}  // namespace
#endif

uint32_t Crc32(const void* data, size_t bytes, uint32_t crc) {
#ifdef MELOGRAPH_CRC32_PCLMUL
  if (bytes >= 64 && HavePclmul())
    return Crc32Pclmul(static_cast<const unsigned char*>(data), bytes, crc);
#endif
  return Crc32Zlib(data, bytes, crc);
}

}  // namespace melograph
