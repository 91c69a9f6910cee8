#include "common/resource.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/test_util.h"

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

// Sizing the pad never fails on its own: a missing input or a directory counts 0 bytes and is
// left for the reader to report with its position.
TEST(UseBuilderMallocPolicy, tolerates_inputs_that_are_not_regular_files) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.tsv"), "user:1\tr\tsong:1\n");
  EXPECT_NO_THROW(UseBuilderMallocPolicy({dir.File("t.tsv"), dir.File("missing.tsv"), dir.path()}));
  EXPECT_NO_THROW(UseBuilderMallocPolicy({}));
}

}  // namespace
}  // namespace melograph
