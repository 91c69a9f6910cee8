// HetRec 2011 Last.fm importer: readers for the five .dat files, the seeded per-user split
// and the assembly of triples (contract in import_hetrec.h).
#include "kg_builder/import_hetrec.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "common/file_util.h"
#include "common/hash.h"
#include "common/text.h"

namespace melograph {
namespace {

constexpr std::string_view kHetrecDataset = "hetrec-lastfm";

std::string InputPath(const std::string& dir, std::string_view name) {
  std::string path = JoinPath(dir, name);
  RequireInputFile(path, kHetrecDataset);
  return path;
}

}  // namespace

std::vector<HetrecListen> ReadHetrecListens(const std::string& dir) {
  const std::string path = InputPath(dir, "user_artists.dat");
  std::vector<std::pair<HetrecListen, int64_t>> rows;  // record, line
  ForEachLine(path, "userID\tartistID\tweight", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.Split(text, '\t');
    p.ExpectFields(3, "userID, artistID, weight");
    rows.push_back(
        {{p.Int(0, "userID", 1), p.Int(1, "artistID", 1), p.Int(2, "listen count", 1)}, line});
  });
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.user, a.first.artist, a.second) <
           std::tie(b.first.user, b.first.artist, b.second);
  });
  std::vector<HetrecListen> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && rows[i].first.user == rows[i - 1].first.user &&
        rows[i].first.artist == rows[i - 1].first.artist)
      throw InputError(path, rows[i].second, 1,
                       "user-artist pair repeats line " + std::to_string(rows[i - 1].second));
    out.push_back(rows[i].first);
  }
  return out;
}

std::map<int64_t, std::string> ReadHetrecArtists(const std::string& dir) {
  const std::string path = InputPath(dir, "artists.dat");
  std::map<int64_t, std::string> names;
  ForEachLine(path, "id\tname\turl\tpictureURL", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.Split(text, '\t');  // tab only: names may hold '"' and are never quoted
    p.ExpectFields(4, "id, name, url, pictureURL (may be empty)");
    const int64_t id = p.Int(0, "artist id", 1);
    const std::string_view name = p.field(1);
    const size_t bad = FindInvalidUtf8(name);
    if (bad != std::string_view::npos)
      p.Fail(p.column(1) + static_cast<int64_t>(bad), "artist name is not valid UTF-8");
    if (!names.emplace(id, std::string(name)).second)
      p.Fail(p.column(0), "artist id " + std::to_string(id) + " repeats");
  });
  return names;
}

std::map<int64_t, std::string> ReadHetrecTags(const std::string& dir, int64_t* non_ascii) {
  const std::string path = InputPath(dir, "tags.dat");
  std::map<int64_t, std::string> tags;
  std::set<std::string> values;
  int64_t decoded = 0;
  ForEachLine(path, "tagID\ttagValue", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.Split(text, '\t');
    p.ExpectFields(2, "tagID, tagValue");
    const int64_t id = p.Int(0, "tag id", 1);
    if (p.field(1).empty()) p.Fail(p.column(1), "empty tag value");
    // The file is ISO-8859-1: every byte is one character.
    std::string value = Latin1ToUtf8(p.field(1));
    if (value.size() != p.field(1).size()) ++decoded;
    if (!values.insert(value).second) p.Fail(p.column(1), "tag value '" + value + "' repeats");
    if (!tags.emplace(id, std::move(value)).second)
      p.Fail(p.column(0), "tag id " + std::to_string(id) + " repeats");
  });
  if (non_ascii) *non_ascii = decoded;
  return tags;
}

std::vector<HetrecTagCount> ReadHetrecTagCounts(const std::string& dir,
                                                const std::map<int64_t, std::string>& tags,
                                                HetrecTagStats* stats) {
  const std::string path = InputPath(dir, "user_taggedartists.dat");
  struct Row {
    int64_t artist, tag, user;
    bool operator<(const Row& o) const {
      return std::tie(artist, tag, user) < std::tie(o.artist, o.tag, o.user);
    }
    bool operator==(const Row& o) const = default;
  };
  std::vector<Row> rows;
  HetrecTagStats s;
  ForEachLine(path, "userID\tartistID\ttagID\tday\tmonth\tyear",
              [&](std::string_view text, int64_t line) {
                ParsedLine p(path, line);
                p.Split(text, '\t');
                p.ExpectFields(6, "userID, artistID, tagID, day, month, year");
                const int64_t user = p.Int(0, "userID", 1);
                const int64_t artist = p.Int(1, "artistID", 1);
                const int64_t tag = p.Int(2, "tagID", 1);
                if (!tags.count(tag))
                  p.Fail(p.column(2), "tag id " + std::to_string(tag) + " is not in tags.dat");
                p.Int(3, "day", 1, 31);
                p.Int(4, "month", 1, 12);
                const int64_t year = p.Int(5, "year", 1, 9999);
                if (year < 2005 || year > 2011) ++s.bogus_year_rows;
                ++s.rows;
                rows.push_back({artist, tag, user});
              });
  std::sort(rows.begin(), rows.end());
  const size_t before = rows.size();
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  s.repeated_rows = static_cast<int64_t>(before - rows.size());
  std::vector<HetrecTagCount> out;
  for (const Row& r : rows) {
    if (out.empty() || out.back().artist != r.artist || out.back().tag != r.tag)
      out.push_back({r.artist, r.tag, 0});
    ++out.back().users;
  }
  if (stats) *stats = s;
  return out;
}

std::vector<std::pair<int64_t, int64_t>> ReadHetrecFriends(const std::string& dir,
                                                           HetrecFriendStats* stats) {
  const std::string path = InputPath(dir, "user_friends.dat");
  std::vector<std::pair<int64_t, int64_t>> directed;
  HetrecFriendStats s;
  ForEachLine(path, "userID\tfriendID", [&](std::string_view text, int64_t line) {
    ParsedLine p(path, line);
    p.Split(text, '\t');
    p.ExpectFields(2, "userID, friendID");
    const int64_t a = p.Int(0, "userID", 1);
    const int64_t b = p.Int(1, "friendID", 1);
    ++s.links;
    if (a == b) {
      ++s.self_loops;
      return;
    }
    directed.emplace_back(a, b);
  });
  auto pairs = UndirectedPairs(std::move(directed), &s.without_reverse);
  if (stats) *stats = s;
  return pairs;
}

ImportResult ImportHetrec(const HetrecOptions& options) {
  if (!(options.test_fraction >= 0.0 && options.test_fraction < 1.0))
    throw UsageError("--test-fraction must be in [0, 1), got " +
                     std::to_string(options.test_fraction));
  const std::string& dir = options.dir;
  // Check every needed file up front, so a missing one is reported before any parsing.
  InputPath(dir, "user_artists.dat");
  InputPath(dir, "artists.dat");
  if (options.friends) InputPath(dir, "user_friends.dat");
  if (options.tags) {
    InputPath(dir, "tags.dat");
    InputPath(dir, "user_taggedartists.dat");
  }

  ImportResult result;
  ImportSummary& sum = result.summary;
  sum.Set("dataset", std::string(kHetrecDataset));
  sum.Set("seed", std::to_string(options.seed));
  std::string fraction;
  AppendFloat(fraction, options.test_fraction);
  sum.Set("test_fraction", fraction);
  result.header.push_back("melograph import hetrec-lastfm: seed " + std::to_string(options.seed) +
                          ", test fraction " + fraction);

  const auto artists = ReadHetrecArtists(dir);
  const auto listens = ReadHetrecListens(dir);
  sum.Set("artists", static_cast<int64_t>(artists.size()));
  for (const auto& [id, name] : artists) result.names.emplace_back(NumericKey("artist", id), name);

  // Per-user seeded split over [begin, end) ranges of the sorted listens.
  std::vector<char> in_test(listens.size(), 0);
  int64_t users = 0, test_users = 0, unknown_listened = 0;
  for (size_t begin = 0; begin < listens.size();) {
    size_t end = begin;
    while (end < listens.size() && listens[end].user == listens[begin].user) ++end;
    const auto n = static_cast<int64_t>(end - begin);
    const int64_t n_test =
        std::min<int64_t>(std::llround(options.test_fraction * static_cast<double>(n)), n - 1);
    std::vector<size_t> order(static_cast<size_t>(n));
    for (size_t i = 0; i < order.size(); ++i) order[i] = begin + i;
    Rng rng(
        HashCombine(options.seed, kHetrecSplitStream, static_cast<uint64_t>(listens[begin].user)));
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Uniform(i)]);
    for (int64_t i = 0; i < n_test; ++i) in_test[order[static_cast<size_t>(i)]] = 1;
    ++users;
    if (n_test > 0) ++test_users;
    begin = end;
  }
  int64_t count_min = INT64_MAX, count_max = 0;
  for (size_t i = 0; i < listens.size(); ++i) {
    const HetrecListen& l = listens[i];
    if (!artists.count(l.artist)) ++unknown_listened;
    std::string user = NumericKey("user", l.user), artist = NumericKey("artist", l.artist);
    count_min = std::min(count_min, l.count);
    count_max = std::max(count_max, l.count);
    result.listen_counts.push_back({user, artist, l.count, in_test[i] != 0});
    if (in_test[i]) {
      result.test.emplace_back(std::move(user), std::move(artist));
    } else {
      const double w = options.binary_listens ? 1.0 : ListenWeight(static_cast<double>(l.count));
      result.train.push_back({std::move(user), "listened", std::move(artist), w});
    }
  }
  sum.Set("users", users);
  sum.Set("listen_pairs", static_cast<int64_t>(listens.size()));
  sum.Set("listen_count_min", listens.empty() ? 0 : count_min);
  sum.Set("listen_count_max", count_max);
  sum.Set("listen_weight", options.binary_listens ? "1" : "1 + ln(count)");
  sum.Set("listened_artists_not_in_artists_dat", unknown_listened);
  sum.Set("train_listened", static_cast<int64_t>(result.train.size()));
  sum.Set("test_pairs", static_cast<int64_t>(result.test.size()));
  sum.Set("test_users", test_users);

  if (options.friends) {
    HetrecFriendStats fs;
    const auto pairs = ReadHetrecFriends(dir, &fs);
    for (const auto& [a, b] : pairs)
      result.train.push_back({NumericKey("user", a), "friend", NumericKey("user", b), 1.0});
    sum.Set("friend_links", fs.links);
    sum.Set("friend_self_loops_skipped", fs.self_loops);
    sum.Set("friend_links_without_reverse", fs.without_reverse);
    sum.Set("friend_pairs", static_cast<int64_t>(pairs.size()));
  }

  if (options.tags) {
    int64_t non_ascii = 0;
    const auto tags = ReadHetrecTags(dir, &non_ascii);
    HetrecTagStats ts;
    const auto counts = ReadHetrecTagCounts(dir, tags, &ts);
    sum.Set("tags", static_cast<int64_t>(tags.size()));
    sum.Set("tags_latin1_decoded", non_ascii);
    sum.Set("tag_assignments", ts.rows);
    sum.Set("tag_assignments_repeated", ts.repeated_rows);
    sum.Set("tag_assignments_bogus_year", ts.bogus_year_rows);
    std::set<int64_t> unknown, tagged_artists;
    int64_t unknown_pairs = 0, tagged = 0;
    for (const HetrecTagCount& c : counts) {
      if (!artists.count(c.artist)) {
        unknown.insert(c.artist);
        ++unknown_pairs;
        if (!options.keep_unknown_artists) continue;
      }
      tagged_artists.insert(c.artist);
      result.train.push_back({NumericKey("artist", c.artist), "tagged", "tag:" + tags.at(c.tag),
                              static_cast<double>(c.users)});
      ++tagged;
    }
    int64_t unknown_rows = 0;  // assignment rows behind the unknown artists
    for (const HetrecTagCount& c : counts)
      if (unknown.count(c.artist)) unknown_rows += c.users;
    sum.Set("tagged_artists_not_in_artists_dat", static_cast<int64_t>(unknown.size()));
    sum.Set("tag_assignments_unknown_artist", unknown_rows);
    sum.Set("tagged_pairs_unknown_artist", unknown_pairs);
    sum.Set("unknown_artists",
            options.keep_unknown_artists ? "kept as nameless artist nodes" : "dropped");
    sum.Set("tagged_artists", static_cast<int64_t>(tagged_artists.size()));
    sum.Set("train_tagged", tagged);
  }
  sum.Set("train_triples", static_cast<int64_t>(result.train.size()));
  return result;
}

}  // namespace melograph
