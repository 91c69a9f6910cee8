// build-kg: the optional catalog file playlist_follows.tsv (`user_id, playlist_id, timestamp`;
// NAME.gz read when NAME is absent) split like the plays (docs/PLAYLISTS.md):
//   * a (user, playlist) pair's follow time is its earliest line's timestamp;
//   * with a time split, pairs followed before the cutoff become training triples
//     `user:<u> -follows_playlist-> playlist:<p>` (weight 1, timestamp = the follow time), the
//     others held-out lines `user:<u><TAB>playlist:<p>` of OUT/test_playlists.tsv (the test.tsv
//     format);
//   * without a cutoff (last-n / fraction splits) every pair is a training triple.
// Both outputs are in order of each pair's first line.
//
// Contract: a line is validated completely before it counts: invalid UTF-8, a field count other
// than 3, an empty user_id or playlist_id, or a timestamp that is not an integer raise
// InputError(file, line, column, reason) through the shared BadLineBudget. A playlist missing
// from playlists.tsv is a counted warning (the line is dropped), as songs missing from
// songs.tsv are. Memory: 8 bytes per distinct pair plus the user ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "graph/string_interner.h"
#include "kg_builder/triple_io.h"
#include "kg_builder/triple_sink.h"

namespace melograph {

struct PlaylistFollowStats {
  int64_t lines = 0;             // data lines accepted (duplicates included)
  int64_t pairs = 0;             // distinct (user, playlist) pairs
  int64_t training_pairs = 0;    // follows_playlist triples written
  int64_t test_pairs = 0;        // lines of test_playlists.tsv
  int64_t test_users = 0;        // distinct users among them
  int64_t unknown_playlist = 0;  // lines dropped: playlist not in playlists.tsv
  std::vector<std::string> first_unknown_playlist;  // up to 5 "file:line:column: playlist 'x' ..."
};

// `playlists` holds the ids of playlists.tsv (Catalog::playlists). `has_cutoff` / `cutoff` as
// the play split (Split::time_filter / Split::cutoff). `expected_users` (Catalog::user_ids, 0:
// unknown) sizes the followers' table up front.
PlaylistFollowStats SplitPlaylistFollows(const std::string& path, const StringInterner& playlists,
                                         bool has_cutoff, int64_t cutoff, BadLineBudget* budget,
                                         TripleSink& sink, AtomicFile& test,
                                         size_t expected_users = 0);

}  // namespace melograph
