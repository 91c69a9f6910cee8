// Helpers shared by the kg_builder tests (one executable, compiled as unity batches: a helper
// defined in two test files must live here instead).
#pragma once

#include <cmath>
#include <string>

#include "common/text.h"
#include "kg_builder/import_common.h"

namespace melograph::testing {

// tests/data/kg/world: the hand-made events + catalog folder.
inline const std::string kKgWorld = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/world";

// The train triples of an import, one "head<TAB>relation<TAB>tail<TAB>weight" line each.
inline std::string WeightedLines(const ImportResult& r) {
  std::string s;
  for (const auto& t : r.train) {
    s += t.head + "\t" + t.relation + "\t" + t.tail + "\t";
    AppendFloat(s, static_cast<float>(t.weight));
    s += "\n";
  }
  return s;
}

// The importers' play-count weight 1 + ln(count), formatted as the triple files write it.
inline std::string LogCountWeight(double count) {
  std::string s;
  AppendFloat(s, static_cast<float>(1.0 + std::log(count)));
  return s;
}

}  // namespace melograph::testing
