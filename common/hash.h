// Deterministic hashing and counter-based random numbers.
//
// Contract: every random choice in melograph is a pure function of (seed, work item...), e.g.
// `Rng rng(HashCombine(seed, epoch, step, node_id))`. Never seed from thread or rank ids, so
// results do not change with the number of threads or ranks.
#pragma once

#include <cstdint>
#include <string_view>

namespace melograph {

__extension__ typedef unsigned __int128 Uint128;

// SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr uint64_t HashCombine(uint64_t seed) { return Mix64(seed); }

template <typename... Rest>
constexpr uint64_t HashCombine(uint64_t seed, uint64_t first, Rest... rest) {
  return HashCombine(Mix64(seed ^ Mix64(first + 0x632be59bd9b4e019ULL)), static_cast<uint64_t>(rest)...);
}

// FNV-1a over bytes followed by a mix; stable across platforms and runs.
inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix64(h);
}

// A small, fast generator (xoshiro256** seeded through SplitMix64). Cheap to construct, so
// make one per work item.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      s = Mix64(x);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) without modulo bias worth worrying about (Lemire's multiply-shift).
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
  }
  // Uniform double in [0, 1).
  double UniformDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  float UniformFloat() { return static_cast<float>(Next() >> 40) * 0x1.0p-24f; }
  // Standard normal (Box-Muller, one of the pair).
  double Normal();
  // Exponential with rate 1.
  double Exponential();

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace melograph
