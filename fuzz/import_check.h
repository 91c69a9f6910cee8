// The property every importer fuzz target checks on an accepted ImportResult: its training
// triples are valid triple format (they survive TripleWriter -> TripleReader unchanged), its
// test pairs are valid `type:id` keys, and every weight is finite.
#pragma once

#include <cmath>

#include "fuzz/fuzz_util.h"
#include "kg_builder/import_common.h"
#include "kg_builder/triple_io.h"

namespace melograph::fuzz {

inline void CheckImportResult(const ImportResult& result) {
  std::vector<OwnedTriple> triples;
  triples.reserve(result.train.size());
  for (const ImportTriple& t : result.train) {
    if (!std::isfinite(t.weight)) Violation("import: non-finite weight on " + t.head);
    triples.push_back({t.head, t.relation, t.tail, static_cast<float>(t.weight), false, 0});
  }
  CheckTripleRoundTrip(triples, "import_roundtrip.tsv");
  for (const auto& [user, item] : result.test) {
    std::string_view type, id;
    const char* why = nullptr;
    if (!SplitKey(user, type, id, &why) || !SplitKey(item, type, id, &why))
      Violation("import: bad test pair '" + user + "' '" + item + "'");
  }
}

}  // namespace melograph::fuzz
