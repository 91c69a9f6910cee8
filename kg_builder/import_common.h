// Shared pieces of the public-dataset importers (`melograph import`, see docs/IMPORTERS.md).
//
// Contract:
//  * Every importer returns an ImportResult held in memory: training triples (docs/FORMATS.md
//    vocabulary), test pairs, optional side tables and an ordered `key: value` summary.
//    WriteImport() writes it as OUT/train.tsv, OUT/test.tsv, OUT/import.txt (+ side files)
//    through one AtomicDirectory, so OUT appears complete or not at all.
//  * Line readers report a malformed record as InputError(file, line, column, reason) with a
//    1-based byte column; a missing input file is an IoError naming the path and the dataset.
//  * ListenWeight() is the compressed listen weight used by every importer: 1 + ln(count).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace melograph {

struct ImportTriple {
  std::string head;
  std::string relation;
  std::string tail;
  double weight = 1.0;
};

// Raw listen count of one (user, item) pair, kept beside the compressed triple weight.
struct ListenCount {
  std::string user;
  std::string item;
  int64_t count = 0;
  bool in_test = false;
};

// Ordered `key: value` lines; keys keep their first insertion position.
class ImportSummary {
 public:
  void Set(const std::string& key, int64_t value) { Set(key, std::to_string(value)); }
  void Set(const std::string& key, const std::string& value);
  void Add(const std::string& key, int64_t delta);  // missing keys start at 0
  // Integer value of a key; throws UsageError if absent or not an integer.
  int64_t Count(const std::string& key) const;
  const std::string* Find(const std::string& key) const;
  std::string Text() const;  // "key: value\n" per line
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct ImportResult {
  std::vector<ImportTriple> train;                              // -> train.tsv
  std::vector<std::pair<std::string, std::string>> test;        // (user key, item key) -> test.tsv
  std::vector<ListenCount> listen_counts;                       // -> listen_counts.tsv (if any)
  std::vector<std::pair<std::string, std::string>> names;       // (key, display name) -> names.tsv
  std::vector<std::string> header;                              // '#' comment lines of train.tsv
  std::vector<std::pair<std::string, std::string>> side_files;  // (file name, contents)
  ImportSummary summary;                                        // -> import.txt
};

// Writes the result into `out_dir` atomically (an existing directory is replaced on success).
void WriteImport(const ImportResult& result, const std::string& out_dir);

// 1 + ln(count) for count >= 1.
double ListenWeight(double count);

// Throws IoError("<dataset>: missing input file <path>") unless `path` is a readable file.
void RequireInputFile(const std::string& path, std::string_view dataset);

// One line being parsed: its fields and each field's 1-based byte column.
class ParsedLine {
 public:
  ParsedLine(const std::string& file, int64_t line) : file_(file), line_(line) {}
  // Splits on one separator byte (empty fields kept).
  void Split(std::string_view text, char sep);
  // Splits on runs of spaces and tabs (empty fields dropped).
  void SplitWhitespace(std::string_view text);

  size_t size() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  int64_t column(size_t i) const { return columns_[i]; }
  int64_t end_column() const { return end_column_; }
  int64_t line() const { return line_; }
  const std::string& file() const { return file_; }

  // Throws unless the line has exactly `n` fields (column: first extra field, or end of line).
  void ExpectFields(size_t n, std::string_view layout) const;
  // Field i as an integer in [min_value, max_value]; `what` names it in the reason.
  int64_t Int(size_t i, std::string_view what, int64_t min_value = 0,
              int64_t max_value = INT64_MAX) const;
  // Field i as a finite number >= min_value (integers, decimals, scientific notation).
  double Number(size_t i, std::string_view what, double min_value) const;
  [[noreturn]] void Fail(int64_t column, const std::string& reason) const;

 private:
  const std::string& file_;
  int64_t line_;
  std::vector<std::string_view> fields_;
  std::vector<int64_t> columns_;
  int64_t end_column_ = 1;
};

// Reads `path` line by line (CRLF accepted, ".gz" allowed), skipping empty lines. When
// `header` is non-empty the first line must equal it exactly (else InputError at 1:1). A
// carriage return left inside a line (a "\r\r\n" ending, a bare CR in a field) is an
// InputError at its column, as in the triple, events and catalog readers: it would end up in a
// key that the triple file cannot hold. Encoding is the caller's (HetRec files are Latin-1).
// `fn(text, line_number)` is called for every data line.
void ForEachLine(const std::string& path, std::string_view header,
                 const std::function<void(std::string_view, int64_t)>& fn);

// Directed links -> undirected pairs (a < b), sorted and unique. Self-loops must be removed
// by the caller. `without_reverse` counts links whose reverse is absent (each still kept once).
std::vector<std::pair<int64_t, int64_t>> UndirectedPairs(
    std::vector<std::pair<int64_t, int64_t>> directed, int64_t* without_reverse);

// The `type:id` key for a numeric id.
inline std::string NumericKey(std::string_view type, int64_t id) {
  std::string key(type);
  key.push_back(':');
  key += std::to_string(id);
  return key;
}

}  // namespace melograph
