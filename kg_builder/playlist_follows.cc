#include "kg_builder/playlist_follows.h"

#include <algorithm>
#include <string_view>

#include "common/error.h"
#include "common/huge_pages.h"
#include "common/line_reader.h"
#include "common/short_text.h"
#include "common/text.h"
#include "kg_builder/flat_id_map.h"

namespace melograph {

PlaylistFollowStats SplitPlaylistFollows(const std::string& path, const StringInterner& playlists,
                                         bool has_cutoff, int64_t cutoff, BadLineBudget* budget,
                                         TripleSink& sink, AtomicFile& test,
                                         size_t expected_users) {
  PlaylistFollowStats stats;
  StringInterner users;
  users.Reserve(std::min(expected_users, EstimateLineCount(path)));
  // PackIds(user, playlist) -> index into pairs. Grown, not sized from the file like the
  // catalog's maps: this runs while the event log is still held, at build-kg's peak, and a
  // table sized up front raised it by 2 MB at 10^6 (47.6 B/event).
  FlatIdMap pair_index;
  int32_t last_user = -1;  // files list one user's follows together: intern once per run
  std::string last_user_id;
  struct Pair {
    int32_t user, playlist;
    int64_t first;
  };
  HugeVector<Pair> pairs;

  // Accepted lines are resolved kBatch at a time: the playlist lookups, then the pair-index
  // probes, are hashed and prefetched for the whole batch first, so their cache misses overlap
  // (both tables outgrow the cache). The order of users, pairs and warnings is the same as one
  // line at a time.
  constexpr size_t kBatch = 64;
  struct Pending {
    size_t user_offset, user_size, playlist_offset, playlist_size;
    int64_t timestamp, line, column;
    int32_t playlist;
    uint64_t hash;
  };
  Pending pending[kBatch];
  size_t pending_size = 0;
  TextBuffer ids;  // user and playlist ids of the pending lines
  const auto id = [&](size_t offset, size_t size) { return std::string_view(ids.data() + offset, size); };
  const auto flush = [&] {
    for (size_t i = 0; i < pending_size; ++i) {
      Pending& p = pending[i];
      p.hash = StringInterner::HashOf(id(p.playlist_offset, p.playlist_size));
      playlists.Prefetch(p.hash);
    }
    for (size_t i = 0; i < pending_size; ++i) {
      Pending& p = pending[i];
      p.playlist = playlists.Find(id(p.playlist_offset, p.playlist_size), p.hash);
      if (p.playlist < 0) {
        if (stats.first_unknown_playlist.size() < 5)
          stats.first_unknown_playlist.push_back(InputError::Format(
              path, p.line, p.column,
              "playlist '" + std::string(id(p.playlist_offset, p.playlist_size)) + "' is not in playlists.tsv"));
        ++stats.unknown_playlist;
        continue;
      }
      const std::string_view user = id(p.user_offset, p.user_size);
      if (last_user < 0 || !SameText(user, last_user_id)) {
        last_user = users.Intern(user);
        last_user_id.assign(user);
      }
      p.hash = PackIds(last_user, p.playlist);  // now the pair key
      pair_index.Prefetch(p.hash);
    }
    for (size_t i = 0; i < pending_size; ++i) {
      const Pending& p = pending[i];
      if (p.playlist < 0) continue;
      bool inserted = false;
      const auto next = static_cast<int32_t>(pairs.size());
      const int32_t index = pair_index.FindOrInsert(p.hash, next, &inserted);
      if (inserted)
        pairs.push_back({FirstId(p.hash), p.playlist, p.timestamp});
      else
        pairs[static_cast<size_t>(index)].first = std::min(pairs[static_cast<size_t>(index)].first, p.timestamp);
    }
    pending_size = 0;
    ids.clear();
  };

  LineReader reader(path);
  std::string_view text;
  std::string_view f[4];  // one more than a line has, so that too many is still told apart
  size_t starts[4];
  size_t count = 0;
  bool plain = true;
  std::string reason;
  int64_t column = 0;
  while (reader.NextFields(text, 4, f, starts, count, plain)) {
    if (text.empty() || text[0] == '#') continue;
    const auto col = [&](size_t field) { return static_cast<int64_t>(starts[field]) + 1; };
    bool ok = plain || CheckLineText(text, column, reason);
    if (ok) {
      int64_t ts = 0;
      if (count != 3) {
        column = 1;
        reason = "expected 3 tab-separated fields (user_id, playlist_id, timestamp), found " +
                 std::to_string(count);
        ok = false;
      } else if (f[0].empty()) {
        column = col(0), reason = "user_id is empty", ok = false;
      } else if (f[1].empty()) {
        column = col(1), reason = "playlist_id is empty", ok = false;
      } else if (!ParseInt64(f[2], &ts)) {
        column = col(2), reason = "timestamp '" + std::string(f[2]) + "' is not an integer", ok = false;
      } else {
        ++stats.lines;
        Pending& p = pending[pending_size++];
        p.user_offset = ids.size();
        p.user_size = f[0].size();
        ids.append(f[0]);
        p.playlist_offset = ids.size();
        p.playlist_size = f[1].size();
        ids.append(f[1]);
        p.timestamp = ts;
        p.line = reader.line_number();
        p.column = col(1);
        if (pending_size == kBatch) flush();
      }
    }
    if (!ok) budget->Record(InputError(path, reader.line_number(), column, reason));
  }
  flush();

  stats.pairs = static_cast<int64_t>(pairs.size());
  std::vector<uint8_t> user_has_test(static_cast<size_t>(users.size()), 0);
  TypedKey user_keys("user"), playlist_keys("playlist");
  std::string line;
  for (const Pair& p : pairs) {
    const std::string_view user_key = user_keys.With(users.Get(p.user));
    const std::string_view playlist_key = playlist_keys.With(playlists.Get(p.playlist));
    if (has_cutoff && p.first >= cutoff) {
      line.assign(user_key).append("\t").append(playlist_key).append("\n");
      test.Write(line);
      ++stats.test_pairs;
      stats.test_users += user_has_test[static_cast<size_t>(p.user)] ? 0 : 1;
      user_has_test[static_cast<size_t>(p.user)] = 1;
    } else {
      sink.Add(user_key, "follows_playlist", playlist_key, 1.0, p.first);
      ++stats.training_pairs;
    }
  }
  return stats;
}

}  // namespace melograph
