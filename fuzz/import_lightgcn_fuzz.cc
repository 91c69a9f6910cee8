// Fuzz target: the LightGCN Last.fm split importer (kg_builder/import_lightgcn.h).
//
// Input: files separated by the byte 0x1E, in this order: data1.txt, test1.txt,
// trustnetwork.txt, then optionally the five HetRec files (user_artists.dat, artists.dat,
// tags.dat, user_taggedartists.dat, user_friends.dat). When any HetRec section is present the
// import maps items onto HetRec artists (the --hetrec path).
// Contract checked: ImportLightgcn returns or throws a melograph::Error; an accepted result
// holds valid triples and valid test keys.
#include "fuzz/fuzz_targets.h"
#include "fuzz/import_check.h"
#include "kg_builder/import_lightgcn.h"

namespace melograph::fuzz {

void FuzzImportLightgcn(std::string_view data) {
  const std::vector<std::string> names = {"data1.txt",        "test1.txt",   "trustnetwork.txt",
                                          "user_artists.dat", "artists.dat", "tags.dat",
                                          "user_taggedartists.dat", "user_friends.dat"};
  const size_t sections = Sections(data, names.size()).size();
  LightgcnOptions options;
  options.dir = WriteSectionsAsFiles("lightgcn", data, names);
  if (sections > 3) options.hetrec_dir = options.dir;  // the HetRec files sit beside the split
  ImportResult result;
  if (AcceptsOrRejects([&] { result = ImportLightgcn(options); })) CheckImportResult(result);
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzImportLightgcn)
