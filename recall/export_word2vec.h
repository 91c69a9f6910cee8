// word2vec text format: a first line "<rows> <dim>", then one line per row
// "<word> <v1> ... <vdim>" with single spaces and '\n' line ends, as read by gensim's
// KeyedVectors.load_word2vec_format(path, binary=False) and by fastText/word2vec tools.
//
// Contract: the word of a row is its melograph key with '%' written as "%25" and ' ' as "%20"
// (keys may hold spaces, e.g. "artist:Kenshi Yonezu"; no other byte is changed, so plain keys
// stay as they are). Floats are written as the shortest text that reads back as the same
// float32, so a round trip is exact. ReadWord2VecText raises InputError(file, line, column,
// reason) for a malformed header or row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace melograph {

std::string Word2VecWord(std::string_view key);
std::string Word2VecKey(std::string_view word);  // inverse of Word2VecWord
std::string Word2VecHeader(int64_t rows, int dim);
void AppendWord2VecRow(std::string& out, std::string_view key, const float* row, int dim);

struct Word2VecTable {
  int dim = 0;
  std::vector<std::string> keys;  // decoded keys
  std::vector<float> values;      // keys.size() * dim
};
Word2VecTable ReadWord2VecText(const std::string& path);

}  // namespace melograph
