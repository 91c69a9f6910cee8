// Fuzz target: the HetRec 2011 Last.fm importer (kg_builder/import_hetrec.h).
//
// Input: up to five files separated by the byte 0x1E, in this order: user_artists.dat,
// artists.dat, tags.dat, user_taggedartists.dat, user_friends.dat (a missing section = a
// missing file).
// Contract checked: ImportHetrec returns or throws a melograph::Error; an accepted result holds
// valid triples (round trip through TripleWriter/TripleReader) and valid test keys.
#include "fuzz/fuzz_targets.h"
#include "fuzz/import_check.h"
#include "kg_builder/import_hetrec.h"

namespace melograph::fuzz {

void FuzzImportHetrec(std::string_view data) {
  HetrecOptions options;
  options.dir = WriteSectionsAsFiles(
      "hetrec", data,
      {"user_artists.dat", "artists.dat", "tags.dat", "user_taggedartists.dat", "user_friends.dat"});
  ImportResult result;
  if (AcceptsOrRejects([&] { result = ImportHetrec(options); })) CheckImportResult(result);
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzImportHetrec)
