// Catalog directory reader (docs/FORMATS.md, "Catalog directory"): songs.tsv (required),
// artist_works.tsv, users.tsv, playlists.tsv, follows.tsv (each optional; NAME.gz is read when
// NAME is absent). '#' lines (headers) and blank lines are skipped, CRLF accepted, ';'
// separates list items (items are trimmed of spaces; empty items are ignored).
//
// Triples sent to the sink, file by file, in line order (relation vocabulary of FORMATS.md):
//   songs.tsv         song -by_artist-> artist, -in_album-> album, -in_language-> language,
//                     -has_genre-> genre, -ost_of-> work key
//   artist_works.tsv  artist -appears_in-> work key            (duplicate lines written once)
//   users.tsv         user -has_gender-> gender, -has_age-> age bucket, -in_region-> region,
//                     -speaks-> language                       (empty columns give no triple)
//   playlists.tsv     user -created-> playlist, playlist -contains-> song
//   follows.tsv       user -follows-> user                     (duplicate lines written once)
// Ages that are plain integers become buckets (0-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+);
// any other age text is used as the bucket name.
//
// Contract: a line is validated completely before any of its triples is written. Malformed
// lines (invalid UTF-8, wrong field count, empty id, duplicate song/user/playlist id,
// non-integer year, work key not `anime|game|film|tv|show:<id>`) raise InputError(file, line,
// column, reason) unless the BadLineBudget allows skipping them. A playlist entry naming a song
// missing from songs.tsv is skipped and counted (unknown_song_refs), not an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/string_interner.h"
#include "kg_builder/triple_io.h"
#include "kg_builder/triple_sink.h"

namespace melograph {

struct ArtistWork {
  int32_t artist;  // id in Catalog::artists
  int32_t work;    // id in Catalog::works
};

struct Catalog {
  StringInterner songs;    // raw song ids, songs.tsv order
  StringInterner artists;  // raw artist ids (Get only: the index is dropped after reading)
  StringInterner works;    // full work keys ("anime:..."; Get only, as artists)
  StringInterner playlists;  // raw playlist ids, playlists.tsv order
  std::vector<ArtistWork> ost_credits;  // artist sings a song that is ost_of work (may repeat)
  std::vector<ArtistWork> appearances;  // artist appears_in work (distinct)
  // Distinct user ids of users.tsv, playlist creators and follows.tsv: a size hint for the
  // tables of the users in the events.
  int64_t user_ids = 0;
  int64_t unknown_song_refs = 0;
  std::vector<std::string> first_unknown_song_refs;  // up to 5 "file:line:column: song 'x'"
  std::vector<std::string> files_read;
};

// True for the work types of FORMATS.md: anime, game, film, tv, show.
bool IsWorkType(std::string_view type);
// "23" -> "18-24"; non-integer text is returned unchanged.
std::string AgeBucket(std::string_view age);

Catalog ReadCatalog(const std::string& dir, BadLineBudget* budget, TripleSink& sink);

// DIR/NAME, else DIR/NAME.gz when only that exists, else empty.
std::string FindCatalogFile(const std::string& dir, const std::string& name);

}  // namespace melograph
