#include "common/hash.h"

#include <gtest/gtest.h>

#include <vector>

namespace melograph {
namespace {

TEST(Hash, combine_is_deterministic_and_order_sensitive) {
  EXPECT_EQ(HashCombine(1, 2, 3), HashCombine(1, 2, 3));
  EXPECT_NE(HashCombine(1, 2, 3), HashCombine(1, 3, 2));
  EXPECT_NE(HashCombine(1, 2), HashCombine(2, 2));
}

TEST(Rng, uniform_is_in_range_and_roughly_flat) {
  Rng rng(HashCombine(42, 7));
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t x = rng.Uniform(10);
    ASSERT_LT(x, 10u);
    ++counts[x];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  for (int i = 0; i < 1000; ++i) {
    const double d = rng.UniformDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
  }
}

TEST(Rng, same_seed_same_stream) {
  Rng a(5), b(5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
}

}  // namespace
}  // namespace melograph
