// Graphs shared by the random-walk tests.
#pragma once

#include <string>
#include <vector>

#include "common/hash.h"
#include "graph/graph_builder.h"

namespace melograph::testing {

// A small music world: `users` users each listening to 4 songs (weights 1..9), every song by one
// artist (every 5th by two), a friend ring over the users, and user "zz_quiet" with friends only
// (a dead end for `listened`). Deterministic for the seed.
inline Graph MusicWorld(int users, int songs, int artists, uint64_t seed) {
  std::vector<KeyEdge> edges;
  Rng rng(seed);
  const auto song = [](int s) { return "song:" + std::to_string(s); };
  for (int u = 0; u < users; ++u) {
    const std::string user = "user:" + std::to_string(u);
    for (int i = 0; i < 4; ++i)
      edges.push_back({user, "listened", song(static_cast<int>(rng.Uniform(songs))),
                       static_cast<float>(1 + rng.Uniform(9))});
    edges.push_back({user, "friend", "user:" + std::to_string((u + 1) % users), 1.0f});
  }
  for (int s = 0; s < songs; ++s) {
    edges.push_back({song(s), "by_artist", "artist:" + std::to_string(s % artists), 1.0f});
    if (s % 5 == 0)
      edges.push_back({song(s), "by_artist", "artist:" + std::to_string((s / 5) % artists), 2.0f});
  }
  edges.push_back({"user:zz_quiet", "friend", "user:0", 1.0f});
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph(edges, opt);
}

}  // namespace melograph::testing
