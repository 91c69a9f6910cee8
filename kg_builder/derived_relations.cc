#include "kg_builder/derived_relations.h"

#include <algorithm>
#include <string>

#include "common/short_text.h"
#include "kg_builder/flat_id_map.h"

namespace melograph {

std::vector<ArtistPair> CountSharedWorks(std::span<const ArtistWork> credits,
                                         const StringInterner& artists, int32_t max_artists_per_work,
                                         int64_t* works_skipped) {
  std::vector<ArtistWork> sorted(credits.begin(), credits.end());
  std::sort(sorted.begin(), sorted.end(), [](const ArtistWork& x, const ArtistWork& y) {
    return x.work != y.work ? x.work < y.work : x.artist < y.artist;
  });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const ArtistWork& x, const ArtistWork& y) {
                             return x.work == y.work && x.artist == y.artist;
                           }),
               sorted.end());
  FlatIdMap counts;
  std::vector<ArtistPair> pairs;
  int64_t skipped = 0;
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin;
    while (end < sorted.size() && sorted[end].work == sorted[begin].work) ++end;
    if (end - begin > static_cast<size_t>(max_artists_per_work)) {
      ++skipped;
      begin = end;
      continue;
    }
    for (size_t i = begin; i < end; ++i) {
      for (size_t j = i + 1; j < end; ++j) {
        int32_t a = sorted[i].artist, b = sorted[j].artist;
        if (artists.Get(b) < artists.Get(a)) std::swap(a, b);
        bool inserted = false;
        int32_t& slot = counts.FindOrInsert(PackIds(a, b), static_cast<int32_t>(pairs.size()), &inserted);
        if (inserted) pairs.push_back({a, b, 0});
        ++pairs[slot].shared_works;
      }
    }
    begin = end;
  }
  std::sort(pairs.begin(), pairs.end(), [&](const ArtistPair& x, const ArtistPair& y) {
    if (x.head != y.head) return artists.Get(x.head) < artists.Get(y.head);
    return artists.Get(x.tail) < artists.Get(y.tail);
  });
  if (works_skipped) *works_skipped += skipped;
  return pairs;
}

DerivedStats WriteDerivedRelations(const Catalog& catalog, int32_t max_artists_per_work,
                                   TripleSink& sink) {
  DerivedStats stats;
  TypedKey head_key("artist"), tail_key("artist");
  const auto write = [&](const std::vector<ArtistPair>& pairs, const char* relation) {
    for (const ArtistPair& p : pairs) {
      sink.Add(head_key.With(catalog.artists.Get(p.head)), relation,
               tail_key.With(catalog.artists.Get(p.tail)), p.shared_works);
    }
    return static_cast<int64_t>(pairs.size());
  };
  stats.co_ost = write(CountSharedWorks(catalog.ost_credits, catalog.artists, max_artists_per_work,
                                        &stats.works_skipped),
                       "co_ost");
  stats.co_show = write(CountSharedWorks(catalog.appearances, catalog.artists, max_artists_per_work,
                                         &stats.works_skipped),
                        "co_show");
  return stats;
}

}  // namespace melograph
