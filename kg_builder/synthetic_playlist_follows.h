// Playlist follows of the synthetic world: catalog/playlist_follows.tsv
// (`user_id, playlist_id, timestamp`), the held-out signal for playlist recall (docs/PLAYLISTS.md).
//
// Planted structure:
//  * Every playlist has a log-normal popularity exp(1.2 N(0,1)), drawn from
//    Rng(HashCombine(seed, salt, playlist ordinal)), so a few playlists gather most follows.
//  * 55% of users follow 1-6 playlists. Each follow is, with probability 0.85, a playlist whose
//    majority cluster is one of the user's (cluster by the user's mixture weight, then playlist
//    by popularity within that cluster), else any playlist by popularity. Users never follow
//    their own playlists or one playlist twice (up to 8 draws per follow, then it is dropped).
//  * Timestamps are uniform over the event span, so build-kg's time split (the 0.8 quantile of
//    the event timestamps, near day 80) holds out about a fifth of the follows.
//
// Contract: each user's follows come from Rng(HashCombine(seed, salt, user)) with a salt no
// other file uses, so adding this file changes no byte of the other outputs. Lines are grouped
// by user (id order) and sorted by (timestamp, playlist) within a user. Memory O(playlists).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kg_builder/synthetic_users.h"

namespace melograph::synthetic {

struct PlaylistFollowCounts {
  int64_t follows = 0;
  int64_t in_user_clusters = 0;  // follows of a playlist whose majority cluster is the user's
  int64_t users = 0;             // users with at least one follow
};

// `playlists` as returned by WriteUserFiles (file order). Writes `path` atomically.
PlaylistFollowCounts WritePlaylistFollows(const Catalog& catalog,
                                          const std::vector<SyntheticPlaylist>& playlists,
                                          const std::string& path);

}  // namespace melograph::synthetic
