// Shared pieces of the importers: summary, result writer, line parsing with columns.
#include "kg_builder/import_common.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "common/file_util.h"
#include "common/line_reader.h"
#include "common/text.h"
#include "kg_builder/triple_io.h"

namespace melograph {

void ImportSummary::Set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  entries_.emplace_back(key, value);
}

const std::string* ImportSummary::Find(const std::string& key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return &v;
  return nullptr;
}

void ImportSummary::Add(const std::string& key, int64_t delta) {
  const std::string* v = Find(key);
  Set(key, (v ? Count(key) : 0) + delta);
}

int64_t ImportSummary::Count(const std::string& key) const {
  const std::string* v = Find(key);
  if (!v) throw UsageError("import summary has no key '" + key + "'");
  const auto n = ParseInt64(*v);
  if (!n) throw UsageError("import summary key '" + key + "' is not an integer: " + *v);
  return *n;
}

std::string ImportSummary::Text() const {
  std::string out;
  for (const auto& [k, v] : entries_) out.append(k).append(": ").append(v).append(1, '\n');
  return out;
}

void WriteImport(const ImportResult& result, const std::string& out_dir) {
  AtomicDirectory dir(out_dir);
  {
    TripleWriter train(dir, "train.tsv");
    for (const auto& line : result.header) train.Comment(line);
    for (const auto& t : result.train) train.Write(t.head, t.relation, t.tail, t.weight);
    train.Commit();
  }
  {
    AtomicFile test(dir, "test.tsv");
    std::string line;
    for (const auto& [user, item] : result.test) {
      line.assign(user).append(1, '\t').append(item).append(1, '\n');
      test.Write(line);
    }
    test.Commit();
  }
  if (!result.listen_counts.empty()) {
    AtomicFile counts(dir, "listen_counts.tsv");
    counts.Write("# user\titem\tlisten_count\tsplit\n");
    std::string line;
    for (const auto& c : result.listen_counts) {
      line.assign(c.user).append(1, '\t').append(c.item).append(1, '\t');
      AppendInt(line, c.count);
      line.append(c.in_test ? "\ttest\n" : "\ttrain\n");
      counts.Write(line);
    }
    counts.Commit();
  }
  if (!result.names.empty()) {
    AtomicFile names(dir, "names.tsv");
    names.Write("# key\tname\n");
    std::string line;
    for (const auto& [key, name] : result.names) {
      line.assign(key).append(1, '\t').append(name).append(1, '\n');
      names.Write(line);
    }
    names.Commit();
  }
  for (const auto& [name, contents] : result.side_files) WriteWholeFile(dir, name, contents);
  WriteWholeFile(dir, "import.txt", result.summary.Text());
  dir.Commit();
}

std::vector<std::pair<int64_t, int64_t>> UndirectedPairs(
    std::vector<std::pair<int64_t, int64_t>> directed, int64_t* without_reverse) {
  std::sort(directed.begin(), directed.end());
  directed.erase(std::unique(directed.begin(), directed.end()), directed.end());
  // (b, a) is a link iff (a, b) is in `reversed`; both sorted, so one merge walk answers all
  // (linear, also under _GLIBCXX_DEBUG, whose binary_search checks the whole range each call).
  std::vector<std::pair<int64_t, int64_t>> reversed;
  reversed.reserve(directed.size());
  for (const auto& [a, b] : directed) reversed.emplace_back(b, a);
  std::sort(reversed.begin(), reversed.end());
  std::vector<std::pair<int64_t, int64_t>> pairs;
  int64_t lonely = 0;
  size_t j = 0;
  for (const auto& link : directed) {
    const auto [a, b] = link;
    while (j < reversed.size() && reversed[j] < link) ++j;
    const bool has_reverse = j < reversed.size() && reversed[j] == link;
    if (!has_reverse) ++lonely;
    if (a < b || !has_reverse) pairs.emplace_back(std::min(a, b), std::max(a, b));
  }
  std::sort(pairs.begin(), pairs.end());
  if (without_reverse) *without_reverse = lonely;
  return pairs;
}

double ListenWeight(double count) { return 1.0 + std::log(count); }

void RequireInputFile(const std::string& path, std::string_view dataset) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw IoError(std::string(dataset) + ": missing input file " + path);
}

void ParsedLine::Split(std::string_view text, char sep) {
  SplitFields(text, sep, fields_);
  columns_.clear();
  for (const auto& f : fields_) columns_.push_back(f.data() - text.data() + 1);
  end_column_ = static_cast<int64_t>(text.size()) + 1;
}

void ParsedLine::SplitWhitespace(std::string_view text) {
  fields_.clear();
  columns_.clear();
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) break;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    fields_.push_back(text.substr(start, i - start));
    columns_.push_back(static_cast<int64_t>(start) + 1);
  }
  end_column_ = static_cast<int64_t>(text.size()) + 1;
}

void ParsedLine::Fail(int64_t column, const std::string& reason) const {
  throw InputError(file_, line_, column, reason);
}

void ParsedLine::ExpectFields(size_t n, std::string_view layout) const {
  if (fields_.size() == n) return;
  const int64_t column = fields_.size() > n ? columns_[n] : end_column_;
  Fail(column, "expected " + std::to_string(n) + " fields (" + std::string(layout) + "), found " +
                   std::to_string(fields_.size()));
}

int64_t ParsedLine::Int(size_t i, std::string_view what, int64_t min_value,
                        int64_t max_value) const {
  const auto v = ParseInt64(fields_[i]);
  if (!v)
    Fail(columns_[i], std::string(what) + " '" + std::string(fields_[i]) + "' is not an integer");
  if (*v < min_value || *v > max_value)
    Fail(columns_[i], std::string(what) + " " + std::to_string(*v) + " is out of range [" +
                          std::to_string(min_value) + ", " + std::to_string(max_value) + "]");
  return *v;
}

double ParsedLine::Number(size_t i, std::string_view what, double min_value) const {
  const auto v = ParseDouble(fields_[i]);
  if (!v || !std::isfinite(*v))
    Fail(columns_[i],
         std::string(what) + " '" + std::string(fields_[i]) + "' is not a finite number");
  if (*v < min_value)
    Fail(columns_[i], std::string(what) + " " + std::string(fields_[i]) + " is below " +
                          std::to_string(static_cast<int64_t>(min_value)));
  return *v;
}

void ForEachLine(const std::string& path, std::string_view header,
                 const std::function<void(std::string_view, int64_t)>& fn) {
  LineReader reader(path);
  std::string_view text;
  bool first = true;
  while (reader.Next(text)) {
    if (first && !header.empty()) {
      first = false;
      if (text != header)
        throw InputError(path, reader.line_number(), 1,
                         "expected header '" + std::string(header) + "'");
      continue;
    }
    first = false;
    if (text.empty()) continue;
    if (const size_t cr = text.find('\r'); cr != std::string_view::npos)
      throw InputError(path, reader.line_number(), static_cast<int64_t>(cr) + 1,
                       "carriage return inside the line (mixed line endings?)");
    fn(text, reader.line_number());
  }
  if (first && !header.empty()) throw InputError(path, 1, 1, "empty file, expected a header line");
}

}  // namespace melograph
