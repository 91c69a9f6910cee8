#include "common/resource.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace melograph {
namespace {

constexpr int64_t kKiB = 1024, kMiB = 1024 * kKiB;

// The heap pad of build-kg / build-graph: 1/16 of the input, never below glibc's default
// (128 KiB) nor above 64 MiB (docs/BENCHMARKS.md, fourteenth session).
TEST(HeapPadFor, is_a_sixteenth_of_the_input_within_bounds) {
  EXPECT_EQ(HeapPadFor(0), 128 * kKiB);         // a pipe or an empty file: the default
  EXPECT_EQ(HeapPadFor(2 * kMiB), 128 * kKiB);  // 1/16 would be below the default
  EXPECT_EQ(HeapPadFor(16 * kMiB), 1 * kMiB);
  EXPECT_EQ(HeapPadFor(554538635), 554538635 / 16);    // the medium world's events.tsv
  EXPECT_EQ(HeapPadFor(1024 * kMiB), 64 * kMiB);       // exactly the cap
  EXPECT_EQ(HeapPadFor(int64_t{6} << 30), 64 * kMiB);  // the large world: capped
}

}  // namespace
}  // namespace melograph
