// Importer for the HetRec 2011 Last.fm dataset (hetrec2011-lastfm-2k), `melograph import
// hetrec-lastfm`. Details, quirks and counts: docs/IMPORTERS.md.
//
// Produces (keys are the dataset's own numeric ids):
//   user:<userID> listened artist:<artistID>  weight 1 + ln(listen count)   (train part)
//   user:<a> friend user:<b>                  each undirected pair once, a < b
//   artist:<artistID> tagged tag:<tagValue>   weight = number of users who applied the tag
// plus test pairs (user, artist), raw listen counts and artist names.
//
// Guarantees: the split is a partition of user_artists.dat; user u's test set is a pure
// function of (seed, u, u's artists): the user's artists, ordered by id, are shuffled by
// Rng(HashCombine(seed, kHetrecSplitStream, u)) and the first min(round(f*n), n-1) go to test
// (so every user keeps at least one training artist). Output order is sorted by numeric id,
// independent of input line order. Every malformed line is an InputError(file, line, column).
// Complexity: O(R log R) for R input rows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kg_builder/import_common.h"

namespace melograph {

inline constexpr uint64_t kHetrecSplitStream = 0x68657472656373ULL;  // "hetrecs"

struct HetrecOptions {
  std::string dir;             // folder holding the five .dat files
  double test_fraction = 0.2;  // per-user fraction of artists held out, in [0, 1)
  uint64_t seed = 1;
  bool tags = true;                   // write `tagged` triples
  bool friends = true;                // write `friend` triples
  bool keep_unknown_artists = false;  // keep tagged artistIDs missing from artists.dat
  bool binary_listens = false;        // weight 1 instead of 1 + ln(count)
};

ImportResult ImportHetrec(const HetrecOptions& options);

// ---- Readers shared with the LightGCN importer (all validate every line) ----

struct HetrecListen {
  int64_t user = 0;
  int64_t artist = 0;
  int64_t count = 0;
};
// user_artists.dat, sorted by (user, artist). A repeated pair is an InputError.
std::vector<HetrecListen> ReadHetrecListens(const std::string& dir);

// artists.dat: id -> name (UTF-8 checked; quotes are ordinary characters).
std::map<int64_t, std::string> ReadHetrecArtists(const std::string& dir);

// tags.dat decoded from Latin-1: id -> UTF-8 value. `non_ascii` counts decoded values.
std::map<int64_t, std::string> ReadHetrecTags(const std::string& dir, int64_t* non_ascii = nullptr);

struct HetrecTagCount {
  int64_t artist = 0;
  int64_t tag = 0;
  int64_t users = 0;  // distinct users who applied `tag` to `artist`
};
struct HetrecTagStats {
  int64_t rows = 0;
  int64_t bogus_year_rows = 0;  // year outside 2005..2011 (kept: dates are not used)
  int64_t repeated_rows = 0;    // (user, artist, tag) seen before (counted once)
};
// user_taggedartists.dat aggregated per (artist, tag), sorted. Tag ids must be in `tags`.
std::vector<HetrecTagCount> ReadHetrecTagCounts(const std::string& dir,
                                                const std::map<int64_t, std::string>& tags,
                                                HetrecTagStats* stats);

struct HetrecFriendStats {
  int64_t links = 0;            // directed lines
  int64_t self_loops = 0;       // skipped
  int64_t without_reverse = 0;  // (a,b) present but (b,a) missing (still kept once)
};
// user_friends.dat as undirected pairs (a < b), sorted and unique.
std::vector<std::pair<int64_t, int64_t>> ReadHetrecFriends(const std::string& dir,
                                                           HetrecFriendStats* stats);

}  // namespace melograph
