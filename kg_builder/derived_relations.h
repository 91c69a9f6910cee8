// Derived multi-step relations between artists (docs/FORMATS.md, "Relation vocabulary"):
//   co_ost  artist -- artist: both sing songs that are ost_of the same work; weight = number
//           of distinct shared works (song -ost_of-> work <-ost_of- song, through by_artist)
//   co_show artist -- artist: both appear_in the same work (artist_works.tsv); weight = number
//           of distinct shared works
// Symmetric: each unordered pair of distinct artists is written once, head < tail by id bytes,
// pairs in (head, tail) byte order, so the output does not depend on input order.
//
// Cost: O(sum over works of k^2) for k artists credited on a work, so works with more than
// max_artists_per_work artists are skipped and counted (a compilation album credited to
// hundreds of artists says little about any two of them).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/string_interner.h"
#include "kg_builder/catalog_reader.h"
#include "kg_builder/triple_sink.h"

namespace melograph {

struct ArtistPair {
  int32_t head;  // artist ids; artists.Get(head) < artists.Get(tail)
  int32_t tail;
  int32_t shared_works;
};

// Distinct-work counts per artist pair, sorted by (head, tail) id bytes. Duplicate credits
// count once. *works_skipped (if given) receives the number of works over the cap.
std::vector<ArtistPair> CountSharedWorks(std::span<const ArtistWork> credits,
                                         const StringInterner& artists, int32_t max_artists_per_work,
                                         int64_t* works_skipped);

struct DerivedStats {
  int64_t co_ost = 0;
  int64_t co_show = 0;
  int64_t works_skipped = 0;
};

// Writes co_ost (from catalog.ost_credits) then co_show (from catalog.appearances).
DerivedStats WriteDerivedRelations(const Catalog& catalog, int32_t max_artists_per_work,
                                   TripleSink& sink);

}  // namespace melograph
