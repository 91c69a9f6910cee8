#include "kg_builder/derived_relations.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

namespace melograph {
namespace {

struct Named {
  std::string head, tail;
  int32_t shared;
  bool operator==(const Named&) const = default;
};

std::vector<Named> Name(const std::vector<ArtistPair>& pairs, const StringInterner& artists) {
  std::vector<Named> out;
  for (const ArtistPair& p : pairs)
    out.push_back({std::string(artists.Get(p.head)), std::string(artists.Get(p.tail)), p.shared_works});
  return out;
}

//   work 0: c, b, a      work 1: b, c (credited twice)      work 2: a only
//   => a-b 1, a-c 1, b-c 2 ; no self pairs; heads ordered by id bytes although c was interned first
TEST(DerivedRelations, counts_distinct_shared_works_per_unordered_pair) {
  StringInterner artists;
  const int32_t c = artists.Intern("c"), b = artists.Intern("b"), a = artists.Intern("a");
  const std::vector<ArtistWork> credits = {{c, 0}, {b, 0}, {a, 0}, {b, 1}, {c, 1}, {c, 1}, {a, 2}};
  int64_t skipped = 0;
  const auto pairs = Name(CountSharedWorks(credits, artists, 500, &skipped), artists);
  const std::vector<Named> expected = {{"a", "b", 1}, {"a", "c", 1}, {"b", "c", 2}};
  EXPECT_EQ(pairs, expected);
  EXPECT_EQ(skipped, 0);
}

TEST(DerivedRelations, works_over_the_cap_are_skipped_and_counted) {
  StringInterner artists;
  const int32_t a = artists.Intern("a"), b = artists.Intern("b"), c = artists.Intern("c");
  // work 7 has three artists (over a cap of 2), work 8 has two.
  const std::vector<ArtistWork> credits = {{a, 7}, {b, 7}, {c, 7}, {a, 8}, {b, 8}};
  int64_t skipped = 0;
  const auto pairs = Name(CountSharedWorks(credits, artists, 2, &skipped), artists);
  const std::vector<Named> expected = {{"a", "b", 1}};
  EXPECT_EQ(pairs, expected);
  EXPECT_EQ(skipped, 1);
}

TEST(DerivedRelations, output_does_not_depend_on_credit_order) {
  StringInterner artists;
  for (const char* n : {"x", "y", "z", "w"}) artists.Intern(n);
  std::vector<ArtistWork> credits = {{0, 1}, {1, 1}, {2, 1}, {3, 2}, {0, 2}, {2, 3}, {3, 3}, {0, 3}};
  const auto first = Name(CountSharedWorks(credits, artists, 10, nullptr), artists);
  std::reverse(credits.begin(), credits.end());
  EXPECT_EQ(Name(CountSharedWorks(credits, artists, 10, nullptr), artists), first);
}

// World sketch: tests/data/kg/world/README.md.
TEST(DerivedRelations, world_co_ost_and_co_show) {
  MemoryTripleSink catalog_sink;
  const Catalog catalog = ReadCatalog(std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/world/catalog",
                                      nullptr, catalog_sink);
  MemoryTripleSink sink;
  const DerivedStats stats = WriteDerivedRelations(catalog, 500, sink);
  const std::vector<StoredTriple> expected = {
      {"artist:a1", "co_ost", "artist:a2", 1, kNoTimestamp},
      {"artist:a1", "co_ost", "artist:a3", 1, kNoTimestamp},
      {"artist:a2", "co_ost", "artist:a3", 2, kNoTimestamp},
      {"artist:a1", "co_show", "artist:a2", 1, kNoTimestamp},
      {"artist:a1", "co_show", "artist:a3", 1, kNoTimestamp},
  };
  EXPECT_EQ(sink.triples, expected);
  EXPECT_EQ(stats.co_ost, 3);
  EXPECT_EQ(stats.co_show, 2);
  EXPECT_EQ(stats.works_skipped, 0);
}

}  // namespace
}  // namespace melograph
