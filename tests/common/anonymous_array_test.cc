// AnonymousArray (common/anonymous_array.h): zero pages until written, Shrink keeps the prefix
// and unmaps the tail, moves hand the mapping over, and the pages leave the process as soon as
// the array is destroyed (what the graph builder's peak relies on), Discard zeroes whole pages.
#include "common/anonymous_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include "common/resource.h"

namespace melograph {
namespace {

TEST(AnonymousArray, unwritten_elements_read_zero_and_writes_stick) {
  AnonymousArray<int64_t> a(100000);
  ASSERT_EQ(a.size(), 100000u);
  ASSERT_NE(a.data(), nullptr);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[99999], 0);
  for (size_t i = 0; i < a.size(); i += 777) a[i] = static_cast<int64_t>(i) * 3;
  for (size_t i = 0; i < a.size(); i += 777) EXPECT_EQ(a[i], static_cast<int64_t>(i) * 3);
  EXPECT_EQ(a[1], 0);
  const AnonymousArray<int64_t> empty(0);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.data(), nullptr);
}

TEST(AnonymousArray, shrink_keeps_the_prefix) {
  AnonymousArray<int32_t> a(50000);  // 200,000 bytes: 49 pages of 4 KiB
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int32_t>(i);
  a.Shrink(60000);  // larger: no-op
  EXPECT_EQ(a.size(), 50000u);
  a.Shrink(1025);  // keeps a partial page: 4,100 bytes
  ASSERT_EQ(a.size(), 1025u);
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], static_cast<int32_t>(i));
  a[1024] = -7;  // the last kept element is still mapped and writable
  EXPECT_EQ(a[1024], -7);
  a.Shrink(0);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.data(), nullptr);
}

TEST(AnonymousArray, moves_hand_the_mapping_over) {
  AnonymousArray<float> a(10);
  a[3] = 1.5f;
  const float* where = a.data();
  AnonymousArray<float> b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.data(), where);
  EXPECT_EQ(b[3], 1.5f);
  AnonymousArray<float> c(4);
  c = std::move(b);  // c's own mapping is released
  EXPECT_EQ(c.size(), 10u);
  EXPECT_EQ(c[3], 1.5f);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
}

TEST(AnonymousArray, discard_zeroes_the_whole_pages_inside_the_range_and_keeps_the_rest) {
  AnonymousArray<int32_t> a(10000);  // 40,000 bytes: pages of 1,024 elements (4 KiB)
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int32_t>(i) + 1;
  a.Discard(1000, 5000);  // whole pages: elements [1024, 4096)
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i], i >= 1024 && i < 4096 ? 0 : static_cast<int32_t>(i) + 1) << i;
  a.Discard(5000, 6000);   // no whole page inside: nothing changes
  a.Discard(9000, 20000);  // clamped to the array: its last whole page, [9216, 10000) is partial
  for (size_t i = 4096; i < a.size(); ++i) ASSERT_EQ(a[i], static_cast<int32_t>(i) + 1) << i;
  a[2000] = 7;  // a discarded page is still mapped and writable
  EXPECT_EQ(a[2000], 7);
  a.Discard(0, a.size());
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[9215], 0);
  EXPECT_EQ(a[9999], 10000);  // in the partial last page
}

TEST(AnonymousArray, pages_are_resident_only_once_written_and_leave_at_destruction) {
  // Bounds leave room for sanitizer shadow pages and transparent huge pages: the claims are
  // that the untouched half is never resident, and that Shrink and destruction give back the
  // touched pages (16 MiB each here).
  constexpr size_t kBytes = size_t{64} << 20;
  const int64_t base = CurrentRssBytes();
  if (base == 0) GTEST_SKIP() << "no /proc/self/status";
  int64_t shrunk = 0;
  {
    AnonymousArray<uint8_t> a(kBytes);
    EXPECT_LT(CurrentRssBytes() - base, int64_t{8} << 20) << "mapping alone must not be resident";
    for (size_t i = 0; i < kBytes / 2; i += 4096) a[i] = 1;  // touch the first half
    const int64_t touched = CurrentRssBytes();
    EXPECT_GE(touched - base, int64_t{30} << 20);
    EXPECT_LT(touched - base, int64_t{48} << 20) << "the untouched half must not be resident";
    a.Shrink(kBytes / 4);  // the touched pages past a quarter are unmapped
    shrunk = CurrentRssBytes();
    EXPECT_GE(touched - shrunk, int64_t{14} << 20);
  }
  EXPECT_GE(shrunk - CurrentRssBytes(), int64_t{14} << 20) << "destruction must return the pages";
}

}  // namespace
}  // namespace melograph
