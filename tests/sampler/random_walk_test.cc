#include "sampler/random_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>

#include "common/error.h"
#include "graph/graph_builder.h"
#include "tests/sampler/walk_fixtures.h"

namespace melograph {
namespace {

//   user:a -listened-> song:x -by_artist-> artist:p
//     | friend
//   user:b -listened-> song:y -by_artist-> artist:q
//     | friend
//   user:c            (no listens: a dead end for `listened`)
// ids: p=0 q=1 | x=2 y=3 | a=4 b=5 c=6. Every schema hop has exactly one candidate: walks are forced.
Graph Forced() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph({{"user:a", "listened", "song:x"},
                    {"user:b", "listened", "song:y"},
                    {"song:x", "by_artist", "artist:p"},
                    {"song:y", "by_artist", "artist:q"},
                    {"user:a", "friend", "user:b"},
                    {"user:b", "friend", "user:c"}},
                   opt);
}

constexpr const char* kUsaSu = "user -listened-> song -by_artist-> artist -rev_by_artist-> song -rev_listened-> user";

std::vector<NodeId> Path(const Walks& w, int64_t i) {
  const auto s = w.walk(i);
  return {s.begin(), s.end()};
}

TEST(RandomWalk, forced_walks_follow_the_cyclic_schema_exactly) {
  const Graph g = Forced();
  const Metapath m = ParseMetapath(kUsaSu, g);
  WalkOptions o;
  o.walk_length = 8;
  o.walks_per_node = 2;
  const std::vector<NodeId> starts = {4, 5, 6};
  const Walks w = RandomWalksReference(g, m, starts, o);
  ASSERT_EQ(w.num_walks(), 6);
  EXPECT_EQ(w.start, (std::vector<NodeId>{4, 4, 5, 5, 6, 6}));
  EXPECT_EQ(w.repetition, (std::vector<int32_t>{0, 1, 0, 1, 0, 1}));
  for (int j = 0; j < 2; ++j) {
    EXPECT_EQ(Path(w, j), (std::vector<NodeId>{4, 2, 0, 2, 4, 2, 0, 2, 4}));  // a x p x a x p x a
    EXPECT_EQ(Path(w, 2 + j), (std::vector<NodeId>{5, 3, 1, 3, 5, 3, 1, 3, 5}));
    EXPECT_EQ(Path(w, 4 + j), (std::vector<NodeId>{6}));  // dead end at the first hop: friends are not followed
  }
  EXPECT_EQ(w.hops(), 4 * 8);
}

TEST(RandomWalk, acyclic_schema_caps_the_length_and_restarts_at_its_end) {
  const Graph g = Forced();
  const Metapath m = ParseMetapath("user -listened-> song -by_artist-> artist", g);
  WalkOptions o;
  o.walk_length = 2;
  EXPECT_EQ(Path(RandomWalksReference(g, m, std::vector<NodeId>{4}, o), 0), (std::vector<NodeId>{4, 2, 0}));
  o.walk_length = 3;
  EXPECT_THROW(RandomWalksReference(g, m, std::vector<NodeId>{4}, o), UsageError);
  // With restart the walker jumps back to a (4) at the schema's end, and sometimes earlier.
  o.walk_length = 60;
  o.restart = 0.3;
  const Walks w = RandomWalksReference(g, m, std::vector<NodeId>{4}, o);
  const auto p = w.walk(0);
  ASSERT_EQ(p.size(), 61u);
  int early_restarts = 0;
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    const NodeId a = p[i], b = p[i + 1];
    if (a == 0) {
      EXPECT_EQ(b, 4) << "artist p ends the schema: restart";
    } else if (a == 4) {
      EXPECT_TRUE(b == 2 || b == 4) << i;
    } else {
      EXPECT_EQ(a, 2);
      EXPECT_TRUE(b == 0 || b == 4) << i;
    }
    early_restarts += (a != 0 && b == 4);
  }
  EXPECT_GT(early_restarts, 3);
}

TEST(RandomWalk, rejects_bad_requests) {
  const Graph g = Forced();
  const Metapath m = ParseMetapath(kUsaSu, g);
  WalkOptions o;
  const auto error = [&](std::vector<NodeId> starts, const WalkOptions& opt) -> std::string {
    try {
      RandomWalksReference(g, m, starts, opt);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error({2}, o), "start node 2 has type 'song', metapath '" + std::string(kUsaSu) + "' starts at 'user'");
  EXPECT_EQ(error({4, 5, 4}, o), "start node 4 is listed twice");
  WalkOptions bad = o;
  bad.p = 0;
  EXPECT_NE(error({4}, bad), "no error");
  bad = o;
  bad.restart = 1.0;
  EXPECT_EQ(error({4}, bad), "restart probability must be in [0, 1), got 1.000000");
  bad = o;
  bad.walk_length = 0;
  EXPECT_EQ(error({4}, bad), "walk length must be >= 1, got 0");
  bad = o;
  bad.walks_per_node = 0;
  EXPECT_EQ(error({4}, bad), "walks per node must be >= 1, got 0");
}

// Every consecutive pair of a walk is an edge of the schema's relation for that hop; a walk
// shorter than walk_length + 1 ends at a node without such an edge.
void ExpectObeysSchema(const Graph& g, const Metapath& m, const Walks& w, const WalkOptions& o) {
  for (int64_t i = 0; i < w.num_walks(); ++i) {
    const auto p = w.walk(i);
    ASSERT_GE(p.size(), 1u);
    EXPECT_EQ(p[0], w.start[static_cast<size_t>(i)]);
    EXPECT_LE(static_cast<int64_t>(p.size()), o.walk_length + 1);
    for (size_t h = 0; h + 1 < p.size(); ++h) {
      EdgeIdx lo = g.row_ptr()[p[h]], hi = g.row_ptr()[p[h] + 1];
      if (auto r = m.RelationAt(static_cast<int64_t>(h))) std::tie(lo, hi) = g.RelationRange(p[h], *r);
      const auto cols = g.col_idx().subspan(lo, hi - lo);
      EXPECT_NE(std::find(cols.begin(), cols.end(), p[h + 1]), cols.end())
          << "walk " << i << " hop " << h << ": " << g.Key(p[h]) << " -> " << g.Key(p[h + 1]);
    }
    if (static_cast<int64_t>(p.size()) < o.walk_length + 1) {
      const NodeId last = p.back();
      const auto r = m.RelationAt(static_cast<int64_t>(p.size()) - 1);
      const auto [lo, hi] = r ? g.RelationRange(last, *r) : std::pair<EdgeIdx, EdgeIdx>{0, g.degree(last)};
      EXPECT_EQ(lo, hi) << "walk " << i << " stopped at " << g.Key(last) << " which has a next edge";
    }
  }
}

TEST(RandomWalk, walks_obey_the_schema_uniform_weighted_and_node2vec) {
  const Graph g = testing::MusicWorld(30, 40, 8, 7);
  const Metapath m = ParseMetapath(kUsaSu, g);
  const std::vector<NodeId> starts = NodesOfType(g.node_types(), *g.FindType("user"));
  for (int variant = 0; variant < 3; ++variant) {
    WalkOptions o;
    o.walk_length = 13;
    o.walks_per_node = 3;
    o.weighted = variant >= 1;
    if (variant == 2) o.p = 0.25, o.q = 4.0;
    const Walks w = RandomWalksReference(g, m, starts, o);
    ASSERT_EQ(w.num_walks(), static_cast<int64_t>(starts.size()) * 3);
    ExpectObeysSchema(g, m, w, o);
    EXPECT_EQ(w.walk(static_cast<int64_t>(w.num_walks()) - 1).size(), 1u) << "user:zz_quiet is a dead end";
  }
  // Unrestricted walks follow any relation.
  WalkOptions o;
  o.walk_length = 9;
  const Metapath any = ParseMetapath("", g);
  ExpectObeysSchema(g, any, RandomWalksReference(g, any, std::vector<NodeId>{0, 5, 50}, o), o);
}

TEST(RandomWalk, a_walk_depends_on_its_key_not_on_the_start_list) {
  const Graph g = testing::MusicWorld(30, 40, 8, 7);
  const Metapath m = ParseMetapath(kUsaSu, g);
  WalkOptions o;
  o.walk_length = 12;
  o.walks_per_node = 2;
  o.q = 0.5;
  const std::vector<NodeId> fwd = {60, 61, 62, 70};
  const std::vector<NodeId> rev = {70, 62, 61, 60};
  const Walks a = RandomWalksReference(g, m, fwd, o), b = RandomWalksReference(g, m, rev, o);
  for (int64_t i = 0; i < a.num_walks(); ++i) EXPECT_EQ(Path(a, i), Path(b, (3 - i / 2) * 2 + i % 2));
  EXPECT_EQ(RandomWalksReference(g, m, fwd, o), a);
  o.seed = 2;
  EXPECT_NE(RandomWalksReference(g, m, fwd, o), a);
  o.seed = 1;
  o.epoch = 1;
  EXPECT_NE(RandomWalksReference(g, m, fwd, o), a);
}

double ChiSquare(const std::array<int64_t, 3>& observed, const std::array<double, 3>& weight) {
  int64_t n = 0;
  double total = 0;
  for (int i = 0; i < 3; ++i) n += observed[i], total += weight[i];
  double chi = 0;
  for (int i = 0; i < 3; ++i) {
    const double e = static_cast<double>(n) * weight[i] / total;
    chi += (static_cast<double>(observed[i]) - e) * (static_cast<double>(observed[i]) - e) / e;
  }
  return chi;
}
constexpr double kChiSquare2Df999 = 13.82;  // 99.9% quantile, 2 degrees of freedom

//     0 ---- 1 ---- 3        friend (symmetric), weights: 0-1: 1, 1-2: 2, 0-2: 1, 1-3: 4
//      \    /
//       \  /
//        2
Graph Triangle() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph({{"user:0", "friend", "user:1", 1.0f},
                    {"user:1", "friend", "user:2", 2.0f},
                    {"user:0", "friend", "user:2", 1.0f},
                    {"user:1", "friend", "user:3", 4.0f}},
                   opt);
}

TEST(RandomWalk, weighted_first_hop_matches_edge_weights_chi_square) {
  const Graph g = Triangle();
  const Metapath m = ParseMetapath("user -friend-> user", g);
  WalkOptions o;
  o.walk_length = 1;
  o.walks_per_node = 30000;
  o.weighted = true;
  const Walks w = RandomWalksReference(g, m, std::vector<NodeId>{1}, o);
  std::array<int64_t, 3> seen{};  // next node 0, 2, 3
  for (int64_t i = 0; i < w.num_walks(); ++i) {
    const NodeId v = w.walk(i)[1];
    ++seen[v == 0 ? 0 : v == 2 ? 1 : 2];
  }
  EXPECT_LT(ChiSquare(seen, {1.0, 2.0, 4.0}), kChiSquare2Df999);
  EXPECT_GT(ChiSquare(seen, {1.0, 1.0, 1.0}), 100.0);  // the test can tell weighted from uniform
}

// Second hop from 1 after 0 -> 1: candidates 0 (return: 1/p), 2 (adjacent to 0: 1), 3 (1/q).
std::array<int64_t, 3> SecondHops(const Graph& g, const WalkOptions& o) {
  const Walks w = RandomWalksReference(g, ParseMetapath("", g), std::vector<NodeId>{0}, o);
  std::array<int64_t, 3> seen{};
  for (int64_t i = 0; i < w.num_walks(); ++i) {
    const auto p = w.walk(i);
    if (p[1] != 1) continue;
    ++seen[p[2] == 0 ? 0 : p[2] == 2 ? 1 : 2];
  }
  return seen;
}

TEST(RandomWalk, node2vec_second_order_transitions_chi_square) {
  const Graph g = Triangle();
  WalkOptions o;
  o.walk_length = 2;
  o.walks_per_node = 40000;
  o.p = 0.5;
  o.q = 2.0;
  const auto unweighted = SecondHops(g, o);
  EXPECT_LT(ChiSquare(unweighted, {2.0, 1.0, 0.5}), kChiSquare2Df999) << unweighted[0] << " " << unweighted[1];
  EXPECT_GT(ChiSquare(unweighted, {1.0, 1.0, 1.0}), 100.0);
  EXPECT_GT(ChiSquare(unweighted, {0.5, 1.0, 2.0}), 100.0);  // p and q swapped would be caught
  o.weighted = true;  // weights 1, 2, 4 times alpha 2, 1, 0.5: uniform
  const auto weighted = SecondHops(g, o);
  EXPECT_LT(ChiSquare(weighted, {1.0, 1.0, 1.0}), kChiSquare2Df999);
  EXPECT_GT(ChiSquare(weighted, {2.0, 1.0, 0.5}), 100.0);
}

TEST(RandomWalk, top_visited_counts_same_type_nodes_except_the_start) {
  const std::vector<NodeType> types = {{"song", 0, 6}, {"user", 6, 3}};
  Walks w;
  const auto add = [&](NodeId s, int32_t rep, std::vector<NodeId> path) {
    w.start.push_back(s);
    w.repetition.push_back(rep);
    w.nodes.insert(w.nodes.end(), path.begin(), path.end());
    w.offsets.push_back(static_cast<int64_t>(w.nodes.size()));
  };
  add(0, 0, {0, 6, 1, 7, 2, 6, 1});
  add(4, 0, {4, 8, 5, 8, 5, 7, 0});
  add(0, 1, {0, 7, 2, 8, 3, 6, 0, 6, 3});
  const auto top2 = TopVisited(w, types, 2);
  ASSERT_EQ(top2.size(), 2u);
  EXPECT_EQ(top2[0], (std::vector<VisitCount>{{1, 2}, {2, 2}}));  // 1, 2, 3 tie at 2: smaller ids first
  EXPECT_EQ(top2[1], (std::vector<VisitCount>{{5, 2}, {0, 1}}));
  EXPECT_EQ(TopVisited(w, types, 10)[0], (std::vector<VisitCount>{{1, 2}, {2, 2}, {3, 2}}));
  EXPECT_THROW(TopVisited(w, types, 0), UsageError);
}

//   song:s0 <- u0 u1 u2 -> song:s1   (s1 shares three listeners with s0)
//   song:s2 <- u2 u3                 (s2 shares one)
//   song:s3 <- u4 u5                 (s3 none: unreachable from s0)
TEST(RandomWalk, restart_walks_rank_the_importance_neighbourhood) {
  std::vector<KeyEdge> edges;
  for (const char* u : {"u0", "u1", "u2"}) {
    edges.push_back({std::string("user:") + u, "listened", "song:s0"});
    edges.push_back({std::string("user:") + u, "listened", "song:s1"});
  }
  for (const char* u : {"u2", "u3"}) edges.push_back({std::string("user:") + u, "listened", "song:s2"});
  for (const char* u : {"u4", "u5"}) edges.push_back({std::string("user:") + u, "listened", "song:s3"});
  const Graph g = MakeGraph(edges);
  const NodeId s0 = *g.Find("song:s0"), s1 = *g.Find("song:s1"), s2 = *g.Find("song:s2");
  const Metapath m = ParseMetapath("song -rev_listened-> user -listened-> song", g);
  WalkOptions o;
  o.walk_length = 200;
  o.walks_per_node = 10;
  o.restart = 0.2;
  const Walks w = RandomWalksReference(g, m, std::vector<NodeId>{s0}, o);
  int restarts = 0;
  for (int64_t i = 0; i < w.num_walks(); ++i) {
    const auto p = w.walk(i);
    ASSERT_EQ(p.size(), 201u);
    int64_t phase = 0;
    for (size_t h = 0; h + 1 < p.size(); ++h) {
      const auto [lo, hi] = g.RelationRange(p[h], *m.RelationAt(phase));
      const auto cols = g.col_idx().subspan(lo, hi - lo);
      if (std::find(cols.begin(), cols.end(), p[h + 1]) != cols.end()) {
        ++phase;
      } else {
        EXPECT_EQ(p[h + 1], s0) << "neither an edge of the schema nor a restart";
        phase = 0;
        ++restarts;
      }
    }
  }
  EXPECT_GT(restarts, 100);
  const auto top = TopVisited(w, g.node_types(), 3);
  ASSERT_EQ(top.size(), 1u);
  ASSERT_EQ(top[0].size(), 2u);
  EXPECT_EQ(top[0][0].node, s1);
  EXPECT_EQ(top[0][1].node, s2);
  EXPECT_GT(top[0][0].visits, 3 * top[0][1].visits / 2);  // three shared listeners against one
}

}  // namespace
}  // namespace melograph
