// Small graphs shared by the sampler tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/hash.h"
#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "partition/partition_pipeline.h"
#include "sampler/dist_graph.h"

namespace melograph::testing {

// The tiny drawable graph:
//
//   user:a --listened 1--> song:s1 --by_artist--> artist:x
//   user:a --listened 3--> song:s2 --by_artist--> artist:x
//   user:b --listened 2--> song:s2
//   user:b --rejected -1-> song:s3 --by_artist--> artist:y
//
// Ids (types by name, then id): artist:x=0 artist:y=1 song:s1=2 song:s2=3 song:s3=4 user:a=5 user:b=6.
// Relations: by_artist=0 rev_by_artist=1 listened=2 rev_listened=3 rejected=4 rev_rejected=5.
inline std::shared_ptr<const Graph> TinyMusicGraph() {
  return std::make_shared<const Graph>(MakeGraph({{"user:a", "listened", "song:s1", 1.0f},
                                                  {"user:a", "listened", "song:s2", 3.0f},
                                                  {"user:b", "listened", "song:s2", 2.0f},
                                                  {"user:b", "rejected", "song:s3", -1.0f},
                                                  {"song:s1", "by_artist", "artist:x", 1.0f},
                                                  {"song:s2", "by_artist", "artist:x", 1.0f},
                                                  {"song:s3", "by_artist", "artist:y", 1.0f}}));
}

// A deterministic music world: `users` users in 4 taste groups, songs by artists in albums;
// each user listens to ~8 songs (mostly of its group, weights 1..5), rejects ~2, follows one
// friend. Relations: by_artist, in_album, listened, rejected, friend (symmetric) and reverses.
// `cold_songs` more songs ("song:cold0", ...) have an artist and an album but no listener.
inline std::shared_ptr<const Graph> SmallMusicWorld(int users, uint64_t seed, int cold_songs = 0) {
  std::vector<KeyEdge> edges;
  Rng rng(seed);
  const int songs = users, groups = 4;
  for (int s = 0; s < songs; ++s) {
    const std::string song = "song:" + std::to_string(s);
    const int group = s % groups;
    edges.push_back({song, "by_artist", "artist:" + std::to_string(group) + "_" + std::to_string((s / groups) % 5), 1.0f});
    edges.push_back({song, "in_album", "album:" + std::to_string(s / 3), 1.0f});
  }
  for (int u = 0; u < users; ++u) {
    const std::string user = "user:" + std::to_string(u);
    const int group = u % groups;
    for (int i = 0; i < 8; ++i) {
      int s = static_cast<int>(rng.Uniform(songs / groups)) * groups + (i < 6 ? group : static_cast<int>(rng.Uniform(groups)));
      if (s >= songs) s = group;
      edges.push_back({user, "listened", "song:" + std::to_string(s), static_cast<float>(1 + rng.Uniform(5))});
    }
    for (int i = 0; i < 2; ++i)
      edges.push_back({user, "rejected", "song:" + std::to_string(rng.Uniform(songs)), -1.0f});
    const int f = static_cast<int>(rng.Uniform(users));
    if (f != u) edges.push_back({user, "friend", "user:" + std::to_string(f), 1.0f});
  }
  for (int c = 0; c < cold_songs; ++c) {
    const std::string song = "song:cold" + std::to_string(c);
    edges.push_back({song, "by_artist", "artist:" + std::to_string(c % groups) + "_0", 1.0f});
    edges.push_back({song, "in_album", "album:cold", 1.0f});
  }
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return std::make_shared<const Graph>(MakeGraph(edges, opt));
}

// Saves SmallMusicWorld(users, seed) to `graph_dir` and writes its hash and METIS partitions into
// `parts` parts at `partition_dir_of("hash")` / `partition_dir_of("metis")` (CLI tests).
template <typename DirOf>
void SaveWorldWithPartitions(int users, uint64_t seed, int parts, const std::string& graph_dir, DirOf partition_dir_of) {
  const auto graph = SmallMusicWorld(users, seed);
  SaveGraph(*graph, graph_dir);
  for (const char* method : {"hash", "metis"}) {
    PartitionOptions o;
    o.num_parts = parts;
    o.method = ParsePartitionMethod(method);
    o.sample_roots = 50;
    PartitionGraph(*graph, o, partition_dir_of(method));
  }
}

}  // namespace melograph::testing
