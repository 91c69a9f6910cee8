// Test helper for the generated-world tests: every non-comment line of a TSV file, split on tabs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/line_reader.h"
#include "common/text.h"

namespace melograph::testing {

using Rows = std::vector<std::vector<std::string>>;

inline Rows ReadRows(const std::string& path) {
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  Rows rows;
  while (reader.Next(line)) {
    if (line.empty() || line[0] == '#') continue;
    SplitFields(line, '\t', fields);
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

}  // namespace melograph::testing
