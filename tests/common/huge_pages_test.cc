// Huge pages (common/huge_pages.h): large blocks come 2 MiB aligned and rounded, zero filled and
// writable; small ones are plain; UnmapMemory and the vector allocator give the memory back; an
// AnonymousArray on huge pages keeps its contract (zero until written, Shrink keeps the prefix);
// AdviseSmallPages keeps part of a block on 4 KiB pages, AdviseSmallTail its partial last page.
#include "common/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/anonymous_array.h"
#include "common/resource.h"

namespace melograph {
namespace {

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 509)
    if (p[i] != 0) return false;
  return p[n - 1] == 0;
}

TEST(HugePages, large_blocks_are_aligned_rounded_zero_and_writable) {
  ASSERT_TRUE(HugePagesEnabled()) << "the test environment must not set MELOGRAPH_HUGE_PAGES=0";
  const size_t bytes = 2 * kHugePageBytes + 12345;  // two whole huge pages and a bit of a third
  EXPECT_EQ(MappedBytes(bytes), 3 * kHugePageBytes);
  EXPECT_EQ(MappedBytes(kHugePageThreshold + 1), kHugePageBytes)
      << "just past the threshold: one huge page";
  EXPECT_EQ(MappedBytes(kHugePageThreshold), kHugePageBytes)
      << "at the threshold (1 MiB): one huge page";
  EXPECT_EQ(MappedBytes(2 * kHugePageBytes), 2 * kHugePageBytes) << "whole huge pages: no rounding";
  EXPECT_EQ(MappedBytes(kHugePageThreshold - 1), kHugePageThreshold - 1) << "below the threshold: no rounding";
  auto* p = static_cast<uint8_t*>(MapMemory(bytes));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePageBytes, 0u);
  EXPECT_TRUE(AllZero(p, MappedBytes(bytes)));
  for (size_t i = 0; i < MappedBytes(bytes); i += 4096) p[i] = static_cast<uint8_t>(i / 4096 + 1);
  for (size_t i = 0; i < MappedBytes(bytes); i += 4096) ASSERT_EQ(p[i], static_cast<uint8_t>(i / 4096 + 1));
  UnmapMemory(p, bytes);
}

// Growing tables double, but skip the sizes from 256 KiB up to the 1 MiB threshold for the
// first power of two of slots past it.
TEST(HugePages, grown_tables_skip_the_sizes_just_below_the_threshold) {
  ASSERT_TRUE(HugePagesEnabled());
  EXPECT_EQ(GrownTableSlots(1024, 24), 2048u);
  EXPECT_EQ(GrownTableSlots(4096, 24), 8192u);   // 192 KiB
  EXPECT_EQ(GrownTableSlots(8192, 24), 65536u);  // not 384 or 768 KiB: 1.5 MiB
  EXPECT_EQ(GrownTableSlots(65536, 24), 131072u);
  EXPECT_EQ(GrownTableSlots(8192, 12), 16384u);    // 192 KiB
  EXPECT_EQ(GrownTableSlots(16384, 12), 131072u);  // 1.5 MiB of 12-byte slots
  EXPECT_EQ(GrownTableSlots(131072, 12), 262144u);
  EXPECT_EQ(GrownTableSlots(size_t{1} << 20, 1), size_t{2} << 20);  // past the threshold: doubled
}

TEST(HugePages, small_blocks_are_plain_page_aligned_mappings) {
  auto* p = static_cast<uint8_t*>(MapMemory(10000));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
  EXPECT_TRUE(AllZero(p, 10000));
  p[9999] = 7;
  EXPECT_EQ(p[9999], 7);
  UnmapMemory(p, 10000);
  UnmapMemory(nullptr, 5);  // no-op
}

TEST(HugePages, unmapping_returns_the_pages) {
  const int64_t base = CurrentRssBytes();
  if (base == 0) GTEST_SKIP() << "no /proc/self/status";
  constexpr size_t kBytes = size_t{32} << 20;
  auto* p = static_cast<uint8_t*>(MapMemory(kBytes));
  for (size_t i = 0; i < kBytes; i += 4096) p[i] = 1;
  const int64_t touched = CurrentRssBytes();
  EXPECT_GE(touched - base, int64_t{30} << 20);
  UnmapMemory(p, kBytes);
  EXPECT_GE(touched - CurrentRssBytes(), int64_t{30} << 20);
}

TEST(HugePages, vector_allocator_holds_small_and_large_vectors) {
  // Grows through the threshold: each reallocation copies into a new block and frees the old
  // one (plain new / delete below the threshold, MapMemory / UnmapMemory above).
  std::vector<int64_t, HugePageAllocator<int64_t>> v;
  for (int64_t i = 0; i < (int64_t{3} << 20); ++i) v.push_back(i * 7);
  ASSERT_GE(v.capacity() * sizeof(int64_t), kHugePageThreshold);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); i += 1001) ASSERT_EQ(v[static_cast<size_t>(i)], i * 7);
  std::vector<int64_t, HugePageAllocator<int64_t>> w(v.begin(), v.begin() + 100);  // small
  EXPECT_EQ(w[99], 99 * 7);
  decltype(v)().swap(v);
  EXPECT_EQ(v.capacity(), 0u);
  std::vector<int32_t, HugePageAllocator<int32_t>> z(size_t{3} << 20, -1);  // assign-constructed, large
  EXPECT_EQ(z.front(), -1);
  EXPECT_EQ(z.back(), -1);
}

// A copy of a large HugeVector (rebound allocator) is on huge pages too.
TEST(HugePages, copies_of_large_vectors_keep_the_allocator_kind) {
  ASSERT_TRUE(HugePagesEnabled());
  HugeVector<int32_t> large(kHugePageThreshold / sizeof(int32_t), 9);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.data()) % kHugePageBytes, 0u);
  HugeVector<int32_t> copy = large;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(copy.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(copy, large);
  decltype(large)().swap(large);  // freed through UnmapMemory
  EXPECT_EQ(large.capacity(), 0u);
}

TEST(HugePages, anonymous_array_on_huge_pages_keeps_its_contract) {
  AnonymousArray<int32_t> a((size_t{5} << 20) / sizeof(int32_t) + 3, PageSize::kHuge);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[a.size() - 1], 0);
  for (size_t i = 0; i < a.size(); i += 999) a[i] = static_cast<int32_t>(i);
  a.Shrink(1000000);  // unmaps from the page after element 999,999 to the end of the 6 MiB
  ASSERT_EQ(a.size(), 1000000u);
  for (size_t i = 0; i < a.size(); i += 999) ASSERT_EQ(a[i], static_cast<int32_t>(i));
  a[999999] = 5;
  EXPECT_EQ(a[999999], 5);
  AnonymousArray<int32_t> small(100, PageSize::kHuge);  // below the threshold: ordinary pages
  small[99] = 3;
  EXPECT_EQ(small[99], 3);
}

// The VmFlags of the mapping that starts at p, from /proc/self/smaps ("" if none starts there).
std::string VmFlagsAt(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  char start[32];
  std::snprintf(start, sizeof start, "%lx-", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(p)));
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    if (line.rfind(start, 0) == 0) in = true;
    if (in && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

// AdviseSmallPages splits a huge-page block: the advised head is marked no-huge ("nh"), the
// rest stays advised huge ("hg"), and the memory keeps its contract (zero, writable) throughout.
TEST(HugePages, advise_small_pages_keeps_a_part_on_4k_pages) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "kernel without transparent huge pages: the advice has nothing to change";
  const size_t bytes = 3 * kHugePageBytes;
  auto* p = static_cast<uint8_t*>(MapMemory(bytes));
  AdviseSmallPages(p, kHugePageBytes);
  const std::string head = VmFlagsAt(p), tail = VmFlagsAt(p + kHugePageBytes);
  EXPECT_NE(head.find(" nh"), std::string::npos) << head;
  EXPECT_EQ(head.find(" hg"), std::string::npos) << head;
  EXPECT_NE(tail.find(" hg"), std::string::npos) << tail;
  EXPECT_TRUE(AllZero(p, bytes));
  for (size_t i = 0; i < bytes; i += 4096) p[i] = static_cast<uint8_t>(i / 4096 + 7);
  for (size_t i = 0; i < bytes; i += 4096) ASSERT_EQ(p[i], static_cast<uint8_t>(i / 4096 + 7));
  UnmapMemory(p, bytes);
  AdviseSmallPages(nullptr, 0);  // nothing to advise: no effect
}

TEST(HugePages, advise_small_tail_keeps_only_the_partial_last_page_on_4k_pages) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "kernel without transparent huge pages: the advice has nothing to change";
  const size_t bytes = 2 * kHugePageBytes + 12345;  // two whole 2 MiB pages and a partial third
  auto* p = static_cast<uint8_t*>(MapMemory(bytes));
  AdviseSmallTail(p, bytes);
  const std::string body = VmFlagsAt(p), tail = VmFlagsAt(p + 2 * kHugePageBytes);  // (area starts)
  EXPECT_NE(body.find(" hg"), std::string::npos) << body;
  EXPECT_NE(tail.find(" nh"), std::string::npos) << tail;
  EXPECT_EQ(tail.find(" hg"), std::string::npos) << tail;
  for (size_t i = 0; i < bytes; i += 4096) p[i] = static_cast<uint8_t>(i / 4096 + 3);
  for (size_t i = 0; i < bytes; i += 4096) ASSERT_EQ(p[i], static_cast<uint8_t>(i / 4096 + 3));
  UnmapMemory(p, bytes);
  // A block of whole 2 MiB pages has no partial page: all of it stays advised huge.
  const size_t whole = 3 * kHugePageBytes;
  auto* q = static_cast<uint8_t*>(MapMemory(whole));
  AdviseSmallTail(q, whole);
  const std::string all = VmFlagsAt(q), past = VmFlagsAt(q + 2 * kHugePageBytes);
  EXPECT_NE(all.find(" hg"), std::string::npos) << all;
  EXPECT_EQ(past, "") << "the block was split: " << past;
  UnmapMemory(q, whole);
}

}  // namespace
}  // namespace melograph
