// Fuzz target: the catalog directory reader (kg_builder/catalog_reader.h).
//
// Input: up to five files separated by the byte 0x1E, in this order: songs.tsv,
// artist_works.tsv, users.tsv, playlists.tsv, follows.tsv (a missing section = a missing file).
// Contract checked:
//  * ReadCatalog with a zero and with an unbounded bad-line budget returns or throws a
//    melograph::Error;
//  * every triple it sends to the sink is valid triple format: written by TripleWriter and read
//    back strictly, the triples are unchanged (the catalog never emits a key or relation the
//    triple reader would refuse).
#include <limits>

#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "kg_builder/catalog_reader.h"

namespace melograph::fuzz {

void FuzzCatalogReader(std::string_view data) {
  const std::string dir = WriteSectionsAsFiles(
      "catalog", data, {"songs.tsv", "artist_works.tsv", "users.tsv", "playlists.tsv", "follows.tsv"});
  for (const int64_t max_bad : {int64_t{0}, std::numeric_limits<int64_t>::max()}) {
    MemoryTripleSink sink;
    if (!AcceptsOrRejects([&] {
          BadLineBudget budget(max_bad);
          ReadCatalog(dir, &budget, sink);
        }))
      continue;
    std::vector<OwnedTriple> triples;
    for (const StoredTriple& t : sink.triples) {
      if (t.timestamp != kNoTimestamp) Violation("catalog triple with a timestamp");
      triples.push_back({t.head, t.relation, t.tail, static_cast<float>(t.weight), false, 0});
    }
    CheckTripleRoundTrip(triples, "catalog_roundtrip.tsv");
  }
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzCatalogReader)
