// Playlist recall: see playlist_recall.h.
#include "recall/playlist_recall.h"

#include <cmath>

#include "common/error.h"

namespace melograph {
namespace {

void MaskOwn(const PlaylistGraph& g, int32_t user, std::span<float> row) {
  if (user < 0 || user >= g.created.num_users()) return;
  for (const int32_t p : g.created.items_of(user)) row[static_cast<size_t>(p)] = kNoScore;
}

}  // namespace

PlaylistGraph PlaylistGraph::FromGraph(const Graph& graph, const std::string& user_type, const std::string& song_type,
                                       const std::string& playlist_type) {
  PlaylistGraph g;
  g.contains = Interactions::FromGraph(graph, playlist_type, song_type, "contains");
  g.created = Interactions::FromGraph(graph, user_type, playlist_type, "created");
  return g;
}

EmbeddingMatrix PlaylistVectorsFromSongs(const PlaylistGraph& g, const EmbeddingMatrix& songs,
                                         const EmbeddingMatrix& users, float creator_weight) {
  if (songs.dim != users.dim) throw UsageError("song and user vectors differ in dimension");
  if (songs.rows != g.contains.num_items() || users.rows != g.created.num_users())
    throw UsageError("song / user vectors do not match the graph's song / user counts");
  EmbeddingMatrix out;
  out.node_type = "playlist";
  out.first_node = g.contains.user_begin();
  out.rows = g.num_playlists();
  out.dim = songs.dim;
  out.values.assign(static_cast<size_t>(out.rows) * static_cast<size_t>(out.dim), 0.0f);
  const auto dim = static_cast<size_t>(out.dim);
  std::vector<double> song_mean(dim), creator_mean(dim);
  for (int32_t p = 0; p < g.num_playlists(); ++p) {
    const auto members = g.contains.items_of(p);
    const auto creators = g.created.users_of(p);
    std::fill(song_mean.begin(), song_mean.end(), 0.0);
    std::fill(creator_mean.begin(), creator_mean.end(), 0.0);
    for (const int32_t s : members)
      for (size_t k = 0; k < dim; ++k) song_mean[k] += songs.row(s)[k];
    for (const int32_t c : creators)
      for (size_t k = 0; k < dim; ++k) creator_mean[k] += users.row(c)[k];
    double a = 0, b = 0;  // weights of the two sums
    if (!members.empty() && !creators.empty()) {
      a = (1.0 - creator_weight) / static_cast<double>(members.size());
      b = creator_weight / static_cast<double>(creators.size());
    } else if (!members.empty()) {
      a = 1.0 / static_cast<double>(members.size());
    } else if (!creators.empty()) {
      b = 1.0 / static_cast<double>(creators.size());
    }
    float* row = out.values.data() + static_cast<size_t>(p) * dim;
    for (size_t k = 0; k < dim; ++k) row[k] = static_cast<float>(a * song_mean[k] + b * creator_mean[k]);
  }
  return out;
}

PlaylistEmbeddingScorer::PlaylistEmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix playlist_vectors,
                                                 const PlaylistGraph* playlists, std::string name)
    : inner_(std::move(users), std::move(playlist_vectors), std::move(name)), playlists_(playlists) {}

void PlaylistEmbeddingScorer::ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const {
  inner_.ScoreUsers(users, scores);
  const auto n = static_cast<size_t>(num_items());
  for (size_t b = 0; b < users.size(); ++b) MaskOwn(*playlists_, users[b], scores.subspan(b * n, n));
}

void PlaylistPopularChannel::ScoreUser(int32_t user, std::span<float> row) const {
  for (int32_t p = 0; p < num_items(); ++p) row[static_cast<size_t>(p)] = static_cast<float>(train().item_degree(p));
  MaskOwn(*playlists_, user, row);
}

Reason PlaylistPopularChannel::Explain(int32_t, int32_t item) const {
  return {name(), ItemKey(item) + " <-" + train().relation() + "- " + std::to_string(train().item_degree(item)) +
                      " users"};
}

void PlaylistOverlapChannel::ScoreUser(int32_t user, std::span<float> row) const {
  std::fill(row.begin(), row.end(), kNoScore);
  const auto songs = listened_->items_of(user);
  const auto weights = listened_->item_weights_of(user);
  for (size_t i = 0; i < songs.size(); ++i)
    for (const int32_t p : playlists_->contains.users_of(songs[i])) {
      float& r = row[static_cast<size_t>(p)];
      r = (r == kNoScore ? 0.0f : r) + weights[i];
    }
  for (int32_t p = 0; p < num_items(); ++p) {
    float& r = row[static_cast<size_t>(p)];
    if (r != kNoScore) r /= std::sqrt(static_cast<float>(playlists_->contains.user_degree(p)));
  }
  MaskOwn(*playlists_, user, row);
}

Reason PlaylistOverlapChannel::Explain(int32_t user, int32_t item) const {
  // The heaviest shared song (lowest id on ties) and how many others the playlist shares.
  const auto members = playlists_->contains.items_of(item);
  const auto songs = listened_->items_of(user);
  const auto weights = listened_->item_weights_of(user);
  int32_t best = -1, shared = 0;
  float best_w = 0;
  for (size_t i = 0, j = 0; i < songs.size() && j < members.size();) {  // both sorted
    if (songs[i] < members[j]) {
      ++i;
    } else if (members[j] < songs[i]) {
      ++j;
    } else {
      ++shared;
      if (best < 0 || weights[i] > best_w) best = songs[i], best_w = weights[i];
      ++i, ++j;
    }
  }
  if (best < 0) return {name(), ""};
  const Graph& g = graph();
  std::string path = UserKey(user) + " -" + listened_->relation() + "-> " +
                     g.Key(playlists_->contains.item_begin() + best) + " -rev_contains-> " + ItemKey(item);
  if (shared > 1) path += " (+" + std::to_string(shared - 1) + " more songs)";
  return {name(), path};
}

const std::vector<std::string>& PlaylistChannelNames() {
  static const std::vector<std::string> names = {"playlist-popular", "playlist-overlap"};
  return names;
}

std::unique_ptr<Channel> MakePlaylistChannel(const std::string& name, ChannelContext context,
                                             const PlaylistGraph* playlists, const Interactions* listened) {
  if (name == "playlist-popular") return std::make_unique<PlaylistPopularChannel>(context, playlists);
  if (name == "playlist-overlap") return std::make_unique<PlaylistOverlapChannel>(context, playlists, listened);
  throw UsageError("unknown playlist channel '" + name + "' (expected playlist-popular or playlist-overlap)");
}

bool RelationsTouchType(const Graph& graph, const std::vector<std::string>& relations, const std::string& node_type) {
  const auto type = graph.FindType(node_type);
  if (!type) return false;
  for (const Relation& r : graph.relations()) {
    if (r.head_type != *type && r.tail_type != *type) continue;
    for (const std::string& name : relations)
      if (name == "*" || name == r.name) return true;
  }
  return false;
}

}  // namespace melograph
