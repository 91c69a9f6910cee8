#include "graph/graph_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

// Node ids (types by name, ids by bytes):  artist:a=0  song:s1=1  song:s2=2  user:u1=3  user:u2=4
//
//   u1 --listened(2)--> s1 --by--> a
//   u1 --listened(1)--> s2 --by--> a
//   u2 --listened(5)--> s2
//   u1 --friend-- u2      (symmetric)
Graph Tiny(DuplicatePolicy policy = DuplicatePolicy::kSum) {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  opt.duplicates = policy;
  return MakeGraph({{"user:u1", "listened", "song:s1", 2.0f},
                    {"user:u1", "listened", "song:s2", 1.0f},
                    {"user:u2", "listened", "song:s2", 5.0f},
                    {"song:s1", "by", "artist:a", 1.0f},
                    {"song:s2", "by", "artist:a", 1.0f},
                    {"user:u2", "friend", "user:u1", 1.0f},
                    {"user:u1", "listened", "song:s1", 3.0f}},  // duplicate
                   opt);
}

// Same node keys, and the CSR entry by entry.
void ExpectSameKeysAndCsr(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  for (NodeId v = 0; v < a.num_nodes(); ++v) EXPECT_EQ(a.Key(v), b.Key(v));
  for (NodeId v = 0; v <= a.num_nodes(); ++v) EXPECT_EQ(a.row_ptr()[v], b.row_ptr()[v]);
  for (EdgeIdx e = 0; e < a.num_edges(); ++e) {
    EXPECT_EQ(a.col_idx()[e], b.col_idx()[e]);
    EXPECT_EQ(a.edge_relation()[e], b.edge_relation()[e]);
    EXPECT_EQ(a.edge_weight()[e], b.edge_weight()[e]);
  }
}

TEST(GraphBuilder, assigns_ids_by_type_then_key) {
  const Graph g = Tiny();
  ASSERT_EQ(g.num_nodes(), 5);
  ASSERT_EQ(g.node_types().size(), 3u);
  EXPECT_EQ(g.node_types()[0].name, "artist");
  EXPECT_EQ(g.node_types()[1].name, "song");
  EXPECT_EQ(g.node_types()[2].begin, 3);
  EXPECT_EQ(g.Key(0), "artist:a");
  EXPECT_EQ(g.Key(4), "user:u2");
  EXPECT_EQ(g.Find("song:s2"), 2);
  EXPECT_FALSE(g.Find("song:nope"));
  EXPECT_FALSE(g.Find("album:s2"));
  EXPECT_EQ(g.TypeOf(2), 1);
}

TEST(GraphBuilder, ids_follow_byte_order_past_the_first_eight_bytes) {
  // Ids are ordered by an 8-byte prefix first, then by whole strings within equal prefixes:
  // ids equal in their first 8 bytes, a proper prefix, a NUL byte (prefix padding is zero too),
  // bytes >= 0x80 (unsigned order) and short ids must all come out in plain byte order.
  const std::vector<std::string> ids = {"abcdefgh1", "abcdefgh",   std::string("abcdefgh\0", 9),
                                        std::string("ab\0", 3), "ab", "abcdefgg\xff", "\xe7\xb1\xb3",
                                        "abcdefgh10", "abcdefgh0z", "b", "a", "abcdefghabcdefgh2",
                                        "abcdefghabcdefgh1", "Z"};
  std::vector<KeyEdge> edges;
  for (const std::string& id : ids) edges.push_back({"item:" + id, "in", "tag:t"});
  const Graph g = MakeGraph(edges);
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(g.node_types()[0].name, "item");
  ASSERT_EQ(static_cast<size_t>(g.node_types()[0].count), sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(g.Key(static_cast<NodeId>(i)), "item:" + sorted[i]) << i;
}

TEST(GraphBuilder, relation_table_has_reverses_and_symmetric_relations) {
  const Graph g = Tiny();
  std::vector<std::string> names;
  for (const auto& r : g.relations()) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"by", "rev_by", "friend", "listened", "rev_listened"}));
  EXPECT_EQ(g.relations()[0].inverse, 1);
  EXPECT_EQ(g.relations()[1].inverse, 0);
  EXPECT_TRUE(g.relations()[2].symmetric);
  EXPECT_EQ(g.relations()[2].inverse, 2);
  EXPECT_EQ(g.relations()[3].edge_count, 3);
  EXPECT_EQ(g.relations()[4].edge_count, 3);
  EXPECT_EQ(g.relations()[2].edge_count, 2);
}

TEST(GraphBuilder, csr_rows_sorted_by_relation_then_neighbour_with_merged_duplicates) {
  const Graph g = Tiny();
  EXPECT_EQ(g.num_edges(), 3 * 2 + 2 * 2 + 2);
  // user:u1 = 3: friend u2 (rel 2), listened s1 (rel 3, 2+3=5), listened s2 (rel 3, 1)
  const auto n = g.out_neighbors(3);
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0], 4);
  EXPECT_EQ(n[1], 1);
  EXPECT_EQ(n[2], 2);
  const EdgeIdx b = g.row_ptr()[3];
  EXPECT_EQ(g.edge_relation()[b], 2);
  EXPECT_EQ(g.edge_relation()[b + 1], 3);
  EXPECT_FLOAT_EQ(g.edge_weight()[b + 1], 5.0f);
  // artist:a = 0 has rev_by from both songs.
  const auto [lo, hi] = g.RelationRange(0, 1);
  EXPECT_EQ(hi - lo, 2);
  EXPECT_EQ(g.col_idx()[lo], 1);
  EXPECT_EQ(g.col_idx()[lo + 1], 2);
  // song:s2 = 2: by a, rev_listened u1 and u2 (weights 1 and 5)
  const auto [rl, rh] = g.RelationRange(2, 4);
  ASSERT_EQ(rh - rl, 2);
  EXPECT_FLOAT_EQ(g.edge_weight()[rl], 1.0f);
  EXPECT_FLOAT_EQ(g.edge_weight()[rl + 1], 5.0f);
}

TEST(GraphBuilder, duplicate_policies) {
  auto w = [](const Graph& g) { return g.edge_weight()[g.RelationRange(3, 3).first]; };
  EXPECT_FLOAT_EQ(w(Tiny(DuplicatePolicy::kSum)), 5.0f);
  EXPECT_FLOAT_EQ(w(Tiny(DuplicatePolicy::kMax)), 3.0f);
  EXPECT_FLOAT_EQ(w(Tiny(DuplicatePolicy::kFirst)), 2.0f);
  EXPECT_FLOAT_EQ(w(Tiny(DuplicatePolicy::kLast)), 3.0f);
}

TEST(GraphBuilder, rows_already_in_order_merge_duplicates_in_place_under_every_policy) {
  // user:u's row arrives sorted with repeats (s1 s1 s2 s2 s2 s3), so do song:s1's and song:s2's
  // reverse rows (u u); user:v's row (s2) is sorted without repeats and is moved down past the
  // room the merges freed. Relation counts drop by the merged entries.
  const std::vector<KeyEdge> edges = {
      {"user:u", "listened", "song:s1", 1.0f}, {"user:u", "listened", "song:s1", 4.0f},
      {"user:u", "listened", "song:s2", 2.0f}, {"user:u", "listened", "song:s2", 8.0f},
      {"user:u", "listened", "song:s2", 3.0f}, {"user:u", "listened", "song:s3", 5.0f},
      {"user:v", "listened", "song:s2", 7.0f}};
  const std::pair<DuplicatePolicy, std::vector<float>> cases[] = {
      {DuplicatePolicy::kSum, {5, 13, 5}},
      {DuplicatePolicy::kMax, {4, 8, 5}},
      {DuplicatePolicy::kFirst, {1, 2, 5}},
      {DuplicatePolicy::kLast, {4, 3, 5}}};
  for (const auto& [policy, want] : cases) {
    GraphBuildOptions opt;
    opt.duplicates = policy;
    GraphBuildStats stats;
    GraphBuilder b(opt);
    for (const KeyEdge& e : edges) b.AddEdgeKeys(e.head, e.relation, e.tail, e.weight);
    const Graph g = b.Build(&stats);
    // song:s1=0 s2=1 s3=2 user:u=3 v=4; relations listened=0 rev_listened=1
    EXPECT_EQ(stats.duplicate_edges_merged, 6) << ToString(policy);
    ASSERT_EQ(g.num_edges(), 8) << ToString(policy);
    EXPECT_EQ(std::vector<EdgeIdx>(g.row_ptr().begin(), g.row_ptr().end()),
              (std::vector<EdgeIdx>{0, 1, 3, 4, 7, 8}));
    EXPECT_EQ(std::vector<NodeId>(g.col_idx().begin(), g.col_idx().end()),
              (std::vector<NodeId>{3, 3, 4, 3, 0, 1, 2, 1}));
    EXPECT_EQ(std::vector<float>(g.edge_weight().begin() + 4, g.edge_weight().begin() + 7), want)
        << ToString(policy);
    EXPECT_EQ(g.edge_weight()[7], 7.0f);
    EXPECT_EQ(g.relations()[0].edge_count, 4);
    EXPECT_EQ(g.relations()[1].edge_count, 4);
  }
}

TEST(GraphBuilder, a_row_longer_than_two_to_the_seventeen_sorts_stably_too) {
  // 140,000 users listen to song:hub in shuffled order, 1 in 7 of them twice (weights 1, then
  // 2): the hub's reverse row (150,000 entries before merging) takes the long-row sort, whose
  // order and "first" policy must be the short rows' (by user, the first weight kept).
  constexpr int kUsers = 140000;
  std::vector<int> order(kUsers);
  for (int u = 0; u < kUsers; ++u) order[static_cast<size_t>(u)] = u;
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  GraphBuildOptions opt;
  opt.duplicates = DuplicatePolicy::kFirst;
  GraphBuilder b(opt);
  char id[16];
  for (const int u : order) {
    std::snprintf(id, sizeof id, "u%06d", u);
    b.AddEdge("user", id, "listened", "song", "hub", 1.0f);
  }
  for (int u = 0; u < kUsers; u += 7) {
    std::snprintf(id, sizeof id, "u%06d", u);
    b.AddEdge("user", id, "listened", "song", "hub", 2.0f);
  }
  GraphBuildStats stats;
  const Graph g = b.Build(&stats);
  ASSERT_EQ(g.num_nodes(), kUsers + 1);  // song:hub=0, users 1..
  EXPECT_EQ(stats.duplicate_edges_merged, 2 * ((kUsers + 6) / 7));
  ASSERT_EQ(g.degree(0), kUsers);
  const auto hub = g.out_neighbors(0);
  for (int u = 0; u < kUsers; ++u) ASSERT_EQ(hub[static_cast<size_t>(u)], u + 1) << u;
  for (EdgeIdx e = 0; e < 2 * kUsers; ++e) ASSERT_EQ(g.edge_weight()[e], 1.0f) << e;
  EXPECT_EQ(g.relations()[0].edge_count, kUsers);
  EXPECT_EQ(g.relations()[1].edge_count, kUsers);
}

TEST(GraphBuilder, symmetric_relation_merges_both_directions_and_self_loops_once) {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  const Graph g = MakeGraph({{"user:a", "friend", "user:b"}, {"user:b", "friend", "user:a"}, {"user:a", "friend", "user:a"}}, opt);
  // a: a (self), b   b: a
  EXPECT_EQ(g.num_edges(), 3);
  EXPECT_FLOAT_EQ(g.edge_weight()[1], 2.0f);  // a-b listed twice, summed
  EXPECT_THROW(MakeGraph({{"user:a", "friend", "song:b"}}, opt), UsageError);
}

TEST(GraphBuilder, ids_do_not_depend_on_input_order) {
  const Graph a = MakeGraph({{"u:2", "r", "s:1"}, {"u:1", "r", "s:2"}});
  const Graph b = MakeGraph({{"u:1", "r", "s:2"}, {"u:2", "r", "s:1"}});
  ASSERT_EQ(a.num_edges(), b.num_edges());
  for (EdgeIdx e = 0; e < a.num_edges(); ++e) EXPECT_EQ(a.col_idx()[e], b.col_idx()[e]);
}

// Runs of edges with one head (how triple files list a user's listens) reuse the head's id; the
// graph must equal the one built from the same edges with no two consecutive heads equal, also
// when a run crosses the builder's 64-edge batches, when the same id string names nodes of two
// types back to back (inside a batch, and across a batch boundary), and when a relation switch
// happens inside a run.
TEST(GraphBuilder, runs_of_one_head_give_the_same_graph_as_any_order) {
  std::vector<KeyEdge> runs;
  for (int h = 0; h < 7; ++h) {
    const std::string id = std::to_string(h);
    for (int t = 0; t < 45; ++t) {  // 45-edge runs: several cross a 64-edge batch boundary
      const std::string rel = t % 3 == 0 ? "rejected" : "listened";
      // tails start at song:13, so a song head's local id differs from the user head's
      runs.push_back({"user:" + id, rel, "song:" + std::to_string((h * 7 + t + 13) % 50), 1.0f + static_cast<float>(t)});
    }
    // the same id string as a song head right after the user run
    runs.push_back({"song:" + id, "by", "artist:" + std::to_string(h % 3), 1.0f});
  }
  std::vector<KeyEdge> interleaved;  // round-robin over the runs: no two consecutive heads equal
  for (size_t k = 0; k < 46; ++k)
    for (int h = 0; h < 7; ++h) interleaved.push_back(runs[static_cast<size_t>(h) * 46 + k]);
  ASSERT_EQ(interleaved.size(), runs.size());
  // 19 edges of distinct heads first, so song:0 (after user:0's 45 edges) opens the second batch.
  std::vector<KeyEdge> prefix;
  for (int i = 0; i < 19; ++i) prefix.push_back({"playlist:p" + std::to_string(i), "tagged", "tag:t" + std::to_string(i), 1.0f});
  runs.insert(runs.begin(), prefix.begin(), prefix.end());
  interleaved.insert(interleaved.begin(), prefix.begin(), prefix.end());
  ASSERT_EQ(runs[64].head, "song:0");
  ASSERT_EQ(runs[63].head, "user:0");
  const Graph a = MakeGraph(runs), b = MakeGraph(interleaved);
  ASSERT_NO_FATAL_FAILURE(ExpectSameKeysAndCsr(a, b));
  // user:0 holds its 45 edges, song:0 its artist edge plus the reverse listened/rejected edges.
  NodeId user0 = -1, song0 = -1;
  for (NodeId v = 0; v < a.num_nodes(); ++v) {
    if (a.Key(v) == "user:0") user0 = v;
    if (a.Key(v) == "song:0") song0 = v;
  }
  ASSERT_GE(user0, 0);
  ASSERT_GE(song0, 0);
  EXPECT_EQ(a.degree(user0), 45);
  EXPECT_EQ(a.out_neighbors(song0).size(), a.degree(song0));
  EXPECT_GE(a.degree(song0), 1);
}

TEST(GraphBuilder, add_edge_like_last_repeats_the_previous_relation_and_types) {
  // The same edges through AddEdge only, and through AddEdgeLikeLast wherever the previous edge
  // had the same head type, relation and tail type (as build-graph does from TripleRecord).
  const std::vector<KeyEdge> edges = {
      {"user:u1", "listened", "song:s1", 2.0f},  {"user:u1", "listened", "song:s2", 1.0f},
      {"user:u2", "listened", "song:s2", 5.0f},  {"user:u2", "rejected", "song:s1", -1.0f},
      {"user:u3", "rejected", "song:s3", -2.0f}, {"song:s1", "by", "artist:a", 1.0f},
      {"song:s2", "by", "artist:a", 1.0f},       {"user:u3", "friend", "user:u1", 1.0f},
      {"user:u2", "friend", "user:u3", 1.0f},    {"user:u2", "listened", "song:s1", 4.0f}};
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  const Graph want = MakeGraph(edges, opt);
  GraphBuilder b(opt);
  EXPECT_THROW(b.AddEdgeLikeLast("u1", "s1"), UsageError);  // no previous edge
  int like_last = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    const KeyEdge& e = edges[i];
    const auto type = [](const std::string& key) { return key.substr(0, key.find(':')); };
    const auto id = [](const std::string& key) { return key.substr(key.find(':') + 1); };
    if (i > 0 && type(edges[i - 1].head) == type(e.head) && edges[i - 1].relation == e.relation &&
        type(edges[i - 1].tail) == type(e.tail)) {
      b.AddEdgeLikeLast(id(e.head), id(e.tail), e.weight);
      ++like_last;
    } else {
      b.AddEdge(type(e.head), id(e.head), e.relation, type(e.tail), id(e.tail), e.weight);
    }
  }
  EXPECT_EQ(like_last, 5);
  const Graph got = b.Build();
  ASSERT_NO_FATAL_FAILURE(ExpectSameKeysAndCsr(got, want));
  ASSERT_EQ(got.relations().size(), want.relations().size());
  for (size_t r = 0; r < want.relations().size(); ++r) {
    EXPECT_EQ(got.relations()[r].name, want.relations()[r].name);
    EXPECT_EQ(got.relations()[r].edge_count, want.relations()[r].edge_count);
  }
  EXPECT_THROW(b.AddEdgeLikeLast("u1", "s1"), UsageError);  // Build starts over
}

// The builder against a plain reference on 40,000 edges: heads in runs of 1-40 edges (the
// builder run-length codes heads, and its chunks of 1K, 2K, 4K, ... edges end inside runs),
// directed and symmetric self loops, and duplicates merged by every policy (first / last see
// the input order: the builder fills its CSR from the last edge back), with the CSR on 4 KiB
// and on huge pages. The reference appends every entry to its row in input order, sorts each
// row stably by (relation, neighbour) and merges equal neighbours.
TEST(GraphBuilder, equals_a_plain_reference_on_runs_across_chunks) {
  std::mt19937 rng(7);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  struct Rel {
    const char* name;
    const char* head;
    const char* tail;
  };
  const Rel rels[] = {{"listened", "user", "song"}, {"rejected", "user", "song"}, {"by", "song", "artist"},
                      {"friend", "user", "user"},   {"next", "song", "song"}};
  std::vector<KeyEdge> edges;
  while (edges.size() < 40000) {
    const int r = pick(5);
    const int head = pick(300);
    const int run = 1 + pick(40);
    for (int k = 0; k < run; ++k) {
      const Rel& x = rels[k % 7 == 3 ? (r + 1) % 5 : r];  // a relation switch inside some runs
      const int tail = pick(10) == 0 ? head : pick(400);    // self loops for friend and next
      // Small integers, and a third distinct: past the 255 coded weights, most go to the
      // chunks' exceptions (including the last chunk, which Build copies to its size).
      const float weight =
          pick(3) == 0 ? 0.25f * static_cast<float>(edges.size()) : static_cast<float>(1 + pick(9));
      edges.push_back({std::string(x.head) + ":" + std::to_string(head), x.name,
                       std::string(x.tail) + ":" + std::to_string(tail), weight});
    }
  }
  std::vector<std::pair<DuplicatePolicy, int64_t>> cases;  // (policy, huge_page_csr_entries)
  for (DuplicatePolicy policy : {DuplicatePolicy::kSum, DuplicatePolicy::kMax, DuplicatePolicy::kFirst, DuplicatePolicy::kLast})
    for (const int64_t huge_from : {int64_t{0}, std::numeric_limits<int64_t>::max()})
      cases.emplace_back(policy, huge_from);
  // The reference's node ids, the same in every case: types by name, ids by bytes.
  std::vector<std::pair<std::string, std::string>> nodes;
  for (const KeyEdge& e : edges)
    for (const std::string& key : {e.head, e.tail})
      nodes.emplace_back(key.substr(0, key.find(':')), key.substr(key.find(':') + 1));
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  std::map<std::string, NodeId> id;
  for (size_t v = 0; v < nodes.size(); ++v)
    id[nodes[v].first + ":" + nodes[v].second] = static_cast<NodeId>(v);
  std::vector<std::pair<NodeId, NodeId>> ends;  // (head, tail) of each edge
  for (const KeyEdge& e : edges) ends.emplace_back(id.at(e.head), id.at(e.tail));
  for (const auto& [policy, huge_from] : cases) {
    SCOPED_TRACE(std::string(ToString(policy)) + (huge_from == 0 ? ", huge pages" : ", 4 KiB pages"));
    GraphBuildOptions opt;
    opt.symmetric_relations = {"friend"};
    opt.duplicates = policy;
    opt.huge_page_csr_entries = huge_from;
    const Graph g = MakeGraph(edges, opt);
    ASSERT_EQ(g.num_nodes(), static_cast<NodeId>(nodes.size()));
    for (size_t v = 0; v < nodes.size(); ++v)
      ASSERT_EQ(g.Key(static_cast<NodeId>(v)), nodes[v].first + ":" + nodes[v].second);
    std::map<std::string, RelationId> rel_id;  // each name joins one pair of types here
    for (size_t r = 0; r < g.relations().size(); ++r) rel_id[g.relations()[r].name] = static_cast<RelationId>(r);
    struct Entry {
      RelationId rel;
      NodeId col;
      float weight;
    };
    std::vector<std::vector<Entry>> rows(nodes.size());
    for (size_t i = 0; i < edges.size(); ++i) {
      const KeyEdge& e = edges[i];
      const auto [s, d] = ends[i];
      const bool sym = e.relation == "friend";
      rows[s].push_back({rel_id.at(e.relation), d, e.weight});
      if (!(sym && s == d)) rows[d].push_back({rel_id.at(sym ? e.relation : "rev_" + e.relation), s, e.weight});
    }
    std::vector<EdgeIdx> row_ptr{0};
    std::vector<Entry> csr;
    for (std::vector<Entry>& row : rows) {
      std::stable_sort(row.begin(), row.end(), [](const Entry& a, const Entry& b) { return std::tie(a.rel, a.col) < std::tie(b.rel, b.col); });
      const size_t begin = csr.size();
      for (const Entry& x : row) {
        if (csr.size() > begin && csr.back().rel == x.rel && csr.back().col == x.col) {
          float& w = csr.back().weight;
          if (policy == DuplicatePolicy::kSum) w += x.weight;
          if (policy == DuplicatePolicy::kMax) w = std::max(w, x.weight);
          if (policy == DuplicatePolicy::kLast) w = x.weight;
        } else {
          csr.push_back(x);
        }
      }
      row_ptr.push_back(static_cast<EdgeIdx>(csr.size()));
    }
    ASSERT_EQ(g.num_edges(), static_cast<EdgeIdx>(csr.size())) << ToString(policy);
    std::vector<int64_t> per_relation(g.relations().size(), 0);
    for (const Entry& x : csr) ++per_relation[x.rel];
    for (size_t r = 0; r < g.relations().size(); ++r)
      EXPECT_EQ(g.relations()[r].edge_count, per_relation[r]) << g.relations()[r].name;
    ASSERT_EQ(g.row_ptr().size(), row_ptr.size());
    EXPECT_TRUE(std::equal(row_ptr.begin(), row_ptr.end(), g.row_ptr().begin()));
    // Entry by entry, stopping at the first difference.
    size_t e = 0;
    while (e < csr.size() && g.col_idx()[e] == csr[e].col && g.edge_relation()[e] == csr[e].rel &&
           g.edge_weight()[e] == csr[e].weight)
      ++e;
    if (e < csr.size())
      ADD_FAILURE() << "entry " << e << ": (col, relation, weight) = (" << g.col_idx()[e] << ", "
                    << g.edge_relation()[e] << ", " << g.edge_weight()[e] << "), expected ("
                    << csr[e].col << ", " << csr[e].rel << ", " << csr[e].weight << ")";
  }
}

// 1,100,000 edges: the accumulated edges fill a 512K-edge chunk (huge pages but for the run
// heads) and the CSR arrays are large enough (> 4 MiB) for real 2 MiB mappings, which merged
// duplicates then shrink. The CSR on huge pages must equal the CSR on 4 KiB pages entry by entry.
TEST(GraphBuilder, huge_page_csr_equals_small_page_csr_on_a_large_graph) {
  std::mt19937 rng(11);
  std::vector<KeyEdge> edges;
  std::vector<uint64_t> triples;  // (head, rejected?, song) of each edge, as one number
  double input_weight = 0;
  edges.reserve(1100000);
  triples.reserve(1100000);
  while (edges.size() < 1100000) {
    const unsigned head = rng() % 20000;
    const unsigned run = 1 + rng() % 12;
    for (unsigned k = 0; k < run; ++k) {
      const bool rejected = rng() % 4 == 0;
      const unsigned song = rng() % 30000;
      const auto weight = static_cast<float>(1 + rng() % 5);
      edges.push_back({"user:" + std::to_string(head), rejected ? "rejected" : "listened",
                       "song:" + std::to_string(song), weight});
      triples.push_back((uint64_t{head} << 32) | (uint64_t{rejected} << 31) | song);
      input_weight += weight;
    }
  }
  GraphBuildOptions small;
  small.huge_page_csr_entries = std::numeric_limits<int64_t>::max();
  GraphBuildOptions huge;
  huge.huge_page_csr_entries = 0;
  const Graph a = MakeGraph(edges, small);
  const Graph b = MakeGraph(edges, huge);
  ASSERT_LT(a.num_edges(), 2 * static_cast<EdgeIdx>(edges.size()));  // duplicates were merged
  ASSERT_GT(a.num_edges() * static_cast<EdgeIdx>(sizeof(NodeId)), EdgeIdx{4} << 20);
  // Against the input: the distinct (head, relation, tail) triples, stored once each way, and
  // their summed weights per direction.
  // On the raw array: checked iterators (_GLIBCXX_DEBUG in the dev preset) would triple the test's
  // time.
  std::sort(triples.data(), triples.data() + triples.size());
  const auto distinct =
      std::unique(triples.data(), triples.data() + triples.size()) - triples.data();
  ASSERT_EQ(a.num_edges(), 2 * static_cast<EdgeIdx>(distinct));
  double forward_weight = 0, reverse_weight = 0;
  for (EdgeIdx e = 0; e < a.num_edges(); ++e)
    (a.relations()[a.edge_relation()[e]].is_reverse ? reverse_weight : forward_weight) += a.edge_weight()[e];
  EXPECT_EQ(forward_weight, input_weight);  // small integers: exact in float and double
  EXPECT_EQ(reverse_weight, input_weight);
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  // Whole arrays at once (millions of entries), reporting the first difference.
  const auto first_difference = [](const auto& x, const auto& y, size_t n) {
    return static_cast<size_t>(std::mismatch(x.begin(), x.begin() + n, y.begin()).first -
                               x.begin());
  };
  const auto v = static_cast<size_t>(a.num_nodes()) + 1, m = static_cast<size_t>(a.num_edges());
  EXPECT_EQ(first_difference(a.row_ptr(), b.row_ptr(), v), v) << "row_ptr";
  EXPECT_EQ(first_difference(a.col_idx(), b.col_idx(), m), m) << "col_idx";
  EXPECT_EQ(first_difference(a.edge_relation(), b.edge_relation(), m), m) << "edge_relation";
  EXPECT_EQ(first_difference(a.edge_weight(), b.edge_weight(), m), m) << "edge_weight";
}

// Weights are stored by their bits: past the first 255 distinct values (coded), the rest keep
// every bit too, and so do 0 and -0 (two codes).
TEST(GraphBuilder, weights_keep_their_bits_coded_or_not) {
  GraphBuilder b;
  std::vector<float> weight;
  for (int i = 0; i < 700; ++i) {
    const float w = i == 0       ? 0.0f
                    : i == 1     ? -0.0f
                    : i % 2 == 0 ? 1.0f / static_cast<float>(i)
                                 : -static_cast<float>(i) * 3.5f;
    weight.push_back(w);
    b.AddEdge("user", "u" + std::to_string(1000 + i), "listened", "song", "s", w);
  }
  const Graph g = b.Build();
  ASSERT_EQ(g.num_edges(), 1400);
  const NodeId song = g.node_types()[0].begin;  // song:s, then users by key
  ASSERT_EQ(g.Key(song), "song:s");
  for (int i = 0; i < 700; ++i) {
    const NodeId u = song + 1 + i;  // u1000 ... u1699: byte order is numeric order here
    ASSERT_EQ(g.Key(u), "user:u" + std::to_string(1000 + i));
    ASSERT_EQ(g.degree(u), 1);
    const float w = g.edge_weight()[g.row_ptr()[u]];
    EXPECT_EQ(std::signbit(w), std::signbit(weight[i])) << i;
    EXPECT_EQ(w, weight[i]) << i;
    EXPECT_EQ(g.edge_weight()[g.row_ptr()[song] + i], weight[i]) << i;  // the reverse entry
  }
}

TEST(GraphBuilder, isolated_nodes_and_empty_graph) {
  GraphBuilder b;
  b.AddNode("song", "lonely");
  const Graph g = b.Build();
  EXPECT_EQ(g.num_nodes(), 1);
  EXPECT_EQ(g.num_edges(), 0);
  EXPECT_EQ(g.degree(0), 0);
  const Graph empty = GraphBuilder().Build();
  EXPECT_EQ(empty.num_nodes(), 0);
}

}  // namespace
}  // namespace melograph
