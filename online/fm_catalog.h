// FmCatalog: what the private FM needs about the songs, read once and shared read-only by every
// session: the trained song embeddings (rows = songs in graph order), each song's artists and
// each artist's songs (from the graph's song -> artist relation, `by_artist` by default), each
// song's popularity (its number of `listened` edges: the cold-start order) and the node keys.
//
// Contract: built either from a graph + run (LoadFmCatalog: FormatError when the run was not
// trained on the graph, UsageError when the graph lacks the song type or the artist relation)
// or from plain arrays (tests, benchmarks; UsageError on inconsistent sizes). Immutable after
// construction, so safe to share between threads. Memory: songs * dim * 4 bytes plus the lists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace melograph {

class FmCatalog {
 public:
  // vectors: songs x dim row-major. song_artists[i]: artist indices (< artists) of song i.
  // popularity: per song (any scale; higher first), or empty (all equal).
  FmCatalog(int dim, std::vector<float> vectors, std::vector<std::vector<int32_t>> song_artists,
            int32_t artists, std::vector<float> popularity, std::vector<std::string> song_ids);

  int dim() const { return dim_; }
  int32_t songs() const { return songs_; }
  const float* vector(int32_t song) const { return vectors_.data() + static_cast<size_t>(song) * dim_; }
  const std::vector<float>& vectors() const { return vectors_; }
  float norm(int32_t song) const { return norms_[static_cast<size_t>(song)]; }
  std::span<const int32_t> artists_of(int32_t song) const;
  std::span<const int32_t> songs_of(int32_t artist) const;
  // Songs by popularity descending, ties by index.
  const std::vector<int32_t>& by_popularity() const { return by_popularity_; }
  // The song's id as written in events / sessions ("s40"); FindSong accepts "s40" or "song:s40".
  const std::string& song_id(int32_t song) const { return song_ids_[static_cast<size_t>(song)]; }
  std::optional<int32_t> FindSong(std::string_view id) const;

 private:
  int dim_;
  int32_t songs_;
  std::vector<float> vectors_;
  std::vector<float> norms_;
  std::vector<int64_t> artist_ptr_, song_ptr_;
  std::vector<int32_t> artist_idx_, song_idx_;
  std::vector<int32_t> by_popularity_;
  std::vector<std::string> song_ids_;
  std::vector<std::pair<std::string_view, int32_t>> sorted_ids_;  // for FindSong
};

// Users of a run: long-term vectors (the trained user rows), whether each user is warm
// (has at least one `listened` edge in the graph; cold users get no long-term vector), and the
// songs each user played before (the tails of those edges, ascending; replay's familiar split).
struct FmUsers {
  int dim = 0;
  NodeId first_node = 0;
  std::vector<float> vectors;  // users x dim
  std::vector<uint8_t> warm;
  std::vector<int64_t> familiar_ptr;    // users + 1, or empty (no familiar lists)
  std::vector<int32_t> familiar_songs;  // song indices, ascending within a user
  std::span<const int32_t> familiar(int32_t user) const {
    if (familiar_ptr.empty()) return {};
    const auto b = static_cast<size_t>(familiar_ptr[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(familiar_ptr[static_cast<size_t>(user) + 1]);
    return {familiar_songs.data() + b, e - b};
  }
  std::span<const float> vector(int32_t user) const {
    return {vectors.data() + static_cast<size_t>(user) * dim, static_cast<size_t>(dim)};
  }
};

struct FmModel {
  FmCatalog catalog;
  FmUsers users;
  const Graph* graph = nullptr;
  // User index for "u12" or "user:u12"; nullopt when the graph has no such user.
  std::optional<int32_t> FindUser(std::string_view id) const;
};

FmModel LoadFmModel(const Graph& graph, const std::string& graph_dir, const std::string& run_dir,
                    const std::string& artist_relation = "by_artist");

}  // namespace melograph
