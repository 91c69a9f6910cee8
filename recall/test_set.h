// TestSet: the held-out pairs of an evaluation split (`test.tsv`: `user key<TAB>item key` per
// line, docs/FORMATS.md), resolved against a graph.
//
// Contract:
//  * '#' comment lines and blank lines are skipped, CRLF accepted, ".gz" read through zlib; a
//    line without exactly two tab-separated keys, or with a malformed key, is an InputError
//    naming file, line, column and reason;
//  * rows whose user is not of `user_type` or whose item is not of `item_type` are counted
//    (other_type_rows) and ignored; duplicate rows are counted and merged;
//  * an item key absent from the graph is "unseen": it cannot be ranked but still counts in the
//    user's |test|; a user key absent from the graph keeps user = -1 (scored as no hits);
//  * users are ordered by key bytes, so results never depend on line order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace melograph {

struct TestUser {
  std::string key;             // "user:42"
  int32_t user = -1;           // local id in the user type, -1 if not in the graph
  std::vector<int32_t> items;  // rankable test items (local ids), sorted, distinct
  int32_t unseen_items = 0;    // distinct test items not in the graph
  int64_t num_relevant() const { return static_cast<int64_t>(items.size()) + unseen_items; }
};

struct TestSet {
  std::vector<TestUser> users;
  int64_t rows = 0;  // data rows read
  int64_t duplicate_rows = 0;
  int64_t other_type_rows = 0;
  int64_t unseen_pairs = 0;  // distinct (user, item) pairs whose item is not in the graph
  int64_t users_not_in_graph = 0;
  int64_t pairs() const {
    int64_t n = 0;
    for (const TestUser& u : users) n += u.num_relevant();
    return n;
  }
};

TestSet ReadTestSet(const std::string& path, const Graph& graph, const std::string& user_type,
                    const std::string& item_type);

}  // namespace melograph
