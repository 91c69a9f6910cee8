#include "kg_builder/synthetic_catalog.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/file_util.h"
#include "common/text.h"

namespace melograph::synthetic {
namespace {

// Salts separating the random streams of each catalog phase.
enum CatalogSalt : uint64_t {
  kClusterOrder = 101, kArtistCluster, kArtistRank, kAlbums, kSongs, kWorks, kWorkRank, kNew
};

constexpr const char* kGenres[kMaxGenres] = {
    "pop",  "rock",    "hiphop", "electronic", "rnb",  "jazz",   "classical", "folk",
    "metal", "indie", "country", "reggae",     "blues", "punk", "soul",      "latin"};
constexpr const char* kLanguages[kMaxLanguages] = {"zh", "en", "ja", "ko", "es", "fr"};
constexpr const char* kAdjectives[] = {"Crimson", "Silent", "Endless", "Golden",  "Broken",
                                       "Electric", "Hidden", "Paper",  "Midnight", "Frozen",
                                       "Velvet",  "Neon",   "Lonely",  "Wild",    "Distant",
                                       "Secret"};
constexpr const char* kNouns[] = {"Harbor", "Garden", "Signal", "Horizon", "Letters", "Bloom",
                                  "Engine", "River",  "Summer", "Lantern", "Orbit",   "Tide",
                                  "Parade", "Mirror", "Forest", "Echo"};

// A seeded permutation of [0, n): rank[i] is the rank of item i.
std::vector<int64_t> SeededRanks(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)], order[rng.Uniform(static_cast<uint64_t>(i + 1))]);
  std::vector<int64_t> rank(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) rank[static_cast<size_t>(order[static_cast<size_t>(r)])] = r;
  return rank;
}

// Zipf(exponent) weights over a seeded rank order, normalised to sum 1.
std::vector<double> ZipfWeights(int64_t n, double exponent, uint64_t seed) {
  const auto rank = SeededRanks(n, seed);
  std::vector<double> w(static_cast<size_t>(n));
  double total = 0;
  for (size_t i = 0; i < w.size(); ++i) total += w[i] = std::pow(static_cast<double>(rank[i] + 1), -exponent);
  for (double& x : w) x /= total;
  return w;
}

int StartYear(int64_t ts) { return 1970 + static_cast<int>(ts / 31556952); }

void AssignArtists(Catalog& c) {
  const WorldConfig& cfg = c.config;
  const int64_t n_artists = std::min(cfg.songs, std::max<int64_t>(2 * c.clusters, cfg.songs / 16));
  c.artists.resize(static_cast<size_t>(n_artists));
  Rng rng(HashCombine(cfg.seed, kArtistCluster));
  const std::vector<double> artist_pop = ZipfWeights(n_artists, 1.0, HashCombine(cfg.seed, kArtistRank));
  c.cluster_artists.assign(static_cast<size_t>(c.clusters), {});
  for (int64_t a = 0; a < n_artists; ++a) {
    Artist& artist = c.artists[static_cast<size_t>(a)];
    // The first K artists cover every cluster; the rest follow cluster popularity.
    artist.cluster = a < c.clusters ? static_cast<int32_t>(a) : static_cast<int32_t>(c.cluster_table.Draw(rng));
    artist.popularity = artist_pop[static_cast<size_t>(a)];
    c.cluster_artists[static_cast<size_t>(artist.cluster)].push_back(static_cast<int32_t>(a));
  }
  c.artist_table = AliasTable(artist_pop);
  for (const auto& members : c.cluster_artists) {
    std::vector<double> w;
    for (int32_t a : members) w.push_back(c.artists[static_cast<size_t>(a)].popularity);
    c.cluster_artist_table.emplace_back(w);
  }
}

void AssignSongs(Catalog& c) {
  const WorldConfig& cfg = c.config;
  const auto n_artists = static_cast<int64_t>(c.artists.size());
  // Songs per artist: 1 + a share of the rest proportional to sqrt(popularity).
  std::vector<double> share(static_cast<size_t>(n_artists));
  double share_total = 0;
  for (size_t a = 0; a < share.size(); ++a) share_total += share[a] = std::sqrt(c.artists[a].popularity);
  const int64_t extra = cfg.songs - n_artists;
  std::vector<int64_t> count(static_cast<size_t>(n_artists), 1);
  int64_t given = 0;
  for (size_t a = 0; a < count.size(); ++a) {
    const auto e = static_cast<int64_t>(std::floor(static_cast<double>(extra) * share[a] / share_total));
    count[a] += e;
    given += e;
  }
  for (int64_t i = 0; given < extra; ++i, ++given) ++count[static_cast<size_t>(i % n_artists)];

  c.songs.resize(static_cast<size_t>(cfg.songs));
  Rng album_rng(HashCombine(cfg.seed, kAlbums));
  Rng song_rng(HashCombine(cfg.seed, kSongs));
  const int last_year = StartYear(cfg.time_start) - 1;
  int64_t next = 0;
  for (int64_t a = 0; a < n_artists; ++a) {
    Artist& artist = c.artists[static_cast<size_t>(a)];
    artist.first_song = next;
    artist.end_song = next + count[static_cast<size_t>(a)];
    while (next < artist.end_song) {
      const int64_t album_size = std::min<int64_t>(6 + static_cast<int64_t>(album_rng.Uniform(7)), artist.end_song - next);
      const auto album = static_cast<int32_t>(c.album_first_song.size());
      c.album_first_song.push_back(next);
      const double u = album_rng.UniformDouble();
      const auto year = static_cast<int16_t>(last_year - static_cast<int>(28.0 * u * u));
      for (int64_t s = next; s < next + album_size; ++s) {
        Song& song = c.songs[static_cast<size_t>(s)];
        song.artist = static_cast<int32_t>(a);
        song.album = album;
        song.year = year;
        song.duration_s = 150 + static_cast<int32_t>(song_rng.Uniform(181));
        if (song_rng.UniformDouble() < 0.08) {
          const auto& peers = c.cluster_artists[static_cast<size_t>(artist.cluster)];
          const int32_t other = peers[song_rng.Uniform(peers.size())];
          if (other != a) song.featured = other;
        }
      }
      next += album_size;
    }
  }
  c.album_first_song.push_back(cfg.songs);
}

// A free (not yet in any work) song of `artist`, scanning from a drawn start; -1 if none.
int64_t FreeSongOf(const Catalog& c, int32_t artist, Rng& rng) {
  const Artist& a = c.artists[static_cast<size_t>(artist)];
  const int64_t n = a.end_song - a.first_song;
  const int64_t start = c.DrawSongOfArtist(artist, rng) - a.first_song;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t s = a.first_song + (start + i) % n;
    if (c.songs[static_cast<size_t>(s)].work < 0) return s;
  }
  return -1;
}

// An artist whose genre is not in `genres` (popularity-weighted tries, then a scan); -1 if none.
int32_t ArtistOfNewGenre(const Catalog& c, const std::vector<int>& genres, Rng& rng) {
  auto fresh = [&](int64_t a) {
    const int g = c.Genre(c.artists[static_cast<size_t>(a)].cluster);
    return std::find(genres.begin(), genres.end(), g) == genres.end();
  };
  for (int t = 0; t < 32; ++t) {
    const int64_t a = c.artist_table.Draw(rng);
    if (fresh(a)) return static_cast<int32_t>(a);
  }
  const auto n = static_cast<int64_t>(c.artists.size());
  const auto start = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(n)));
  for (int64_t i = 0; i < n; ++i)
    if (fresh((start + i) % n)) return static_cast<int32_t>((start + i) % n);
  return -1;
}

void BuildWorks(Catalog& c) {
  const auto n_artists = static_cast<int64_t>(c.artists.size());
  const int64_t per_kind[kWorkKinds] = {std::max<int64_t>(2, n_artists / 40), std::max<int64_t>(1, n_artists / 80),
                                        std::max<int64_t>(1, n_artists / 80), std::max<int64_t>(1, n_artists / 60),
                                        std::max<int64_t>(1, n_artists / 60)};
  Rng rng(HashCombine(c.config.seed, kWorks));
  for (int k = 0; k < kWorkKinds; ++k) {
    for (int64_t i = 1; i <= per_kind[k]; ++i) {
      Work w;
      w.kind = static_cast<WorkKind>(k);
      w.key = std::string(WorkKindName(w.kind)) + ":" + kAdjectives[rng.Uniform(16)] + " " + kNouns[rng.Uniform(16)] + " ";
      AppendInt(w.key, i);
      const auto id = static_cast<int32_t>(c.works.size());
      if (w.kind == WorkKind::kShow) {
        const int64_t guests = 4 + static_cast<int64_t>(rng.Uniform(7));
        for (int64_t g = 0; g < guests; ++g) {
          const auto a = static_cast<int32_t>(c.artist_table.Draw(rng));
          if (std::find(w.artists.begin(), w.artists.end(), a) == w.artists.end()) w.artists.push_back(a);
        }
      } else {
        const int64_t n_ost_artists = 2 + static_cast<int64_t>(rng.Uniform(3));
        const int64_t n_songs = std::max<int64_t>(n_ost_artists, 2 + static_cast<int64_t>(rng.Uniform(5)));
        std::vector<int> genres;
        for (int64_t j = 0; j < n_ost_artists; ++j) {
          const int32_t a = j == 0 ? static_cast<int32_t>(c.artist_table.Draw(rng)) : ArtistOfNewGenre(c, genres, rng);
          if (a < 0) break;
          const int64_t s = FreeSongOf(c, a, rng);
          if (s < 0) continue;
          c.songs[static_cast<size_t>(s)].work = id;
          w.songs.push_back(s);
          w.artists.push_back(a);
          genres.push_back(c.Genre(c.artists[static_cast<size_t>(a)].cluster));
        }
        for (int64_t j = static_cast<int64_t>(w.songs.size()); j < n_songs && !w.artists.empty(); ++j) {
          const int64_t s = FreeSongOf(c, w.artists[rng.Uniform(w.artists.size())], rng);
          if (s < 0) continue;
          c.songs[static_cast<size_t>(s)].work = id;
          w.songs.push_back(s);
        }
      }
      c.works.push_back(std::move(w));
    }
  }
  c.work_table = AliasTable(ZipfWeights(static_cast<int64_t>(c.works.size()), 0.9, HashCombine(c.config.seed, kWorkRank)));
}

void MarkNewReleases(Catalog& c) {
  const WorldConfig& cfg = c.config;
  std::vector<char> protected_song(c.songs.size(), 0);
  for (size_t al = 0; al + 1 < c.album_first_song.size(); ++al)
    protected_song[static_cast<size_t>(c.album_first_song[al])] = 1;
  for (const Work& w : c.works)
    if (!w.songs.empty()) protected_song[static_cast<size_t>(w.songs[0])] = 1;
  std::vector<std::pair<uint64_t, int64_t>> candidates;
  for (size_t s = 0; s < c.songs.size(); ++s)
    if (!protected_song[s]) candidates.push_back({HashCombine(cfg.seed, kNew, s), static_cast<int64_t>(s)});
  const auto want = std::min<int64_t>(static_cast<int64_t>(candidates.size()),
                                      std::llround(cfg.new_release_fraction * static_cast<double>(cfg.songs)));
  std::nth_element(candidates.begin(), candidates.begin() + want, candidates.end());
  const int64_t first = cfg.new_release_start();
  const int64_t last = cfg.time_start + static_cast<int64_t>(0.97 * (cfg.time_end() - cfg.time_start));
  const auto year = static_cast<int16_t>(StartYear(cfg.time_start));
  c.cluster_new_songs.assign(static_cast<size_t>(c.clusters), {});
  for (int64_t i = 0; i < want; ++i) {
    const int64_t s = candidates[static_cast<size_t>(i)].second;
    Song& song = c.songs[static_cast<size_t>(s)];
    song.is_new = true;
    song.year = year;
    song.release_ts = first + static_cast<int64_t>(candidates[static_cast<size_t>(i)].first % static_cast<uint64_t>(last - first));
  }
  c.new_release_count = want;
  for (size_t s = 0; s < c.songs.size(); ++s) {
    if (!c.songs[s].is_new) continue;
    c.cluster_new_songs[static_cast<size_t>(c.SongCluster(static_cast<int64_t>(s)))].push_back(static_cast<int64_t>(s));
    if (c.songs[s].work >= 0) c.works[static_cast<size_t>(c.songs[s].work)].new_songs.push_back(static_cast<int64_t>(s));
  }
  auto by_release = [&](int64_t a, int64_t b) {
    return std::pair(c.songs[static_cast<size_t>(a)].release_ts, a) < std::pair(c.songs[static_cast<size_t>(b)].release_ts, b);
  };
  for (auto& list : c.cluster_new_songs) std::sort(list.begin(), list.end(), by_release);
  for (Work& w : c.works) std::sort(w.new_songs.begin(), w.new_songs.end(), by_release);
}

}  // namespace

AliasTable::AliasTable(std::span<const double> weights) : prob_(weights.size()), alias_(weights.size()) {
  const size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  std::vector<size_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    prob_[i] = total > 0 ? weights[i] * static_cast<double>(n) / total : 1.0;
    alias_[i] = static_cast<int64_t>(i);
    (prob_[i] < 1.0 ? small : large).push_back(i);
  }
  while (!small.empty() && !large.empty()) {
    const size_t s = small.back(), l = large.back();
    small.pop_back();
    alias_[s] = static_cast<int64_t>(l);
    prob_[l] -= 1.0 - prob_[s];
    if (prob_[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (size_t i : large) prob_[i] = 1.0;
  for (size_t i : small) prob_[i] = 1.0;  // rounding leftovers
}

const char* WorkKindName(WorkKind kind) {
  static constexpr const char* kNames[kWorkKinds] = {"anime", "game", "film", "tv", "show"};
  return kNames[static_cast<int>(kind)];
}
const char* GenreName(int genre) { return kGenres[genre]; }
const char* LanguageName(int language) { return kLanguages[language]; }

Catalog BuildCatalog(const WorldConfig& config) {
  Catalog c;
  c.config = config;
  c.clusters = config.genres * config.languages;
  c.cluster_popularity = ZipfWeights(c.clusters, 0.7, HashCombine(config.seed, kClusterOrder));
  c.cluster_table = AliasTable(c.cluster_popularity);
  AssignArtists(c);
  AssignSongs(c);
  BuildWorks(c);
  MarkNewReleases(c);
  return c;
}

void WriteCatalogFiles(const Catalog& c, const std::string& catalog_dir) {
  AtomicFile songs(JoinPath(catalog_dir, "songs.tsv"));
  songs.Write("# song_id\ttitle\tartist_ids\talbum_id\tlanguage\tgenre\tyear\tworks\n");
  std::string line;
  for (size_t s = 0; s < c.songs.size(); ++s) {
    const Song& song = c.songs[s];
    const int cluster = c.artists[static_cast<size_t>(song.artist)].cluster;
    const uint64_t h = HashCombine(c.config.seed, kSongs, s);
    line.assign("s");
    AppendInt(line, static_cast<int64_t>(s));
    line.append("\t").append(kAdjectives[h & 15]).append(" ").append(kNouns[(h >> 4) & 15]);
    line.append("\ta");
    AppendInt(line, song.artist);
    if (song.featured >= 0) {
      line.append(";a");
      AppendInt(line, song.featured);
    }
    line.append("\tal");
    AppendInt(line, song.album);
    line.append("\t").append(LanguageName(c.Language(cluster))).append("\t").append(GenreName(c.Genre(cluster)));
    line.append("\t");
    AppendInt(line, song.year);
    line.append("\t");
    if (song.work >= 0) line.append(c.works[static_cast<size_t>(song.work)].key);
    line.push_back('\n');
    songs.Write(line);
  }
  songs.Commit();

  AtomicFile artist_works(JoinPath(catalog_dir, "artist_works.tsv"));
  artist_works.Write("# artist_id\twork_key (variety-show appearances)\n");
  for (const Work& w : c.works) {
    if (w.kind != WorkKind::kShow) continue;
    for (int32_t a : w.artists) {
      line.assign("a");
      AppendInt(line, a);
      line.append("\t").append(w.key).append("\n");
      artist_works.Write(line);
    }
  }
  artist_works.Commit();
}

void WriteCatalogTruth(const Catalog& c, const std::string& truth_dir) {
  std::string line;
  AtomicFile clusters(JoinPath(truth_dir, "clusters.tsv"));
  clusters.Write("# cluster\tgenre\tlanguage\tpopularity\tartists\n");
  for (int k = 0; k < c.clusters; ++k) {
    line.clear();
    AppendInt(line, k);
    line.append("\t").append(GenreName(c.Genre(k))).append("\t").append(LanguageName(c.Language(k))).append("\t");
    AppendFloat(line, c.cluster_popularity[static_cast<size_t>(k)]);
    line.append("\t");
    AppendInt(line, static_cast<int64_t>(c.cluster_artists[static_cast<size_t>(k)].size()));
    line.append("\n");
    clusters.Write(line);
  }
  clusters.Commit();

  AtomicFile songs(JoinPath(truth_dir, "songs.tsv"));
  songs.Write("# song_id\tcluster\tartist_id\tis_new\trelease_ts\twork\n");
  AtomicFile fresh(JoinPath(truth_dir, "new_releases.tsv"));
  fresh.Write("# song_id\trelease_ts\tartist_id\talbum_id\twork\n");
  for (size_t s = 0; s < c.songs.size(); ++s) {
    const Song& song = c.songs[s];
    const std::string_view work = song.work >= 0 ? std::string_view(c.works[static_cast<size_t>(song.work)].key) : "";
    line.assign("s");
    AppendInt(line, static_cast<int64_t>(s));
    line.append("\t");
    AppendInt(line, c.artists[static_cast<size_t>(song.artist)].cluster);
    line.append("\ta");
    AppendInt(line, song.artist);
    line.append(song.is_new ? "\t1\t" : "\t0\t");
    if (song.is_new) AppendInt(line, song.release_ts);
    line.append("\t").append(work).append("\n");
    songs.Write(line);
    if (!song.is_new) continue;
    line.assign("s");
    AppendInt(line, static_cast<int64_t>(s));
    line.append("\t");
    AppendInt(line, song.release_ts);
    line.append("\ta");
    AppendInt(line, song.artist);
    line.append("\tal");
    AppendInt(line, song.album);
    line.append("\t").append(work).append("\n");
    fresh.Write(line);
  }
  songs.Commit();
  fresh.Commit();
}

}  // namespace melograph::synthetic
