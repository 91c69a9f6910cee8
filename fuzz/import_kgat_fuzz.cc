// Fuzz target: the KGAT / KGIN importer (kg_builder/import_kgat.h).
//
// Input: up to three files separated by the byte 0x1E, in this order: train.txt, test.txt,
// kg_final.txt (a missing section = a missing file).
// Contract checked: ImportKgat (with and without the KG) returns or throws a melograph::Error;
// an accepted result holds valid triples and valid test keys, and no test pair is also a
// training `listened` pair (the importer's documented guarantee).
#include <set>
#include <utility>

#include "fuzz/fuzz_targets.h"
#include "fuzz/import_check.h"
#include "kg_builder/import_kgat.h"

namespace melograph::fuzz {

void FuzzImportKgat(std::string_view data) {
  KgatOptions options;
  options.dir = WriteSectionsAsFiles("kgat", data, {"train.txt", "test.txt", "kg_final.txt"});
  for (const bool kg : {true, false}) {
    options.kg = kg;
    ImportResult result;
    if (!AcceptsOrRejects([&] { result = ImportKgat(options); })) continue;
    CheckImportResult(result);
    std::set<std::pair<std::string, std::string>> train;
    for (const ImportTriple& t : result.train)
      if (t.relation == "listened") train.emplace(t.head, t.tail);
    for (const auto& pair : result.test)
      if (train.count(pair)) Violation("kgat: test pair " + pair.first + " " + pair.second + " is also a training pair");
  }
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzImportKgat)
