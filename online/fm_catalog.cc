#include "online/fm_catalog.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"
#include "recall/run_format.h"

namespace melograph {

FmCatalog::FmCatalog(int dim, std::vector<float> vectors, std::vector<std::vector<int32_t>> song_artists,
                     int32_t artists, std::vector<float> popularity, std::vector<std::string> song_ids)
    : dim_(dim), vectors_(std::move(vectors)), song_ids_(std::move(song_ids)) {
  if (dim <= 0) throw UsageError("FmCatalog: dimension must be positive");
  if (vectors_.size() % static_cast<size_t>(dim) != 0)
    throw UsageError("FmCatalog: vector array is not songs x dim");
  songs_ = static_cast<int32_t>(vectors_.size() / static_cast<size_t>(dim));
  if (song_artists.size() != static_cast<size_t>(songs_) || song_ids_.size() != static_cast<size_t>(songs_) ||
      (!popularity.empty() && popularity.size() != static_cast<size_t>(songs_)))
    throw UsageError("FmCatalog: per-song arrays disagree with the number of vectors");
  norms_.resize(static_cast<size_t>(songs_));
  for (int32_t s = 0; s < songs_; ++s) {
    double n = 0;
    for (int j = 0; j < dim_; ++j) n += static_cast<double>(vector(s)[j]) * vector(s)[j];
    norms_[static_cast<size_t>(s)] = static_cast<float>(std::sqrt(n));
  }
  // song -> artists and artist -> songs as CSR.
  artist_ptr_.assign(1, 0);
  std::vector<int64_t> per_artist(static_cast<size_t>(artists) + 1, 0);
  for (const auto& list : song_artists) {
    for (int32_t a : list) {
      if (a < 0 || a >= artists) throw UsageError("FmCatalog: artist index out of range");
      artist_idx_.push_back(a);
      ++per_artist[static_cast<size_t>(a) + 1];
    }
    artist_ptr_.push_back(static_cast<int64_t>(artist_idx_.size()));
  }
  std::partial_sum(per_artist.begin(), per_artist.end(), per_artist.begin());
  song_ptr_ = per_artist;
  song_idx_.resize(artist_idx_.size());
  std::vector<int64_t> fill(per_artist.begin(), per_artist.end() - 1);
  for (int32_t s = 0; s < songs_; ++s)
    for (int32_t a : artists_of(s)) song_idx_[static_cast<size_t>(fill[static_cast<size_t>(a)]++)] = s;
  by_popularity_.resize(static_cast<size_t>(songs_));
  std::iota(by_popularity_.begin(), by_popularity_.end(), 0);
  if (!popularity.empty()) {
    std::stable_sort(by_popularity_.begin(), by_popularity_.end(), [&](int32_t a, int32_t b) {
      return popularity[static_cast<size_t>(a)] > popularity[static_cast<size_t>(b)];
    });
  }
  sorted_ids_.reserve(static_cast<size_t>(songs_));
  for (int32_t s = 0; s < songs_; ++s) sorted_ids_.emplace_back(song_ids_[static_cast<size_t>(s)], s);
  std::sort(sorted_ids_.begin(), sorted_ids_.end());
}

std::span<const int32_t> FmCatalog::artists_of(int32_t song) const {
  const auto b = static_cast<size_t>(artist_ptr_[static_cast<size_t>(song)]);
  const auto e = static_cast<size_t>(artist_ptr_[static_cast<size_t>(song) + 1]);
  return {artist_idx_.data() + b, e - b};
}

std::span<const int32_t> FmCatalog::songs_of(int32_t artist) const {
  const auto b = static_cast<size_t>(song_ptr_[static_cast<size_t>(artist)]);
  const auto e = static_cast<size_t>(song_ptr_[static_cast<size_t>(artist) + 1]);
  return {song_idx_.data() + b, e - b};
}

std::optional<int32_t> FmCatalog::FindSong(std::string_view id) const {
  if (id.starts_with("song:")) id.remove_prefix(5);
  const auto it = std::lower_bound(sorted_ids_.begin(), sorted_ids_.end(), id,
                                   [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it == sorted_ids_.end() || it->first != id) return std::nullopt;
  return it->second;
}

std::optional<int32_t> FmModel::FindUser(std::string_view id) const {
  std::string key(id.starts_with("user:") ? "" : "user:");
  key.append(id);
  const auto node = graph->Find(key);
  if (!node || *node < users.first_node ||
      *node >= users.first_node + static_cast<NodeId>(users.warm.size()))
    return std::nullopt;
  return static_cast<int32_t>(*node - users.first_node);
}

namespace {

// Number of `relation` edges of node v (all relations of that name).
int64_t CountEdges(const Graph& graph, NodeId v, const std::vector<RelationId>& relations) {
  int64_t n = 0;
  for (RelationId r : relations) {
    const auto [first, last] = graph.RelationRange(v, r);
    n += last - first;
  }
  return n;
}

}  // namespace

FmModel LoadFmModel(const Graph& graph, const std::string& graph_dir, const std::string& run_dir,
                    const std::string& artist_relation) {
  const auto song_type = graph.FindType("song");
  const auto user_type = graph.FindType("user");
  if (!song_type || !user_type) throw UsageError("fm: the graph needs node types 'song' and 'user'");
  const RunReader run(run_dir);
  run.CheckGraph(graph, graph_dir);
  EmbeddingMatrix songs = LoadEmbeddings(run_dir, graph, "song");
  EmbeddingMatrix users = LoadEmbeddings(run_dir, graph, "user");

  const NodeType& st = graph.node_types()[*song_type];
  std::vector<RelationId> by_artist;
  TypeId artist_type = 0;
  for (RelationId r : graph.FindRelations(artist_relation)) {
    if (graph.relations()[r].head_type != *song_type) continue;
    by_artist.push_back(r);
    artist_type = graph.relations()[r].tail_type;
  }
  if (by_artist.empty())
    throw UsageError("fm: the graph has no song -> artist relation '" + artist_relation + "'");
  const NodeType& at = graph.node_types()[artist_type];
  const std::vector<RelationId> rev_listened = graph.FindRelations("rev_listened");
  std::vector<std::vector<int32_t>> song_artists(static_cast<size_t>(st.count));
  std::vector<float> popularity(static_cast<size_t>(st.count));
  std::vector<std::string> ids(static_cast<size_t>(st.count));
  for (NodeId i = 0; i < st.count; ++i) {
    const NodeId v = st.begin + i;
    for (RelationId r : by_artist) {
      const auto [first, last] = graph.RelationRange(v, r);
      for (EdgeIdx e = first; e < last; ++e)
        song_artists[static_cast<size_t>(i)].push_back(graph.col_idx()[static_cast<size_t>(e)] - at.begin);
    }
    popularity[static_cast<size_t>(i)] = static_cast<float>(CountEdges(graph, v, rev_listened));
    ids[static_cast<size_t>(i)] = std::string(graph.KeyId(v));
  }
  FmUsers fm_users;
  fm_users.dim = users.dim;
  fm_users.first_node = users.first_node;
  fm_users.vectors = std::move(users.values);
  const NodeType& ut = graph.node_types()[*user_type];
  const std::vector<RelationId> listened = graph.FindRelations("listened");
  fm_users.warm.resize(static_cast<size_t>(ut.count));
  fm_users.familiar_ptr.assign(1, 0);
  for (NodeId i = 0; i < ut.count; ++i) {
    const size_t start = fm_users.familiar_songs.size();
    for (RelationId r : listened) {
      const auto [first, last] = graph.RelationRange(ut.begin + i, r);
      for (EdgeIdx e = first; e < last; ++e) {
        const NodeId song = graph.col_idx()[static_cast<size_t>(e)];
        if (song >= st.begin && song < st.begin + st.count)
          fm_users.familiar_songs.push_back(static_cast<int32_t>(song - st.begin));
      }
    }
    const auto begin = fm_users.familiar_songs.begin() + static_cast<std::ptrdiff_t>(start);
    std::sort(begin, fm_users.familiar_songs.end());
    fm_users.familiar_songs.erase(std::unique(begin, fm_users.familiar_songs.end()), fm_users.familiar_songs.end());
    fm_users.warm[static_cast<size_t>(i)] = CountEdges(graph, ut.begin + i, listened) > 0;
    fm_users.familiar_ptr.push_back(static_cast<int64_t>(fm_users.familiar_songs.size()));
  }
  return FmModel{FmCatalog(songs.dim, std::move(songs.values), std::move(song_artists), at.count,
                           std::move(popularity), std::move(ids)),
                 std::move(fm_users), &graph};
}

}  // namespace melograph
