#include "kg_builder/synthetic_playlist_follows.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/file_util.h"
#include "common/text.h"

namespace melograph::synthetic {
namespace {

// Salts no other part of the generator uses (synthetic_users.cc: 201-203, events: 301).
enum FollowSalt : uint64_t { kPopularity = 401, kFollows = 402 };

constexpr double kFollowingUsers = 0.55;
constexpr int kMaxFollows = 6;
constexpr double kTasteShare = 0.85;
constexpr int kDraws = 8;

}  // namespace

PlaylistFollowCounts WritePlaylistFollows(const Catalog& c, const std::vector<SyntheticPlaylist>& playlists,
                                          const std::string& path) {
  const WorldConfig& cfg = c.config;
  const size_t n = playlists.size();
  std::vector<double> popularity(n);
  for (size_t p = 0; p < n; ++p) {
    Rng rng(HashCombine(cfg.seed, kPopularity, static_cast<uint64_t>(p)));
    popularity[p] = std::exp(1.2 * rng.Normal());
  }
  // Playlists by majority cluster, each with an alias table over their popularity.
  std::vector<std::vector<int64_t>> by_cluster(static_cast<size_t>(c.clusters));
  for (size_t p = 0; p < n; ++p) by_cluster[static_cast<size_t>(playlists[p].cluster)].push_back(static_cast<int64_t>(p));
  std::vector<AliasTable> cluster_table(by_cluster.size());
  std::vector<double> weights;
  for (size_t k = 0; k < by_cluster.size(); ++k) {
    if (by_cluster[k].empty()) continue;
    weights.clear();
    for (const int64_t p : by_cluster[k]) weights.push_back(popularity[static_cast<size_t>(p)]);
    cluster_table[k] = AliasTable(weights);
  }
  const AliasTable all = n > 0 ? AliasTable(popularity) : AliasTable();

  PlaylistFollowCounts counts;
  AtomicFile out(path);
  out.Write("# user_id\tplaylist_id\ttimestamp\n");
  std::vector<std::pair<int64_t, int64_t>> follows;  // (timestamp, playlist)
  std::string line;
  const auto span = static_cast<uint64_t>(cfg.time_end() - cfg.time_start);
  for (int64_t id = 0; id < cfg.users && n > 0; ++id) {
    Rng rng(HashCombine(cfg.seed, kFollows, static_cast<uint64_t>(id)));
    if (rng.UniformDouble() >= kFollowingUsers) continue;
    const UserProfile u = MakeUser(c, id);
    const int want = 1 + static_cast<int>(rng.Uniform(kMaxFollows));
    follows.clear();
    for (int f = 0; f < want; ++f) {
      for (int draw = 0; draw < kDraws; ++draw) {
        int64_t p;
        const auto k = static_cast<size_t>(DrawUserCluster(u, rng));
        if (rng.UniformDouble() < kTasteShare && !by_cluster[k].empty())
          p = by_cluster[k][static_cast<size_t>(cluster_table[k].Draw(rng))];
        else
          p = all.Draw(rng);
        const bool taken = std::any_of(follows.begin(), follows.end(), [&](const auto& x) { return x.second == p; });
        if (playlists[static_cast<size_t>(p)].creator == id || taken) continue;
        follows.emplace_back(cfg.time_start + static_cast<int64_t>(rng.Uniform(span)), p);
        break;
      }
    }
    std::sort(follows.begin(), follows.end());
    counts.users += follows.empty() ? 0 : 1;
    for (const auto& [ts, p] : follows) {
      const SyntheticPlaylist& pl = playlists[static_cast<size_t>(p)];
      line.assign("u");
      AppendInt(line, id);
      line.append("\tpl");
      AppendInt(line, pl.creator);
      line.append("_");
      AppendInt(line, pl.index);
      line.append("\t");
      AppendInt(line, ts);
      line.append("\n");
      out.Write(line);
      ++counts.follows;
      counts.in_user_clusters += u.Weight(pl.cluster) > 0 ? 1 : 0;
    }
  }
  out.Commit();
  return counts;
}

}  // namespace melograph::synthetic
