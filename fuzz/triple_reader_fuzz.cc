// Fuzz target: the triple reader (kg_builder/triple_io.h).
//
// Input: the bytes of one triple file; inputs starting with the gzip magic (1f 8b) are written
// as "triples.tsv.gz" so the zlib path is fuzzed too.
// Contract checked:
//  * a strict reader (no bad-line budget) returns every record or throws a melograph::Error;
//  * a lenient reader (unbounded budget) skips bad lines and yields only valid records: keys
//    `type:id` with a valid type, a valid relation, a finite weight;
//  * round trip: the records it accepted, written by TripleWriter and read back strictly, are
//    the same records (head, relation, tail, weight, timestamp).
#include <cmath>
#include <limits>

#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "kg_builder/triple_io.h"

namespace melograph::fuzz {

void FuzzTripleReader(std::string_view data) {
  const bool gz = data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
  const std::string path = WriteScratch(gz ? "triples.tsv.gz" : "triples.tsv", data);
  AcceptsOrRejects([&] {
    TripleReader reader(path, nullptr);
    TripleRecord r;
    while (reader.Next(r)) {
    }
  });

  std::vector<OwnedTriple> accepted;
  const bool read_all = AcceptsOrRejects([&] {
    BadLineBudget budget(std::numeric_limits<int64_t>::max());
    TripleReader reader(path, &budget);
    TripleRecord r;
    while (reader.Next(r)) {
      std::string_view type, id;
      const char* why = nullptr;
      if (!SplitKey(r.head, type, id, &why) || type != r.head_type)
        Violation("accepted a bad head key '" + std::string(r.head) + "'");
      if (!SplitKey(r.tail, type, id, &why) || type != r.tail_type)
        Violation("accepted a bad tail key '" + std::string(r.tail) + "'");
      if (!IsValidName(r.relation)) Violation("accepted a bad relation '" + std::string(r.relation) + "'");
      if (!std::isfinite(r.weight)) Violation("accepted a non-finite weight");
      accepted.push_back({std::string(r.head), std::string(r.relation), std::string(r.tail), r.weight,
                          r.has_timestamp, r.timestamp});
    }
  });
  // A gzip stream may be cut mid-way (IoError); whatever was accepted before must still round-trip.
  (void)read_all;
  CheckTripleRoundTrip(accepted, "triples_roundtrip.tsv");
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzTripleReader)
