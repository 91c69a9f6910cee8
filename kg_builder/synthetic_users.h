// The users of the synthetic world: taste profiles, the song-picking channels shared by events
// and playlists, and the user-side catalog files (users, playlists, follows) plus their truth.
//
// Planted structure (see docs/GENERATOR.md):
//  * Each user mixes 1 (45%), 2 (35%) or 3 (20%) taste clusters; after the first (drawn by
//    cluster popularity) each extra cluster shares the first one's language half of the time.
//    Mixture weights are Exponential draws (+1 on the first), normalised, largest first.
//  * 40% of users are fans of 1-2 works (Zipf(0.9) work popularity): they play the work's OST
//    and its artists' songs whatever their genre.
//  * Activity is log-normal (sigma 1) around events / users.
//  * 8% of users create 1-3 playlists of 8-30 songs drawn from their taste (no new releases).
//  * 60% of users follow 1-5 others: 80% drawn from users whose primary cluster is one of theirs.
//
// Contract: MakeUser and PickFromTaste are pure functions of (catalog, user, rng state); they
// read the catalog only and may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kg_builder/synthetic_catalog.h"

namespace melograph::synthetic {

struct UserProfile {
  int n_clusters = 0;
  int32_t clusters[3] = {0, 0, 0};
  double weights[3] = {0, 0, 0};  // sums to 1, descending
  int n_works = 0;
  int32_t works[2] = {0, 0};
  int64_t n_events = 0;  // target event lines
  int gender = 0;        // 0 f, 1 m, 2 unknown
  int age = 0;
  int region = 0;
  int language = 0;

  double Weight(int cluster) const {
    for (int i = 0; i < n_clusters; ++i)
      if (clusters[i] == cluster) return weights[i];
    return 0;
  }
};

UserProfile MakeUser(const Catalog& catalog, int64_t user);

enum class Channel : uint8_t { kCluster, kWork, kExplore, kNewRelease, kRepeat, kArtistRun };

struct Pick {
  int64_t song = -1;
  double affinity = 0;  // in [0, 1]: how much the user is expected to like it
  Channel channel = Channel::kCluster;
};

// The mood of one listening session (WorldConfig::session_focus, docs/GENERATOR.md): `cluster`
// is one of the user's clusters drawn by weight when the session starts; each by-weight cluster
// pick of the session takes it with probability `p`. The coin comes from `rng`, the session's own
// stream (Rng(HashCombine(seed, salt, user, session))), never from the caller's rng.
struct SessionFocus {
  int cluster = 0;
  double p = 0;
  Rng* rng = nullptr;
};

// One song for `user` at time `now` through the cluster (75%), work (15% for fans) or
// exploration (10%) channel. Never returns a new release whose release_ts > now. With a focus,
// the cluster channel (and the redraw of an unreleased song) picks its cluster through
// DrawSessionCluster; the work and exploration channels ignore the mood. A null focus (or p = 0)
// consumes exactly the draws of the mood-free world.
Pick PickFromTaste(const Catalog& catalog, const UserProfile& user, int64_t now, Rng& rng,
                   const SessionFocus* focus = nullptr);

// A released new song from one of the user's clusters (DrawSessionCluster) or works, or song -1
// if none yet.
Pick PickNewRelease(const Catalog& catalog, const UserProfile& user, int64_t now, Rng& rng,
                    const SessionFocus* focus = nullptr);

// The next listen of an artist run (WorldConfig::session_runs): another song of `previous`'s
// artist (early tracks favoured), redrawn up to 4 times while it is `previous` itself or not yet
// released at `now`, then the artist's first song if that one is released and not `previous`;
// song -1 when no such song exists. Affinity 0.8 (the user chose to stay with the artist).
Pick PickArtistRun(const Catalog& catalog, int64_t previous, int64_t now, Rng& rng);

// One of the user's clusters, drawn by its mixture weight (one UniformDouble from rng).
int DrawUserCluster(const UserProfile& user, Rng& rng);

// The focus cluster with probability focus->p (one UniformDouble from focus->rng), otherwise
// DrawUserCluster(user, rng). With a null focus or p <= 0: exactly DrawUserCluster(user, rng).
int DrawSessionCluster(const UserProfile& user, const SessionFocus* focus, Rng& rng);

// A playlist as drawn by WriteUserFiles: id `pl<creator>_<index>`, its size and the cluster
// holding most of its songs (ties: the lowest cluster id).
struct SyntheticPlaylist {
  int64_t creator = 0;
  int32_t index = 0;
  int32_t size = 0;
  int32_t cluster = 0;
};

struct UserFileCounts {
  int64_t playlists = 0;
  int64_t follows = 0;
};

// catalog/{users,playlists,follows}.tsv and truth/users.tsv. When `playlists` is given it
// receives every playlist written, in file order (the drawing is the same either way).
UserFileCounts WriteUserFiles(const Catalog& catalog, const std::string& catalog_dir,
                              const std::string& truth_dir,
                              std::vector<SyntheticPlaylist>* playlists = nullptr);

}  // namespace melograph::synthetic
