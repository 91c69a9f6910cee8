// Playlist recall from the command line (recall/playlist_recall.h, docs/PLAYLISTS.md):
//   melograph eval --target playlist --graph G --test KG/test_playlists.tsv [--run RUN] --k 20
//   melograph recall --playlists --graph G --user u12 [--embeddings RUN | --channel NAME] --k 10
// cmd_eval.cc and cmd_recall.cc hand over to these functions when their playlist flag is set.
#pragma once

#include <string>
#include <vector>

namespace melograph::cli {

struct PlaylistArgs {
  std::string graph_dir;
  std::string run_dir;             // empty: baselines only (eval) / a channel (recall)
  std::string vectors = "auto";    // auto | learned | songs
  float creator_weight = 0.1f;
  std::string user_type = "user";
  std::string relation = "follows_playlist";
  int threads = 1;
};

// The arguments as eval and recall both take them: the shared channel flags (user type,
// threads, and the relation when --relation was given) plus the playlist-specific ones.
template <typename Flags>
PlaylistArgs MakePlaylistArgs(const std::string& graph_dir, const std::string& run_dir, const std::string& vectors,
                              float creator_weight, const Flags& flags, bool relation_given) {
  PlaylistArgs args;
  args.graph_dir = graph_dir;
  args.run_dir = run_dir;
  args.vectors = vectors;
  args.creator_weight = creator_weight;
  args.user_type = flags.user_type;
  if (relation_given) args.relation = flags.relation;
  args.threads = flags.threads;
  return args;
}

// Evaluates the run's playlist scorer (when a run is given) and both baselines on `test_path`,
// printing one block per scorer and a summary table (or one JSON object).
void EvalPlaylists(const PlaylistArgs& args, const std::string& test_path, const std::vector<int>& ks,
                   int cold_threshold, bool json, const std::string& out_path);

// One user's playlists: from the run when args.run_dir is set, else from `channel`.
void RecallPlaylists(const PlaylistArgs& args, const std::string& user, const std::string& channel, int k);

}  // namespace melograph::cli
