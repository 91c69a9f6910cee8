// word2vec text writer and reader (contract in recall/export_word2vec.h).
#include "recall/export_word2vec.h"

#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"

namespace melograph {

std::string Word2VecWord(std::string_view key) {
  std::string word;
  word.reserve(key.size());
  for (char c : key) {
    if (c == '%')
      word += "%25";
    else if (c == ' ')
      word += "%20";
    else
      word += c;
  }
  return word;
}

std::string Word2VecKey(std::string_view word) {
  std::string key;
  key.reserve(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    if (word.substr(i, 3) == "%25") {
      key += '%';
      i += 2;
    } else if (word.substr(i, 3) == "%20") {
      key += ' ';
      i += 2;
    } else {
      key += word[i];
    }
  }
  return key;
}

std::string Word2VecHeader(int64_t rows, int dim) {
  std::string s;
  AppendInt(s, rows);
  s += ' ';
  AppendInt(s, dim);
  s += '\n';
  return s;
}

void AppendWord2VecRow(std::string& out, std::string_view key, const float* row, int dim) {
  out += Word2VecWord(key);
  for (int j = 0; j < dim; ++j) {
    out += ' ';
    AppendFloat(out, row[j]);
  }
  out += '\n';
}

Word2VecTable ReadWord2VecText(const std::string& path) {
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  if (!reader.Next(line)) throw InputError(path, 1, 1, "empty file: expected '<rows> <dim>'");
  SplitFields(line, ' ', fields);
  const auto rows = fields.size() == 2 ? ParseInt64(fields[0]) : std::nullopt;
  const auto dim = fields.size() == 2 ? ParseInt64(fields[1]) : std::nullopt;
  if (!rows || !dim || *rows < 0 || *dim <= 0) {
    throw InputError(path, 1, 1, "header must be '<rows> <dim>' with rows >= 0 and dim > 0");
  }
  Word2VecTable table;
  table.dim = static_cast<int>(*dim);
  while (reader.Next(line)) {
    const int64_t n = reader.line_number();
    SplitFields(line, ' ', fields);
    if (fields[0].empty()) throw InputError(path, n, 1, "empty word");
    if (static_cast<int64_t>(fields.size()) != *dim + 1) {
      throw InputError(path, n, 1,
                       "expected a word and " + std::to_string(*dim) + " values, found " +
                           std::to_string(fields.size() - 1) + " values");
    }
    int64_t column = static_cast<int64_t>(fields[0].size()) + 2;
    for (int j = 1; j <= table.dim; ++j) {
      const std::string_view text = fields[static_cast<size_t>(j)];
      float v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(v)) {
        throw InputError(path, n, column,
                         "value '" + std::string(text) + "' is not a finite number");
      }
      table.values.push_back(v);
      column += static_cast<int64_t>(fields[static_cast<size_t>(j)].size()) + 1;
    }
    table.keys.push_back(Word2VecKey(fields[0]));
  }
  if (static_cast<int64_t>(table.keys.size()) != *rows) {
    throw InputError(path, 1, 1,
                     "header announces " + std::to_string(*rows) + " rows, file has " +
                         std::to_string(table.keys.size()));
  }
  return table;
}

}  // namespace melograph
