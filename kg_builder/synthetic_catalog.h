// The catalog half of the synthetic world: taste clusters, artists, albums, songs, works and
// new releases, held in flat arrays (memory O(songs + artists + works)).
//
// Planted structure (see docs/GENERATOR.md):
//  * K = genres x languages taste clusters with Zipf(0.7) popularity over a seeded order.
//  * Artists: one cluster each (drawn by cluster popularity), Zipf(1.0) popularity over a
//    seeded rank; songs per artist grow with sqrt(popularity); each artist's songs are
//    contiguous ids split into albums of 6-12 tracks; ~8% of songs feature a second artist of
//    the same cluster.
//  * Works: anime/game/film/tv works own an OST of 2-6 songs by 2-4 artists of DIFFERENT
//    genres (guaranteed >= 2 genres); variety shows list 4-10 appearing artists from any
//    cluster. A song belongs to at most one work.
//  * New releases: about new_release_fraction of the songs, never the first track of an album
//    or the first song of an OST (so each sits beside older songs), released uniformly in
//    [new_release_start, 97% of the span).
//
// Contract: BuildCatalog is a pure function of the config; sampling helpers are const and may
// be called concurrently with caller-owned Rngs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/hash.h"
#include "kg_builder/synthetic_world.h"

namespace melograph::synthetic {

// Walker's alias method: O(n) build, O(1) draw proportional to the weights.
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(std::span<const double> weights);
  int64_t Draw(Rng& rng) const {
    const uint64_t i = rng.Uniform(prob_.size());
    return rng.UniformDouble() < prob_[i] ? static_cast<int64_t>(i) : alias_[i];
  }
  bool empty() const { return prob_.empty(); }

 private:
  std::vector<double> prob_;
  std::vector<int64_t> alias_;
};

enum class WorkKind : uint8_t { kAnime, kGame, kFilm, kTv, kShow };
inline constexpr int kWorkKinds = 5;
const char* WorkKindName(WorkKind kind);  // "anime", "game", "film", "tv", "show"

struct Song {
  int32_t artist = 0;
  int32_t featured = -1;  // second artist or -1
  int32_t album = 0;
  int32_t work = -1;      // OST work or -1
  int32_t duration_s = 0;
  int16_t year = 0;
  bool is_new = false;
  int64_t release_ts = 0;  // new releases only
};

struct Artist {
  int32_t cluster = 0;
  double popularity = 0;
  int64_t first_song = 0;  // songs [first_song, end_song)
  int64_t end_song = 0;
};

struct Work {
  WorkKind kind = WorkKind::kAnime;
  std::string key;                  // "anime:Crimson Harbor 3"
  std::vector<int64_t> songs;       // OST (empty for shows)
  std::vector<int32_t> artists;     // OST artists, or show appearances
  std::vector<int64_t> new_songs;   // OST new releases, by release time
};

struct Catalog {
  WorldConfig config;
  int clusters = 0;
  std::vector<double> cluster_popularity;    // sums to 1
  std::vector<Artist> artists;
  std::vector<Song> songs;
  std::vector<int64_t> album_first_song;     // albums [i] = songs [first[i], first[i+1])
  std::vector<Work> works;
  std::vector<std::vector<int32_t>> cluster_artists;
  std::vector<AliasTable> cluster_artist_table;  // per cluster, over cluster_artists[c]
  AliasTable artist_table;                   // all artists by popularity
  AliasTable cluster_table;                  // clusters by popularity
  AliasTable work_table;                     // works by Zipf(0.9) popularity
  std::vector<std::vector<int64_t>> cluster_new_songs;  // new releases by release time
  int64_t new_release_count = 0;

  int Genre(int cluster) const { return cluster % config.genres; }
  int Language(int cluster) const { return cluster / config.genres; }
  int SongCluster(int64_t song) const { return artists[songs[song].artist].cluster; }
  // A song of `artist`, early tracks favoured (index = n * u^2).
  int64_t DrawSongOfArtist(int32_t artist, Rng& rng) const {
    const Artist& a = artists[artist];
    const double u = rng.UniformDouble();
    return a.first_song + static_cast<int64_t>(static_cast<double>(a.end_song - a.first_song) * u * u);
  }
};

const char* GenreName(int genre);
const char* LanguageName(int language);

Catalog BuildCatalog(const WorldConfig& config);

// catalog/songs.tsv and catalog/artist_works.tsv into `catalog_dir`.
void WriteCatalogFiles(const Catalog& catalog, const std::string& catalog_dir);
// truth/clusters.tsv, truth/songs.tsv and truth/new_releases.tsv into `truth_dir`.
void WriteCatalogTruth(const Catalog& catalog, const std::string& truth_dir);

}  // namespace melograph::synthetic
