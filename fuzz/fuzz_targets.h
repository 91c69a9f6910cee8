// Every fuzz target's body, callable from the regression gtest (see fuzz/fuzz_util.h). Names
// match the fuzz/<name>_fuzz.cc files, the corpora fuzz/corpus/<name>/ and the regression
// folders tests/data/fuzz_regressions/<name>/.
#pragma once

#include <string_view>

namespace melograph::fuzz {

void FuzzTripleReader(std::string_view data);     // triple_reader
void FuzzEventsReader(std::string_view data);     // events_reader
void FuzzCatalogReader(std::string_view data);    // catalog_reader
void FuzzImportHetrec(std::string_view data);     // import_hetrec
void FuzzImportKgat(std::string_view data);       // import_kgat
void FuzzImportLightgcn(std::string_view data);   // import_lightgcn
void FuzzKgConfig(std::string_view data);         // kg_config
void FuzzGraphManifest(std::string_view data);    // graph_manifest
void FuzzPartitionManifest(std::string_view data);  // partition_manifest
void FuzzTrainConfig(std::string_view data);      // train_config

}  // namespace melograph::fuzz
