// KGAT / KGIN importer (contract in import_kgat.h).
#include "kg_builder/import_kgat.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/file_util.h"

namespace melograph {
namespace {

constexpr std::string_view kKgatDataset = "kgat";

struct Interactions {
  std::vector<std::pair<int64_t, int64_t>> pairs;  // (user, item), sorted, unique
  int64_t duplicate_items = 0;
  int64_t users = 0;  // lines
  int64_t max_item = -1;
};

// `user item item ...` per line; a repeated item on a line counts once.
Interactions ReadInteractions(const std::string& path) {
  Interactions out;
  std::map<int64_t, int64_t> user_line;
  ForEachLine(path, "", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.SplitWhitespace(text);
    if (p.size() == 0) return;  // a line of spaces only
    const int64_t user = p.Int(0, "user id", 0, INT32_MAX);
    auto [it, fresh] = user_line.emplace(user, line);
    if (!fresh)
      p.Fail(p.column(0), "user " + std::to_string(user) + " already listed on line " +
                              std::to_string(it->second));
    ++out.users;
    std::vector<int64_t> items;
    for (size_t i = 1; i < p.size(); ++i) items.push_back(p.Int(i, "item id", 0, INT32_MAX));
    std::sort(items.begin(), items.end());
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0 && items[i] == items[i - 1]) {
        ++out.duplicate_items;
        continue;
      }
      out.pairs.emplace_back(user, items[i]);
      out.max_item = std::max(out.max_item, items[i]);
    }
  });
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

std::string EntityKey(int64_t entity, int64_t n_items) {
  return NumericKey(entity < n_items ? "item" : "entity", entity);
}

}  // namespace

ImportResult ImportKgat(const KgatOptions& options) {
  const std::string train_path = JoinPath(options.dir, "train.txt");
  const std::string test_path = JoinPath(options.dir, "test.txt");
  const std::string kg_path = JoinPath(options.dir, "kg_final.txt");
  RequireInputFile(train_path, kKgatDataset);
  RequireInputFile(test_path, kKgatDataset);
  if (options.kg) RequireInputFile(kg_path, kKgatDataset);

  ImportResult result;
  ImportSummary& sum = result.summary;
  sum.Set("dataset", std::string(kKgatDataset));
  result.header.push_back("melograph import kgat: items are KG entities 0..n_items-1");

  const Interactions train = ReadInteractions(train_path);
  const Interactions test = ReadInteractions(test_path);
  const int64_t n_items = std::max(train.max_item, test.max_item) + 1;
  std::set<int64_t> users;
  for (const auto& [u, i] : train.pairs) {
    result.train.push_back({NumericKey("user", u), "listened", NumericKey("item", i), 1.0});
    users.insert(u);
  }
  int64_t test_in_train = 0;
  std::set<int64_t> test_users;
  size_t in_train = 0;  // merge walk over the sorted train pairs
  for (const auto& pair : test.pairs) {
    while (in_train < train.pairs.size() && train.pairs[in_train] < pair) ++in_train;
    if (in_train < train.pairs.size() && train.pairs[in_train] == pair) {
      ++test_in_train;
      continue;
    }
    result.test.emplace_back(NumericKey("user", pair.first), NumericKey("item", pair.second));
    users.insert(pair.first);
    test_users.insert(pair.first);
  }
  sum.Set("users", static_cast<int64_t>(users.size()));
  sum.Set("items", n_items);
  sum.Set("train_lines", train.users);
  sum.Set("train_pairs", static_cast<int64_t>(train.pairs.size()));
  sum.Set("train_duplicate_items", train.duplicate_items);
  sum.Set("test_lines", test.users);
  sum.Set("test_pairs", static_cast<int64_t>(result.test.size()));
  sum.Set("test_users", static_cast<int64_t>(test_users.size()));
  sum.Set("test_duplicate_items", test.duplicate_items);
  sum.Set("test_pairs_in_train_dropped", test_in_train);

  if (options.kg) {
    std::vector<std::tuple<int64_t, int64_t, int64_t>> kg;  // head, relation, tail
    ForEachLine(kg_path, "", [&](std::string_view text, int64_t line) {
      ParsedLine p(kg_path, line);
      p.SplitWhitespace(text);
      p.ExpectFields(3, "head relation tail");
      kg.emplace_back(p.Int(0, "head entity", 0, INT32_MAX), p.Int(1, "relation", 0, 65535),
                      p.Int(2, "tail entity", 0, INT32_MAX));
    });
    const auto lines = static_cast<int64_t>(kg.size());
    std::sort(kg.begin(), kg.end());
    kg.erase(std::unique(kg.begin(), kg.end()), kg.end());
    std::set<int64_t> relations, entities;
    for (const auto& [h, r, t] : kg) {
      result.train.push_back(
          {EntityKey(h, n_items), "r" + std::to_string(r), EntityKey(t, n_items), 1.0});
      relations.insert(r);
      entities.insert(h);
      entities.insert(t);
    }
    sum.Set("kg_lines", lines);
    sum.Set("kg_duplicate_triples", lines - static_cast<int64_t>(kg.size()));
    sum.Set("kg_triples", static_cast<int64_t>(kg.size()));
    sum.Set("kg_relations", static_cast<int64_t>(relations.size()));
    sum.Set("kg_entities", static_cast<int64_t>(entities.size()));
  }
  sum.Set("train_triples", static_cast<int64_t>(result.train.size()));
  return result;
}

}  // namespace melograph
