// Playlist recall (docs/PLAYLISTS.md): rank the playlists of a graph for a user, from an
// embedding run or from two baselines. The items are the nodes of the playlist type (type-local
// ids); the training interactions are the user -follows_playlist-> playlist edges (build-kg
// writes them from catalog/playlist_follows.tsv), which the evaluator excludes as usual.
//
// Scorers (recall/scorer.h):
//  * PlaylistEmbeddingScorer: score(u, p) = <user vector, playlist vector>, with the playlist
//    vector either the run's own (learned) row, or built by PlaylistVectorsFromSongs:
//      v_p = (1 - b) * mean_{s in songs(p)} v_s + b * mean_{c in creators(p)} v_c
//    (b = creator_weight; only the songs' mean when p has no creator row, only the creators'
//    when it has no song, the zero vector when it has neither).
//  * PlaylistPopularChannel ("playlist-popular"): the number of training followers of p.
//  * PlaylistOverlapChannel ("playlist-overlap"): sum over the songs s of p that u listened to
//    in training of w(u, s) (the `listened` edge weight), divided by sqrt(|songs(p)|); kNoScore
//    when p shares no song with u's plays.
// Every scorer gives kNoScore to the user's own playlists (`created`): nobody is recommended
// the playlist they made.
//
// Contract: PlaylistGraph and the scorers only read the graph and the matrices; ScoreUsers /
// ScoreUser / Explain are const and may run concurrently (Scorer contract). Memory O(edges of
// contains + created + listened) for the channels, O(playlists * dim) for the vectors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recall/embedding_scorer.h"
#include "recall/interactions.h"
#include "recall/run_format.h"
#include "recall/scorer.h"

namespace melograph {

// The playlist side of a graph: songs per playlist (and playlists per song) from `contains`,
// creators per playlist (and playlists per user) from `created`.
struct PlaylistGraph {
  Interactions contains;  // playlist x song
  Interactions created;   // user x playlist
  int32_t num_playlists() const { return contains.num_users(); }
  // UsageError when the graph lacks one of the three node types.
  static PlaylistGraph FromGraph(const Graph& graph, const std::string& user_type = "user",
                                 const std::string& song_type = "song",
                                 const std::string& playlist_type = "playlist");
};

// Row p = the playlist vector above (node_type "playlist", first_node = the playlist type's
// begin). `songs` and `users` are LoadEmbeddings matrices of the song and user types.
EmbeddingMatrix PlaylistVectorsFromSongs(const PlaylistGraph& playlists, const EmbeddingMatrix& songs,
                                         const EmbeddingMatrix& users, float creator_weight);

class PlaylistEmbeddingScorer : public Scorer {
 public:
  PlaylistEmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix playlist_vectors, const PlaylistGraph* playlists,
                          std::string name);
  std::string name() const override { return inner_.name(); }
  int32_t num_items() const override { return inner_.num_items(); }
  int preferred_batch() const override { return inner_.preferred_batch(); }
  void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const override;

 private:
  EmbeddingScorer inner_;
  const PlaylistGraph* playlists_;
};

class PlaylistPopularChannel : public Channel {
 public:
  PlaylistPopularChannel(ChannelContext context, const PlaylistGraph* playlists)
      : Channel(context), playlists_(playlists) {}
  std::string name() const override { return "playlist-popular"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;

 private:
  const PlaylistGraph* playlists_;
};

class PlaylistOverlapChannel : public Channel {
 public:
  // `listened`: the user x song training matrix (same user type as context.train).
  PlaylistOverlapChannel(ChannelContext context, const PlaylistGraph* playlists, const Interactions* listened)
      : Channel(context), playlists_(playlists), listened_(listened) {}
  std::string name() const override { return "playlist-overlap"; }
  void ScoreUser(int32_t user, std::span<float> row) const override;
  Reason Explain(int32_t user, int32_t item) const override;

 private:
  const PlaylistGraph* playlists_;
  const Interactions* listened_;
};

// "playlist-popular" or "playlist-overlap" (UsageError otherwise). `listened` is needed by the
// overlap channel only.
const std::vector<std::string>& PlaylistChannelNames();
std::unique_ptr<Channel> MakePlaylistChannel(const std::string& name, ChannelContext context,
                                             const PlaylistGraph* playlists, const Interactions* listened);

// True when one of `relations` (relation names; "*" means every relation) has an edge type with
// `node_type` at one end in `graph`: training over such relations moves that type's rows, so
// they are learned rather than left at their initial values.
bool RelationsTouchType(const Graph& graph, const std::vector<std::string>& relations, const std::string& node_type);

}  // namespace melograph
