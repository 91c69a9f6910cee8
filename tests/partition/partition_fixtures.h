// Tiny drawable graphs shared by the partition tests.
#pragma once

#include <vector>

#include "common/hash.h"
#include "graph/graph_builder.h"

namespace melograph::testing {

// Two communities joined by one friendship (the bridge b -- c):
//
//   artist:x <-listened- user:a        user:c -listened-> artist:y
//       ^                  |   bridge    |                  ^
//       +----listened- user:b ---------- +        user:d -listened-+
//                        (a -- b friend)          (c -- d friend)
//
// Node ids (types by name, then id bytes): x=0 y=1 a=2 b=3 c=4 d=5.
// Undirected projection: a-x b-x a-b | c-y d-y c-d | b-c  -> 7 edges.
// Training seeds (listened): a, b, c, d.
inline Graph TwoCommunities() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph({{"user:a", "listened", "artist:x", 3.0f},
                    {"user:b", "listened", "artist:x", 2.0f},
                    {"user:c", "listened", "artist:y", 4.0f},
                    {"user:d", "listened", "artist:y", 5.0f},
                    {"user:a", "friend", "user:b", 1.0f},
                    {"user:c", "friend", "user:d", 1.0f},
                    {"user:b", "friend", "user:c", 1.0f}},
                   opt);
}

// Planted partition: `blocks` communities of users and artists; each user listens to 6 artists,
// 5 of its own community and 1 random, plus one friend in its community. Deterministic.
inline Graph PlantedCommunities(int blocks, int users_per_block, int artists_per_block, uint64_t seed) {
  std::vector<KeyEdge> edges;
  Rng rng(seed);
  for (int b = 0; b < blocks; ++b) {
    for (int u = 0; u < users_per_block; ++u) {
      const std::string user = "user:" + std::to_string(b) + "_" + std::to_string(u);
      for (int i = 0; i < 6; ++i) {
        const int block = i < 5 ? b : static_cast<int>(rng.Uniform(blocks));
        const int a = static_cast<int>(rng.Uniform(artists_per_block));
        edges.push_back({user, "listened", "artist:" + std::to_string(block) + "_" + std::to_string(a), 1.0f});
      }
      const int f = static_cast<int>(rng.Uniform(users_per_block));
      if (f != u) edges.push_back({user, "friend", "user:" + std::to_string(b) + "_" + std::to_string(f), 1.0f});
    }
  }
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph(edges, opt);
}

}  // namespace melograph::testing
