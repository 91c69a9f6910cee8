// TestSet reader: see test_set.h.
#include "recall/test_set.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "common/error.h"
#include "common/line_reader.h"
#include "common/text.h"

namespace melograph {
namespace {

// Splits "type:id"; returns the reason when malformed, nullptr when fine.
const char* CheckKey(std::string_view key, std::string_view& type) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return "missing ':' between type and id";
  type = key.substr(0, colon);
  if (type.empty() || type[0] < 'a' || type[0] > 'z') return "key type must match [a-z][a-z0-9_]*";
  for (char c : type)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return "key type must match [a-z][a-z0-9_]*";
  if (colon + 1 == key.size()) return "empty id after ':'";
  return nullptr;
}

struct Pending {
  std::vector<int32_t> items;
  std::set<std::string> unseen;
  int64_t rows = 0;
};

}  // namespace

TestSet ReadTestSet(const std::string& path, const Graph& graph, const std::string& user_type,
                    const std::string& item_type) {
  const auto ut = graph.FindType(user_type);
  const auto it = graph.FindType(item_type);
  if (!it) throw UsageError("the graph has no node type '" + item_type + "'");
  const NodeId user_begin = ut ? graph.node_types()[*ut].begin : 0;
  const NodeId item_begin = graph.node_types()[*it].begin;

  TestSet set;
  std::map<std::string, Pending> pending;  // ordered by key bytes
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  while (reader.Next(line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const int64_t ln = reader.line_number();
    if (SplitFields(line, '\t', fields) != 2)
      throw InputError(path, ln, 1,
                       "expected 2 tab-separated fields (user key, item key), found " +
                           std::to_string(fields.size()));
    std::string_view types[2];
    for (int f = 0; f < 2; ++f) {
      if (const char* reason = CheckKey(fields[f], types[f])) {
        const int64_t column = f == 0 ? 1 : static_cast<int64_t>(fields[0].size()) + 2;
        throw InputError(path, ln, column,
                         std::string(f == 0 ? "bad user key '" : "bad item key '") +
                             std::string(fields[f]) + "': " + reason);
      }
    }
    ++set.rows;
    if (types[0] != user_type || types[1] != item_type) {
      ++set.other_type_rows;
      continue;
    }
    Pending& p = pending[std::string(fields[0])];
    ++p.rows;
    const auto item = graph.Find(fields[1]);
    if (item) {
      p.items.push_back(*item - item_begin);
    } else {
      p.unseen.insert(std::string(fields[1]));
    }
  }
  for (auto& [key, p] : pending) {
    TestUser u;
    u.key = key;
    if (ut) {
      if (const auto node = graph.Find(key)) u.user = *node - user_begin;
    }
    if (u.user < 0) ++set.users_not_in_graph;
    std::sort(p.items.begin(), p.items.end());
    p.items.erase(std::unique(p.items.begin(), p.items.end()), p.items.end());
    u.items = std::move(p.items);
    u.unseen_items = static_cast<int32_t>(p.unseen.size());
    set.unseen_pairs += u.unseen_items;
    set.duplicate_rows += p.rows - u.num_relevant();
    set.users.push_back(std::move(u));
  }
  return set;
}

}  // namespace melograph
