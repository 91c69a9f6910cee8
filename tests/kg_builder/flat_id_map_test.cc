// FlatIdMap (kg_builder/flat_id_map.h): inserts keep their first value, lookups find every key
// through the table's growth (including the jump past the tables just below huge pages,
// common/huge_pages.h), absent keys are not found, and ForEach visits each entry once.
#include "kg_builder/flat_id_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>

namespace melograph {
namespace {

TEST(FlatIdMap, keeps_first_values_through_growth) {
  FlatIdMap map;
  constexpr int32_t kUsers = 300, kSongs = 200;  // 60,000 pairs: the table grows to 2^17 slots
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t s = 0; s < kSongs; ++s) {
      bool inserted = false;
      const int32_t v = map.FindOrInsert(PackIds(u, s * 7), u * kSongs + s, &inserted);
      ASSERT_TRUE(inserted);
      ASSERT_EQ(v, u * kSongs + s);
    }
  EXPECT_EQ(map.size(), static_cast<size_t>(kUsers * kSongs));
  bool inserted = true;
  EXPECT_EQ(map.FindOrInsert(PackIds(5, 14), 999, &inserted), 5 * kSongs + 2);  // already there
  EXPECT_FALSE(inserted);
  for (int32_t u = 0; u < kUsers; u += 7)
    for (int32_t s = 0; s < kSongs; s += 3) {
      int32_t value = -1;
      ASSERT_TRUE(map.Find(PackIds(u, s * 7), &value));
      ASSERT_EQ(value, u * kSongs + s);
    }
  int32_t value = -1;
  EXPECT_FALSE(map.Find(PackIds(0, 1), &value));       // a song id never inserted
  EXPECT_FALSE(map.Find(PackIds(kUsers, 0), &value));  // a user id never inserted
  std::map<uint64_t, int32_t> seen;
  map.ForEach([&](uint64_t key, int32_t v) { ASSERT_TRUE(seen.emplace(key, v).second); });
  EXPECT_EQ(seen.size(), map.size());
  EXPECT_EQ(seen.at(PackIds(kUsers - 1, (kSongs - 1) * 7)), kUsers * kSongs - 1);
}

}  // namespace
}  // namespace melograph
