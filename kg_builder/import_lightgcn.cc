// LightGCN Last.fm split importer and its mapping back to HetRec 2011 ids (contract in
// import_lightgcn.h).
#include "kg_builder/import_lightgcn.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "common/file_util.h"
#include "common/text.h"
#include "kg_builder/import_hetrec.h"

namespace melograph {
namespace {

constexpr std::string_view kLightgcnDataset = "lightgcn";

struct Row {
  LightgcnInteraction x;
  int64_t line = 0;
};

// data1.txt / test1.txt: user<TAB>item<TAB>weight, CRLF, 1-based ids. Sorted by (user, item);
// a repeated pair is an InputError at its later line.
std::vector<Row> ReadSplitFile(const std::string& path) {
  std::vector<Row> rows;
  ForEachLine(path, "", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.Split(text, '\t');
    p.ExpectFields(3, "user, item, weight");
    Row r;
    r.x.user = p.Int(0, "user id", 1);
    r.x.item = p.Int(1, "item id", 1);
    r.x.count = p.Number(2, "listen count", 1.0);
    r.x.inexact = p.field(2).find_first_of(".eE") != std::string_view::npos;
    r.line = line;
    rows.push_back(r);
  });
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.x.user, a.x.item, a.line) < std::tie(b.x.user, b.x.item, b.line);
  });
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i].x.user == rows[i - 1].x.user && rows[i].x.item == rows[i - 1].x.item)
      throw InputError(path, rows[i].line, 1,
                       "user-item pair repeats line " + std::to_string(rows[i - 1].line));
  return rows;
}

// trustnetwork.txt: user<SPACE or TAB>user.
std::vector<std::pair<int64_t, int64_t>> ReadTrust(const std::string& path, int64_t* links,
                                                   int64_t* self_loops) {
  std::vector<std::pair<int64_t, int64_t>> directed;
  ForEachLine(path, "", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.SplitWhitespace(text);
    p.ExpectFields(2, "user, user");
    const int64_t a = p.Int(0, "user id", 1), b = p.Int(1, "user id", 1);
    ++*links;
    if (a == b)
      ++*self_loops;
    else
      directed.emplace_back(a, b);
  });
  return directed;
}

int64_t DistinctOf(const std::vector<Row>& rows, bool item) {
  std::set<int64_t> s;
  for (const Row& r : rows) s.insert(item ? r.x.item : r.x.user);
  return static_cast<int64_t>(s.size());
}

}  // namespace

LightgcnItemMapping MapLightgcnToHetrec(const std::vector<LightgcnInteraction>& interactions,
                                        const std::string& hetrec_dir) {
  const auto listens = ReadHetrecListens(hetrec_dir);  // sorted by (user, artist)
  LightgcnItemMapping m;
  m.user_of_user.push_back(0);
  std::vector<size_t> user_begin;  // per split user: range start in `listens`
  for (size_t i = 0; i < listens.size(); ++i) {
    if (i == 0 || listens[i].user != listens[i - 1].user) {
      m.user_of_user.push_back(listens[i].user);
      user_begin.push_back(i);
    }
  }
  user_begin.push_back(listens.size());
  int64_t max_item = 0;
  for (const auto& x : interactions) max_item = std::max(max_item, x.item);
  std::vector<std::map<int64_t, int64_t>> votes(static_cast<size_t>(max_item) + 1);
  for (const auto& x : interactions) {
    bool matched = false;
    if (x.user < static_cast<int64_t>(m.user_of_user.size())) {
      const size_t u = static_cast<size_t>(x.user) - 1;
      const double tolerance = x.inexact ? 1e-4 * x.count : 0.0;
      for (size_t k = user_begin[u]; k < user_begin[u + 1]; ++k) {
        if (std::fabs(static_cast<double>(listens[k].count) - x.count) <= tolerance) {
          ++votes[static_cast<size_t>(x.item)][listens[k].artist];
          matched = true;
        }
      }
    }
    if (!matched) ++m.unmatched_lines;
  }
  m.artist_of_item.assign(votes.size(), 0);
  std::map<int64_t, int64_t> chosen;  // artist -> items choosing it
  for (size_t item = 1; item < votes.size(); ++item) {
    int64_t best = 0, best_votes = 0;
    bool tie = false;
    for (const auto& [artist, n] : votes[item]) {
      if (n > best_votes) {
        best = artist;
        best_votes = n;
        tie = false;
      } else if (n == best_votes) {
        tie = true;
      }
    }
    if (tie) ++m.ambiguous_items;
    if (best_votes == 0 || tie) {
      ++m.unresolved_items;
      continue;
    }
    m.artist_of_item[item] = best;
    ++chosen[best];
  }
  for (const auto& [artist, n] : chosen)
    if (n > 1) m.artist_collisions += n - 1;
  return m;
}

ImportResult ImportLightgcn(const LightgcnOptions& options) {
  const std::string train_path = JoinPath(options.dir, "data1.txt");
  const std::string test_path = JoinPath(options.dir, "test1.txt");
  const std::string trust_path = JoinPath(options.dir, "trustnetwork.txt");
  RequireInputFile(train_path, kLightgcnDataset);
  RequireInputFile(test_path, kLightgcnDataset);
  if (options.friends) RequireInputFile(trust_path, kLightgcnDataset);
  if (!options.hetrec_dir.empty()) {
    for (const char* name :
         {"user_artists.dat", "artists.dat", "tags.dat", "user_taggedartists.dat"})
      RequireInputFile(JoinPath(options.hetrec_dir, name), "lightgcn --hetrec");
  }

  ImportResult result;
  ImportSummary& sum = result.summary;
  sum.Set("dataset", std::string(kLightgcnDataset));
  result.header.push_back("melograph import lightgcn: split kept exactly, ids as in the files");

  const auto train = ReadSplitFile(train_path);
  const auto test = ReadSplitFile(test_path);
  // Train and test must be disjoint: both are sorted by (user, item), so merge-walk them.
  for (size_t i = 0, j = 0; j < test.size(); ++j) {
    const auto key = [](const Row& r) { return std::pair(r.x.user, r.x.item); };
    while (i < train.size() && key(train[i]) < key(test[j])) ++i;
    if (i < train.size() && key(train[i]) == key(test[j]))
      throw InputError(test_path, test[j].line, 1,
                       "pair also in data1.txt line " + std::to_string(train[i].line));
  }
  std::set<int64_t> users, items, train_items, train_users;
  int64_t inexact = 0;
  for (const Row& r : train) {
    const std::string user = NumericKey("user", r.x.user), item = NumericKey("artist", r.x.item);
    const double w = options.binary_listens ? 1.0 : ListenWeight(r.x.count);
    result.train.push_back({user, "listened", item, w});
    result.listen_counts.push_back({user, item, std::llround(r.x.count), false});
    users.insert(r.x.user);
    items.insert(r.x.item);
    train_users.insert(r.x.user);
    train_items.insert(r.x.item);
    if (r.x.inexact) ++inexact;
  }
  int64_t test_rows_cold = 0;
  std::set<int64_t> cold_items, cold_users;
  for (const Row& r : test) {
    const std::string user = NumericKey("user", r.x.user), item = NumericKey("artist", r.x.item);
    result.test.emplace_back(user, item);
    result.listen_counts.push_back({user, item, std::llround(r.x.count), true});
    users.insert(r.x.user);
    items.insert(r.x.item);
    if (!train_items.count(r.x.item)) {
      ++test_rows_cold;
      cold_items.insert(r.x.item);
    }
    if (!train_users.count(r.x.user)) cold_users.insert(r.x.user);
    if (r.x.inexact) ++inexact;
  }
  sum.Set("train_pairs", static_cast<int64_t>(train.size()));
  sum.Set("train_users", DistinctOf(train, false));
  sum.Set("train_items", DistinctOf(train, true));
  sum.Set("test_pairs", static_cast<int64_t>(test.size()));
  sum.Set("test_users", DistinctOf(test, false));
  sum.Set("test_items", DistinctOf(test, true));
  sum.Set("test_items_not_in_train", static_cast<int64_t>(cold_items.size()));
  sum.Set("test_rows_item_not_in_train", test_rows_cold);
  sum.Set("test_users_without_train", static_cast<int64_t>(cold_users.size()));
  sum.Set("listen_counts_not_integer_text", inexact);
  sum.Set("listen_weight", options.binary_listens ? "1" : "1 + ln(count)");

  if (options.friends) {
    int64_t links = 0, self_loops = 0, without_reverse = 0;
    const auto pairs =
        UndirectedPairs(ReadTrust(trust_path, &links, &self_loops), &without_reverse);
    for (const auto& [a, b] : pairs) {
      result.train.push_back({NumericKey("user", a), "friend", NumericKey("user", b), 1.0});
      users.insert(a);
      users.insert(b);
    }
    sum.Set("friend_links", links);
    sum.Set("friend_self_loops_skipped", self_loops);
    sum.Set("friend_links_without_reverse", without_reverse);
    sum.Set("friend_pairs", static_cast<int64_t>(pairs.size()));
  }
  sum.Set("users", static_cast<int64_t>(users.size()));
  sum.Set("items", static_cast<int64_t>(items.size()));

  if (!options.hetrec_dir.empty()) {
    std::vector<LightgcnInteraction> all;
    for (const Row& r : train) all.push_back(r.x);
    for (const Row& r : test) all.push_back(r.x);
    const LightgcnItemMapping m = MapLightgcnToHetrec(all, options.hetrec_dir);
    std::map<int64_t, int64_t> item_of_artist;
    std::string map_text = "# split key\tHetRec 2011 id\n";
    for (size_t u = 1; u < m.user_of_user.size(); ++u)
      map_text += NumericKey("user", static_cast<int64_t>(u)) + "\t" +
                  std::to_string(m.user_of_user[u]) + "\n";
    for (size_t i = 1; i < m.artist_of_item.size(); ++i) {
      if (m.artist_of_item[i] == 0) continue;
      item_of_artist.emplace(m.artist_of_item[i], static_cast<int64_t>(i));
      map_text += NumericKey("artist", static_cast<int64_t>(i)) + "\t" +
                  std::to_string(m.artist_of_item[i]) + "\n";
    }
    result.side_files.emplace_back("hetrec_map.tsv", std::move(map_text));
    const auto names = ReadHetrecArtists(options.hetrec_dir);
    for (size_t i = 1; i < m.artist_of_item.size(); ++i) {
      auto it = names.find(m.artist_of_item[i]);
      if (it != names.end())
        result.names.emplace_back(NumericKey("artist", static_cast<int64_t>(i)), it->second);
    }
    const auto tags = ReadHetrecTags(options.hetrec_dir);
    HetrecTagStats ts;
    std::vector<std::tuple<int64_t, int64_t, int64_t>> tagged;  // item, tag, users
    for (const HetrecTagCount& c : ReadHetrecTagCounts(options.hetrec_dir, tags, &ts)) {
      auto it = item_of_artist.find(c.artist);
      if (it != item_of_artist.end()) tagged.emplace_back(it->second, c.tag, c.users);
    }
    std::sort(tagged.begin(), tagged.end());
    std::set<int64_t> tagged_items;
    for (const auto& [item, tag, n] : tagged) {
      result.train.push_back(
          {NumericKey("artist", item), "tagged", "tag:" + tags.at(tag), static_cast<double>(n)});
      tagged_items.insert(item);
    }
    sum.Set("hetrec_users", static_cast<int64_t>(m.user_of_user.size()) - 1);
    sum.Set("mapped_items", static_cast<int64_t>(item_of_artist.size()));
    sum.Set("mapping_unmatched_lines", m.unmatched_lines);
    sum.Set("mapping_ambiguous_items", m.ambiguous_items);
    sum.Set("mapping_unresolved_items", m.unresolved_items);
    sum.Set("mapping_artist_collisions", m.artist_collisions);
    sum.Set("train_tagged", static_cast<int64_t>(tagged.size()));
    sum.Set("tagged_items", static_cast<int64_t>(tagged_items.size()));
  }
  sum.Set("train_triples", static_cast<int64_t>(result.train.size()));
  return result;
}

}  // namespace melograph
