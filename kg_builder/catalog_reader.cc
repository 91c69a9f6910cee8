#include "kg_builder/catalog_reader.h"

#include <string_view>

#include "common/error.h"
#include "common/file_util.h"
#include "common/line_reader.h"
#include "common/short_text.h"
#include "common/text.h"
#include "kg_builder/flat_id_map.h"

namespace melograph {
namespace {

// One tab-separated line being validated: fields, their byte offsets, and the first problem.
struct Line {
  std::vector<std::string_view> fields;
  std::vector<size_t> starts;
  int64_t column = 0;
  std::string reason;

  bool Fail(size_t field, std::string why, size_t offset_in_field = 0) {
    column = static_cast<int64_t>(starts[field] + offset_in_field) + 1;
    reason = std::move(why);
    return false;
  }
};

// A ';'-separated list item with its offset inside the field.
struct Item {
  std::string_view text;
  size_t offset;
};

void SplitItems(std::string_view field, std::vector<Item>& items) {
  items.clear();
  size_t start = 0;
  while (start <= field.size()) {
    size_t end = field.find(';', start);
    if (end == std::string_view::npos) end = field.size();
    std::string_view item = field.substr(start, end - start);
    size_t offset = start;
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
      ++offset;
    }
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      bool seen = false;  // lists are short: dedupe by scanning
      for (const Item& it : items) seen = seen || it.text == item;
      if (!seen) items.push_back({item, offset});
    }
    start = end + 1;
  }
}

// Calls parse(line, line_number) for every data line; parse returns false after Line::Fail.
template <typename Parse>
void ReadTsv(const std::string& path, size_t min_fields, size_t max_fields, const char* columns,
             BadLineBudget* budget, Parse&& parse) {
  LineReader reader(path);
  Line l;
  std::string_view text;
  size_t count = 0;
  bool plain = true;
  for (;;) {
    // Room for one field more than a line may have, so that too many is still told apart.
    l.fields.resize(max_fields + 1);
    l.starts.resize(max_fields + 1);
    if (!reader.NextFields(text, max_fields + 1, l.fields.data(), l.starts.data(), count, plain))
      break;
    if (text.empty() || text[0] == '#') continue;
    bool ok = plain || CheckLineText(text, l.column, l.reason);
    if (ok) {
      if (count < min_fields || count > max_fields) {
        l.column = 1;
        l.reason = "expected " + std::to_string(min_fields) +
                   (min_fields == max_fields ? "" : " or " + std::to_string(max_fields)) +
                   " tab-separated fields (" + columns + "), found " + std::to_string(count);
        ok = false;
      } else {
        l.fields.resize(count);
        l.starts.resize(count);
        ok = parse(l, reader.line_number());
      }
    }
    if (!ok) budget->Record(InputError(path, reader.line_number(), l.column, l.reason));
  }
}

// Finds DIR/NAME or DIR/NAME.gz; empty if neither exists.
std::string CatalogFile(const std::string& dir, const std::string& name) {
  const std::string plain = JoinPath(dir, name);
  if (PathExists(plain)) return plain;
  if (PathExists(plain + ".gz")) return plain + ".gz";
  return {};
}

bool CheckWorkKey(Line& l, size_t field, const Item& item) {
  std::string_view type, id;
  const char* why = nullptr;
  if (!SplitKey(item.text, type, id, &why))
    return l.Fail(field, "bad work key '" + std::string(item.text) + "': " + why, item.offset);
  if (!IsWorkType(type))
    return l.Fail(field, "bad work key '" + std::string(item.text) +
                             "': type must be anime, game, film, tv or show", item.offset);
  return true;
}

// Interns `id` and says whether it was new (one probe for the duplicate check and the insert).
bool InternNew(StringInterner& ids, std::string_view id) {
  const size_t before = ids.size();
  return static_cast<size_t>(ids.Intern(id)) == before;
}

// Builds "type:id" keys in reusable buffers.
class Keys {
 public:
  std::string_view Head(std::string_view type, std::string_view id) { return Make(head_, type, id); }
  std::string_view Tail(std::string_view type, std::string_view id) { return Make(tail_, type, id); }

 private:
  static std::string_view Make(TextBuffer& buf, std::string_view type, std::string_view id) {
    buf.clear();
    buf.append(type);
    buf.push_back(':');
    buf.append(id);
    return buf.view();
  }
  TextBuffer head_, tail_;
};

class CatalogReader {
 public:
  CatalogReader(BadLineBudget* budget, TripleSink& sink, Catalog& catalog)
      : budget_(budget), sink_(sink), c_(catalog) {}

  void Songs(const std::string& path) {
    // (Not reserved from EstimateLineCount: songs' lines vary in length, the estimate from the
    // first 1,000 can overshoot past a power of two, and the table then doubles for nothing:
    // +2.8 MB at 10^6, where build-kg's peak is.)
    ReadTsv(path, 7, 8, "song_id, title, artist_ids, album_id, language, genre, year[, works]",
            budget_, [&](Line& l, int64_t) {
              const auto& f = l.fields;
              if (f[0].empty()) return l.Fail(0, "song_id is empty");
              if (!f[6].empty() && !ParseInt64(f[6])) return l.Fail(6, "year '" + std::string(f[6]) + "' is not an integer");
              SplitItems(f[2], artists_);
              works_.clear();
              if (f.size() == 8) SplitItems(f[7], works_);
              for (const Item& w : works_)
                if (!CheckWorkKey(l, 7, w)) return false;
              // One probe both checks and interns (the line is valid otherwise).
              if (!InternNew(c_.songs, f[0])) return l.Fail(0, "duplicate song_id '" + std::string(f[0]) + "'");
              const std::string_view song = keys_.Head("song", f[0]);
              for (const Item& a : artists_) sink_.Add(song, "by_artist", keys_.Tail("artist", a.text));
              if (!f[3].empty()) sink_.Add(song, "in_album", keys_.Tail("album", f[3]));
              if (!f[4].empty()) sink_.Add(song, "in_language", keys_.Tail("language", f[4]));
              if (!f[5].empty()) sink_.Add(song, "has_genre", keys_.Tail("genre", f[5]));
              for (const Item& w : works_) {
                sink_.Add(song, "ost_of", w.text);
                const int32_t work = c_.works.Intern(w.text);
                for (const Item& a : artists_) c_.ost_credits.push_back({c_.artists.Intern(a.text), work});
              }
              return true;
            });
  }

  void ArtistWorks(const std::string& path) {
    FlatIdMap seen(EstimateLineCount(path));
    ReadTsv(path, 2, 2, "artist_id, work_key", budget_, [&](Line& l, int64_t) {
      const auto& f = l.fields;
      if (f[0].empty()) return l.Fail(0, "artist_id is empty");
      if (!CheckWorkKey(l, 1, Item{f[1], 0})) return false;
      const ArtistWork aw{c_.artists.Intern(f[0]), c_.works.Intern(f[1])};
      bool inserted = false;
      seen.FindOrInsert(PackIds(aw.artist, aw.work), 0, &inserted);
      if (!inserted) return true;
      c_.appearances.push_back(aw);
      sink_.Add(keys_.Head("artist", f[0]), "appears_in", f[1]);
      return true;
    });
  }

  void Users(const std::string& path) {
    users_.Reserve(EstimateLineCount(path));
    ReadTsv(path, 5, 5, "user_id, gender, age, region, language", budget_, [&](Line& l, int64_t) {
      const auto& f = l.fields;
      if (f[0].empty()) return l.Fail(0, "user_id is empty");
      if (!InternNew(users_, f[0])) return l.Fail(0, "duplicate user_id '" + std::string(f[0]) + "'");
      const std::string_view user = keys_.Head("user", f[0]);
      if (!f[1].empty()) sink_.Add(user, "has_gender", keys_.Tail("gender", f[1]));
      if (!f[2].empty()) sink_.Add(user, "has_age", keys_.Tail("age", AgeBucket(f[2])));
      if (!f[3].empty()) sink_.Add(user, "in_region", keys_.Tail("region", f[3]));
      if (!f[4].empty()) sink_.Add(user, "speaks", keys_.Tail("language", f[4]));
      return true;
    });
  }

  void Playlists(const std::string& path) {
    StringInterner& playlists = c_.playlists;
    playlists.Reserve(EstimateLineCount(path));
    ReadTsv(path, 3, 3, "playlist_id, creator_user_id, song_ids", budget_, [&](Line& l, int64_t line) {
      const auto& f = l.fields;
      if (f[0].empty()) return l.Fail(0, "playlist_id is empty");
      if (!InternNew(playlists, f[0])) return l.Fail(0, "duplicate playlist_id '" + std::string(f[0]) + "'");
      SplitItems(f[2], songs_);
      const std::string_view playlist = keys_.Tail("playlist", f[0]);
      if (!f[1].empty()) {
        users_.Intern(f[1]);
        sink_.Add(keys_.Head("user", f[1]), "created", playlist);
      }
      const std::string_view head = keys_.Head("playlist", f[0]);
      // A playlist's songs are looked up together: hashed and prefetched first (the songs
      // table outgrows the cache), so their misses overlap.
      song_hashes_.resize(songs_.size());
      for (size_t i = 0; i < songs_.size(); ++i) {
        song_hashes_[i] = StringInterner::HashOf(songs_[i].text);
        c_.songs.Prefetch(song_hashes_[i]);
      }
      for (size_t i = 0; i < songs_.size(); ++i) {
        const Item& s = songs_[i];
        if (c_.songs.Find(s.text, song_hashes_[i]) < 0) {
          if (c_.first_unknown_song_refs.size() < 5)
            c_.first_unknown_song_refs.push_back(
                InputError::Format(path, line, static_cast<int64_t>(l.starts[2] + s.offset) + 1,
                                   "song '" + std::string(s.text) + "' is not in songs.tsv"));
          ++c_.unknown_song_refs;
          continue;
        }
        sink_.Add(head, "contains", keys_.Tail("song", s.text));
      }
      return true;
    });
  }

  void Follows(const std::string& path) {
    FlatIdMap seen(EstimateLineCount(path));  // sized once: no doubling through fresh pages
    // Lines are checked as they come and resolved kBatch at a time: the followed users' slots
    // are prefetched for the whole batch, then the pairs' slots in `seen`, so the two random
    // probes per line (tables of tens of MB at 10^7) overlap instead of stalling in turn.
    // Interning and output stay in line order.
    struct Pending {
      size_t follower_at, follower_size, followed_at, followed_size;
      uint64_t hash;  // the followed id's hash, then the pair's key
      int32_t follower;
    };
    constexpr size_t kBatch = 64;
    Pending pending[kBatch];
    size_t count = 0;
    TextBuffer ids;  // the batch's id bytes
    const auto id = [&](size_t at, size_t size) { return ids.substr(at, size); };
    const auto flush = [&] {
      for (size_t i = 0; i < count; ++i) {
        Pending& p = pending[i];
        p.hash = StringInterner::HashOf(id(p.followed_at, p.followed_size));
        users_.Prefetch(p.hash);
      }
      for (size_t i = 0; i < count; ++i) {
        Pending& p = pending[i];
        // Follows files list one follower's lines together: its id is interned once per run.
        const std::string_view follower = id(p.follower_at, p.follower_size);
        if (follower_ < 0 || !SameText(follower, follower_id_)) {
          follower_ = users_.Intern(follower);
          follower_id_.assign(follower);
        }
        p.follower = follower_;
        p.hash = PackIds(p.follower, users_.Intern(id(p.followed_at, p.followed_size), p.hash));
        seen.Prefetch(p.hash);
      }
      for (size_t i = 0; i < count; ++i) {
        const Pending& p = pending[i];
        bool inserted = false;
        seen.FindOrInsert(p.hash, 0, &inserted);
        if (inserted)
          sink_.Add(keys_.Head("user", id(p.follower_at, p.follower_size)), "follows",
                    keys_.Tail("user", id(p.followed_at, p.followed_size)));
      }
      count = 0;
      ids.clear();
    };
    ReadTsv(path, 2, 2, "user_id, followed_user_id", budget_, [&](Line& l, int64_t) {
      const auto& f = l.fields;
      // (Resolving a batch raises no error: a bad line's place among the errors is unchanged.)
      if (f[0].empty()) return l.Fail(0, "user_id is empty");
      if (f[1].empty()) return l.Fail(1, "followed_user_id is empty");
      Pending& p = pending[count++];
      p.follower_at = ids.size();
      p.follower_size = f[0].size();
      ids.append(f[0]);
      p.followed_at = ids.size();
      p.followed_size = f[1].size();
      ids.append(f[1]);
      if (count == kBatch) flush();
      return true;
    });
    flush();
  }

  size_t user_count() const { return users_.size(); }

 private:
  BadLineBudget* budget_;
  TripleSink& sink_;
  Catalog& c_;
  StringInterner users_;  // raw user ids of users.tsv / playlists / follows (duplicate checks)
  int32_t follower_ = -1;  // follows.tsv: the last follower interned, and its id
  std::string follower_id_;
  Keys keys_;
  std::vector<Item> artists_, works_, songs_;
  std::vector<uint64_t> song_hashes_;
};

}  // namespace

bool IsWorkType(std::string_view type) {
  return type == "anime" || type == "game" || type == "film" || type == "tv" || type == "show";
}

std::string AgeBucket(std::string_view age) {
  const auto years = ParseInt64(age);
  if (!years || *years < 0) return std::string(age);
  static constexpr struct {
    int64_t below;
    const char* name;
  } kBuckets[] = {{18, "0-17"}, {25, "18-24"}, {35, "25-34"}, {45, "35-44"}, {55, "45-54"}, {65, "55-64"}};
  for (const auto& b : kBuckets)
    if (*years < b.below) return b.name;
  return "65+";
}

std::string FindCatalogFile(const std::string& dir, const std::string& name) { return CatalogFile(dir, name); }

Catalog ReadCatalog(const std::string& dir, BadLineBudget* budget, TripleSink& sink) {
  if (!IsDirectory(dir)) throw IoError("catalog directory " + dir + " does not exist");
  BadLineBudget local;
  if (!budget) budget = &local;
  Catalog catalog;
  CatalogReader reader(budget, sink, catalog);
  const std::string songs = CatalogFile(dir, "songs.tsv");
  if (songs.empty()) throw IoError("catalog directory " + dir + " has no songs.tsv (required)");
  reader.Songs(songs);
  catalog.files_read.push_back(songs);
  const auto optional = [&](const char* name, void (CatalogReader::*read)(const std::string&)) {
    const std::string path = CatalogFile(dir, name);
    if (path.empty()) return;
    (reader.*read)(path);
    catalog.files_read.push_back(path);
  };
  optional("artist_works.tsv", &CatalogReader::ArtistWorks);
  optional("users.tsv", &CatalogReader::Users);
  optional("playlists.tsv", &CatalogReader::Playlists);
  optional("follows.tsv", &CatalogReader::Follows);
  catalog.user_ids = static_cast<int64_t>(reader.user_count());
  // Only Get is used on these from here on (playlists and songs are still looked up).
  catalog.artists.DropIndex();
  catalog.works.DropIndex();
  return catalog;
}

}  // namespace melograph
