#include "kg_builder/synthetic_users.h"

#include <algorithm>
#include <cmath>

#include "common/file_util.h"
#include "common/text.h"

namespace melograph::synthetic {
namespace {

enum UserSalt : uint64_t { kUser = 201, kPlaylist, kFollow };

constexpr int kRegionsPerLanguage = 4;

// A song of a released state at `now`: redraws a not-yet-released new song, then falls back to
// its album's first track (never a new release).
int64_t Released(const Catalog& c, int64_t song, int64_t now) {
  const Song& s = c.songs[static_cast<size_t>(song)];
  if (!s.is_new || s.release_ts <= now) return song;
  return c.album_first_song[static_cast<size_t>(s.album)];
}

int32_t DrawClusterArtist(const Catalog& c, int cluster, Rng& rng) {
  const auto& members = c.cluster_artists[static_cast<size_t>(cluster)];
  return members[static_cast<size_t>(c.cluster_artist_table[static_cast<size_t>(cluster)].Draw(rng))];
}

// Size and majority cluster (lowest id on ties) of a drawn playlist.
SyntheticPlaylist DescribePlaylist(const Catalog& c, int64_t creator, int index, const std::vector<int64_t>& songs) {
  std::vector<int32_t> per_cluster(static_cast<size_t>(c.clusters), 0);
  for (const int64_t s : songs) ++per_cluster[static_cast<size_t>(c.SongCluster(s))];
  SyntheticPlaylist p;
  p.creator = creator;
  p.index = index;
  p.size = static_cast<int32_t>(songs.size());
  p.cluster = static_cast<int32_t>(std::max_element(per_cluster.begin(), per_cluster.end()) - per_cluster.begin());
  return p;
}

}  // namespace

int DrawUserCluster(const UserProfile& u, Rng& rng) {
  double x = rng.UniformDouble();
  for (int i = 0; i + 1 < u.n_clusters; ++i) {
    if (x < u.weights[i]) return u.clusters[i];
    x -= u.weights[i];
  }
  return u.clusters[u.n_clusters - 1];
}

int DrawSessionCluster(const UserProfile& u, const SessionFocus* focus, Rng& rng) {
  if (focus != nullptr && focus->p > 0 && focus->rng->UniformDouble() < focus->p) return focus->cluster;
  return DrawUserCluster(u, rng);
}

UserProfile MakeUser(const Catalog& c, int64_t user) {
  const WorldConfig& cfg = c.config;
  Rng rng(HashCombine(cfg.seed, kUser, static_cast<uint64_t>(user)));
  UserProfile u;
  const double shape = rng.UniformDouble();
  const int want = shape < 0.45 ? 1 : shape < 0.8 ? 2 : 3;
  u.clusters[0] = static_cast<int32_t>(c.cluster_table.Draw(rng));
  u.n_clusters = 1;
  for (int tries = 0; u.n_clusters < want && tries < 16; ++tries) {
    int32_t k;
    if (rng.UniformDouble() < 0.5) {
      const int genre = static_cast<int>(rng.Uniform(static_cast<uint64_t>(cfg.genres)));
      k = static_cast<int32_t>(c.Language(u.clusters[0]) * cfg.genres + genre);
    } else {
      k = static_cast<int32_t>(c.cluster_table.Draw(rng));
    }
    if (std::find(u.clusters, u.clusters + u.n_clusters, k) == u.clusters + u.n_clusters) u.clusters[u.n_clusters++] = k;
  }
  double total = 0;
  for (int i = 0; i < u.n_clusters; ++i) total += u.weights[i] = rng.Exponential() + (i == 0 ? 1.0 : 0.0);
  for (int i = 0; i < u.n_clusters; ++i) u.weights[i] /= total;
  for (int i = 1; i < u.n_clusters; ++i)  // insertion sort, largest weight first
    for (int j = i; j > 0 && u.weights[j] > u.weights[j - 1]; --j) {
      std::swap(u.weights[j], u.weights[j - 1]);
      std::swap(u.clusters[j], u.clusters[j - 1]);
    }
  if (rng.UniformDouble() < 0.4) {
    const int want_works = 1 + static_cast<int>(rng.Uniform(2));
    for (int i = 0; i < want_works; ++i) {
      const auto w = static_cast<int32_t>(c.work_table.Draw(rng));
      if (u.n_works == 0 || u.works[0] != w) u.works[u.n_works++] = w;
    }
  }
  const double mean = static_cast<double>(cfg.events) / static_cast<double>(cfg.users);
  const double activity = std::exp(rng.Normal() - 0.5);  // log-normal, mean 1
  u.n_events = std::clamp<int64_t>(std::llround(mean * activity), 1, static_cast<int64_t>(100 * mean) + 1);
  const double g = rng.UniformDouble();
  u.gender = g < 0.48 ? 0 : g < 0.96 ? 1 : 2;
  const double a = rng.UniformDouble();
  u.age = 16 + static_cast<int>(45.0 * a * a);
  u.language = c.Language(u.clusters[0]);
  const int region_language =
      rng.UniformDouble() < 0.8 ? u.language : static_cast<int>(rng.Uniform(static_cast<uint64_t>(cfg.languages)));
  u.region = region_language * kRegionsPerLanguage + static_cast<int>(rng.Uniform(kRegionsPerLanguage));
  return u;
}

Pick PickFromTaste(const Catalog& c, const UserProfile& u, int64_t now, Rng& rng, const SessionFocus* focus) {
  Pick p;
  const double r = rng.UniformDouble();
  const Work* fan_of =
      u.n_works > 0 && r < 0.15 ? &c.works[static_cast<size_t>(u.works[rng.Uniform(static_cast<uint64_t>(u.n_works))])] : nullptr;
  if (fan_of != nullptr && !fan_of->artists.empty()) {  // an OST may be empty in a tiny world
    const Work& w = *fan_of;
    p.channel = Channel::kWork;
    p.affinity = 0.8;
    if (!w.songs.empty() && rng.UniformDouble() < 0.6)
      p.song = w.songs[rng.Uniform(w.songs.size())];
    else
      p.song = c.DrawSongOfArtist(w.artists[rng.Uniform(w.artists.size())], rng);
  } else if (r < 0.25) {
    p.channel = Channel::kExplore;
    p.song = c.DrawSongOfArtist(static_cast<int32_t>(c.artist_table.Draw(rng)), rng);
    p.affinity = u.Weight(c.SongCluster(p.song)) > 0 ? 0.5 : 0.15;
  } else {
    p.channel = Channel::kCluster;
    const int k = DrawSessionCluster(u, focus, rng);
    p.song = c.DrawSongOfArtist(DrawClusterArtist(c, k, rng), rng);
    p.affinity = 0.55 + 0.45 * u.Weight(k) / u.weights[0];
  }
  for (int tries = 0; tries < 4 && Released(c, p.song, now) != p.song; ++tries) {
    const int k = DrawSessionCluster(u, focus, rng);
    p.song = c.DrawSongOfArtist(DrawClusterArtist(c, k, rng), rng);
  }
  p.song = Released(c, p.song, now);
  return p;
}

Pick PickNewRelease(const Catalog& c, const UserProfile& u, int64_t now, Rng& rng, const SessionFocus* focus) {
  Pick p;
  p.channel = Channel::kNewRelease;
  p.affinity = 0.75;
  const std::vector<int64_t>* list;
  if (u.n_works > 0 && rng.UniformDouble() < 0.3)
    list = &c.works[static_cast<size_t>(u.works[rng.Uniform(static_cast<uint64_t>(u.n_works))])].new_songs;
  else
    list = &c.cluster_new_songs[static_cast<size_t>(DrawSessionCluster(u, focus, rng))];
  const auto released = std::partition_point(list->begin(), list->end(), [&](int64_t s) {
    return c.songs[static_cast<size_t>(s)].release_ts <= now;
  });
  const auto n = static_cast<uint64_t>(released - list->begin());
  if (n > 0) p.song = (*list)[rng.Uniform(n)];
  return p;
}

Pick PickArtistRun(const Catalog& c, int64_t previous, int64_t now, Rng& rng) {
  Pick p;
  p.channel = Channel::kArtistRun;
  p.affinity = 0.8;
  const int32_t artist = c.songs[static_cast<size_t>(previous)].artist;
  auto usable = [&](int64_t s) {
    const Song& song = c.songs[static_cast<size_t>(s)];
    return s != previous && (!song.is_new || song.release_ts <= now);
  };
  for (int tries = 0; tries < 5; ++tries) {
    const int64_t s = c.DrawSongOfArtist(artist, rng);
    if (usable(s)) {
      p.song = s;
      return p;
    }
  }
  const int64_t first = c.artists[static_cast<size_t>(artist)].first_song;
  if (usable(first)) p.song = first;
  return p;
}

UserFileCounts WriteUserFiles(const Catalog& c, const std::string& catalog_dir, const std::string& truth_dir,
                              std::vector<SyntheticPlaylist>* drawn) {
  const WorldConfig& cfg = c.config;
  UserFileCounts counts;
  std::string line;
  // Users grouped by primary cluster, for taste-aware follows.
  std::vector<int64_t> cluster_begin(static_cast<size_t>(c.clusters) + 1, 0);
  std::vector<int32_t> primary(static_cast<size_t>(cfg.users));
  AtomicFile users(JoinPath(catalog_dir, "users.tsv"));
  AtomicFile truth(JoinPath(truth_dir, "users.tsv"));
  users.Write("# user_id\tgender\tage\tregion\tlanguage\n");
  truth.Write("# user_id\tclusters (cluster:weight;...)\tworks\ttarget_events\n");
  for (int64_t id = 0; id < cfg.users; ++id) {
    const UserProfile u = MakeUser(c, id);
    primary[static_cast<size_t>(id)] = u.clusters[0];
    ++cluster_begin[static_cast<size_t>(u.clusters[0]) + 1];
    line.assign("u");
    AppendInt(line, id);
    line.append(u.gender == 0 ? "\tf\t" : u.gender == 1 ? "\tm\t" : "\t\t");
    AppendInt(line, u.age);
    line.append("\t").append(LanguageName(u.region / kRegionsPerLanguage)).append("-");
    AppendInt(line, u.region % kRegionsPerLanguage);
    line.append("\t").append(LanguageName(u.language)).append("\n");
    users.Write(line);
    line.assign("u");
    AppendInt(line, id);
    for (int i = 0; i < u.n_clusters; ++i) {
      line.append(i == 0 ? "\t" : ";");
      AppendInt(line, u.clusters[i]);
      line.append(":");
      AppendFloat(line, std::round(u.weights[i] * 1e4) / 1e4);
    }
    line.append("\t");
    for (int i = 0; i < u.n_works; ++i) line.append(i == 0 ? "" : ";").append(c.works[static_cast<size_t>(u.works[i])].key);
    line.append("\t");
    AppendInt(line, u.n_events);
    line.append("\n");
    truth.Write(line);
  }
  users.Commit();
  truth.Commit();
  for (size_t k = 1; k < cluster_begin.size(); ++k) cluster_begin[k] += cluster_begin[k - 1];
  std::vector<int64_t> by_cluster(static_cast<size_t>(cfg.users));
  {
    std::vector<int64_t> fill(cluster_begin.begin(), cluster_begin.end() - 1);
    for (int64_t id = 0; id < cfg.users; ++id) by_cluster[static_cast<size_t>(fill[static_cast<size_t>(primary[static_cast<size_t>(id)])]++)] = id;
  }

  AtomicFile playlists(JoinPath(catalog_dir, "playlists.tsv"));
  AtomicFile follows(JoinPath(catalog_dir, "follows.tsv"));
  playlists.Write("# playlist_id\tcreator_user_id\tsong_ids\n");
  follows.Write("# user_id\tfollowed_user_id\n");
  const int64_t before_releases = cfg.new_release_start() - 1;
  std::vector<int64_t> picked;
  for (int64_t id = 0; id < cfg.users; ++id) {
    const UserProfile u = MakeUser(c, id);
    Rng prng(HashCombine(cfg.seed, kPlaylist, static_cast<uint64_t>(id)));
    const int n_playlists = prng.UniformDouble() < 0.08 ? 1 + static_cast<int>(prng.Uniform(3)) : 0;
    for (int p = 0; p < n_playlists; ++p) {
      const int64_t size = 8 + static_cast<int64_t>(prng.Uniform(23));
      picked.clear();
      for (int64_t i = 0; i < size; ++i) {
        const int64_t s = PickFromTaste(c, u, before_releases, prng).song;
        if (std::find(picked.begin(), picked.end(), s) == picked.end()) picked.push_back(s);
      }
      line.assign("pl");
      AppendInt(line, id);
      line.append("_");
      AppendInt(line, p);
      line.append("\tu");
      AppendInt(line, id);
      for (size_t i = 0; i < picked.size(); ++i) {
        line.append(i == 0 ? "\ts" : ";s");
        AppendInt(line, picked[i]);
      }
      line.append("\n");
      playlists.Write(line);
      ++counts.playlists;
      if (drawn != nullptr) drawn->push_back(DescribePlaylist(c, id, p, picked));
    }
    Rng frng(HashCombine(cfg.seed, kFollow, static_cast<uint64_t>(id)));
    if (frng.UniformDouble() >= 0.6 || cfg.users < 2) continue;
    const int n_follows = 1 + static_cast<int>(frng.Uniform(5));
    picked.clear();
    for (int f = 0; f < n_follows; ++f) {
      int64_t other;
      if (frng.UniformDouble() < 0.8) {
        const auto k = static_cast<size_t>(DrawUserCluster(u, frng));
        const int64_t n = cluster_begin[k + 1] - cluster_begin[k];
        if (n == 0) continue;
        other = by_cluster[static_cast<size_t>(cluster_begin[k] + static_cast<int64_t>(frng.Uniform(static_cast<uint64_t>(n))))];
      } else {
        other = static_cast<int64_t>(frng.Uniform(static_cast<uint64_t>(cfg.users)));
      }
      if (other == id || std::find(picked.begin(), picked.end(), other) != picked.end()) continue;
      picked.push_back(other);
      line.assign("u");
      AppendInt(line, id);
      line.append("\tu");
      AppendInt(line, other);
      line.append("\n");
      follows.Write(line);
      ++counts.follows;
    }
  }
  playlists.Commit();
  follows.Commit();
  return counts;
}

}  // namespace melograph::synthetic
