// Label-propagation clustering, contraction, balanced LP refinement and the multilevel METIS
// driver (partition/lp_clustering.h, lp_refinement.h, multilevel_metis.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"
#include "partition/lp_clustering.h"
#include "partition/lp_refinement.h"
#include "partition/metis_partitioner.h"
#include "partition/multilevel_metis.h"
#include "partition/partition_pipeline.h"
#include "partition/undirected_projection.h"
#include "partition/vertex_weights.h"
#include "tests/partition/partition_fixtures.h"

namespace melograph {
namespace {

using testing::PlantedCommunities;
using testing::TwoCommunities;

// Two friend cliques {a,b,c,d} and {e,f,g,h}; with `bridge`, d -- e is a friendship and also a
// `follows` edge (stored with its reverse), so d and e share 2 CSR entries each way.
// Node ids: a..h = 0..7 (one type, ids by bytes).
Graph TwoCliques(bool bridge) {
  std::vector<KeyEdge> edges;
  const std::string left = "abcd", right = "efgh";
  for (const std::string& side : {left, right})
    for (size_t i = 0; i < side.size(); ++i)
      for (size_t j = i + 1; j < side.size(); ++j)
        edges.push_back({"user:" + std::string(1, side[i]), "friend", "user:" + std::string(1, side[j]), 1.0f});
  if (bridge) {
    edges.push_back({"user:d", "friend", "user:e", 1.0f});
    edges.push_back({"user:d", "follows", "user:e", 1.0f});
  }
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph(edges, opt);
}

int64_t WeightedCut(const UndirectedProjection& p, const Assignment& part) {
  int64_t cut = 0;
  for (int64_t v = 0; v < p.num_nodes(); ++v)
    for (int32_t e = p.xadj[v]; e < p.xadj[v + 1]; ++e)
      if (p.adjncy[e] > v && part[p.adjncy[e]] != part[v]) cut += p.adjwgt[e];
  return cut;
}

void ExpectBalanced(const VertexWeights& w, const Assignment& part, int32_t k, double imbalance, const char* what) {
  for (int32_t c = 0; c < w.ncon; ++c) {
    std::vector<int64_t> load(static_cast<size_t>(k), 0);
    for (size_t v = 0; v < part.size(); ++v) {
      ASSERT_GE(part[v], 0);
      ASSERT_LT(part[v], k);
      load[part[v]] += w.at(static_cast<NodeId>(v), c);
    }
    for (const int64_t l : load)
      EXPECT_LE(static_cast<double>(l), imbalance * static_cast<double>(w.total[c]) / k + 1e-4 * w.total[c])
          << what << " constraint " << c;
  }
}

TEST(LpCluster, finds_each_clique_and_respects_the_cluster_weight) {
  const Graph g = TwoCliques(/*bridge=*/false);
  const std::vector<int64_t> ones(8, 1);
  LpClusteringOptions o;
  o.max_weight = {4};
  for (const uint64_t seed : {1, 2, 3}) {
    o.seed = seed;
    int32_t clusters = 0;
    const std::vector<int32_t> c = LpCluster(FineAdjacency{&g}, ones, 1, o, &clusters);
    // Numbered by first appearance: a's clique is 0, e's is 1.
    EXPECT_EQ(clusters, 2) << seed;
    EXPECT_EQ(c, (std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1, 1})) << seed;
  }
  o.max_weight = {2};
  int32_t clusters = 0;
  const std::vector<int32_t> c = LpCluster(FineAdjacency{&g}, ones, 1, o, &clusters);
  std::vector<int> size(static_cast<size_t>(clusters), 0);
  for (const int32_t x : c) ++size[x];
  EXPECT_GE(clusters, 4);
  for (const int s : size) EXPECT_LE(s, 2);
}

TEST(Contract, sums_vertex_weights_and_parallel_edges_and_drops_inner_edges) {
  const Graph g = TwoCliques(/*bridge=*/true);
  // ncon = 2: (1, degree) per node.
  std::vector<int64_t> w;
  for (NodeId v = 0; v < 8; ++v) {
    w.push_back(1);
    w.push_back(g.degree(v));
  }
  const std::vector<int32_t> cluster = {0, 0, 0, 0, 1, 1, 1, 1};
  const CoarseGraph c = Contract(FineAdjacency{&g}, w, 2, cluster, 2, kMetisIndexMax);
  EXPECT_EQ(c.xadj, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(c.adjncy, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(c.adjwgt, (std::vector<int32_t>{2, 2}));  // friend + follows (or rev_follows)
  // Each clique: 4 nodes, 12 friend entries + the bridge's 2.
  EXPECT_EQ(c.vwgt, (std::vector<int64_t>{4, 14, 4, 14}));
  // Contracting the coarse graph again into one node leaves no edge.
  const CoarseGraph one = Contract(c, c.vwgt, 2, {0, 0}, 1, kMetisIndexMax);
  EXPECT_EQ(one.xadj, (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(one.vwgt, (std::vector<int64_t>{8, 28}));
  // Size limits are checked before allocating.
  EXPECT_THROW(Contract(FineAdjacency{&g}, w, 2, cluster, 2, /*max_index=*/1), LimitError);
}

// Per node: its (neighbour, weight) pairs merged and sorted, to compare adjacencies up to order.
template <typename Adjacency>
std::vector<std::vector<std::pair<NodeId, int64_t>>> Canonical(const Adjacency& adj) {
  std::vector<std::vector<std::pair<NodeId, int64_t>>> out(static_cast<size_t>(adj.num_nodes()));
  for (NodeId v = 0; v < adj.num_nodes(); ++v) {
    std::map<NodeId, int64_t> merged;
    adj.ForEach(v, [&](NodeId u, int64_t w) { merged[u] += w; });
    out[v].assign(merged.begin(), merged.end());
  }
  return out;
}

TEST(ClusteredAdjacency, is_the_contracted_graph_without_building_it) {
  const Graph g = TwoCliques(/*bridge=*/true);
  const std::vector<int64_t> ones(8, 1);
  const std::vector<int32_t> cluster = {0, 0, 1, 1, 2, 2, 3, 3};
  const ClusteredAdjacency virtual_level(g, cluster, 4);
  const CoarseGraph built = Contract(FineAdjacency{&g}, ones, 1, cluster, 4, kMetisIndexMax);
  EXPECT_EQ(virtual_level.num_nodes(), 4);
  EXPECT_EQ(Canonical(virtual_level), Canonical(built));
  // {a,b} -- {c,d}: a-c, a-d, b-c, b-d = 4; {c,d} -- {e,f}: d-e twice (friend, follows) = 2.
  EXPECT_EQ(Canonical(built)[1], (std::vector<std::pair<NodeId, int64_t>>{{0, 4}, {2, 2}}));
  // Contracting either again gives the same graph up to order.
  const std::vector<int64_t> two(4, 2);
  EXPECT_EQ(Canonical(Contract(virtual_level, two, 1, {0, 0, 1, 1}, 2, kMetisIndexMax)),
            Canonical(Contract(built, two, 1, {0, 0, 1, 1}, 2, kMetisIndexMax)));
}

TEST(LpRefine, moves_a_misplaced_node_exactly_and_never_breaks_the_load_limit) {
  const Graph g = TwoCommunities();  // x=0 y=1 a=2 b=3 c=4 d=5
  const std::vector<int64_t> ones(6, 1);
  // a sits with c, d, y; its neighbours x and b are in part 0: moving it removes 2 cut edges.
  const Assignment start = {0, 1, 1, 0, 1, 1};
  Assignment part = start;
  const std::vector<int64_t> room = {3};
  EXPECT_EQ(LpRefine(FineAdjacency{&g}, ones, 1, 2, room, 10, 1, part), 2);
  EXPECT_EQ(part, (Assignment{0, 1, 0, 0, 1, 1}));
  EXPECT_EQ(WeightedCut(BuildUndirectedProjection(g), part), 1);  // only the bridge b -- c
  // With part 0 full (2 nodes) the move is refused; the exchange a <-> b still gains 1 (cut a-x,
  // a-b, b-c becomes b-x, a-b) and keeps 2 nodes in part 0.
  part = start;
  const std::vector<int64_t> full = {2};
  EXPECT_EQ(LpRefine(FineAdjacency{&g}, ones, 1, 2, full, 10, 1, part), 1);
  EXPECT_EQ(part, (Assignment{0, 1, 0, 1, 1, 1}));
  EXPECT_EQ(MaxLoads(std::vector<int64_t>{6, 11}, 1.05, 2), (std::vector<int64_t>{3, 5}));
}

TEST(LpRefine, exchanges_two_nodes_when_both_single_moves_are_blocked) {
  // a -- c and b -- d (a=0 b=1 c=2 d=3); parts {a, d} | {b, c} hold 2 nodes each, the limit.
  const Graph g = MakeGraph({{"user:a", "friend", "user:c", 1.0f}, {"user:b", "friend", "user:d", 1.0f}},
                            [] {
                              GraphBuildOptions o;
                              o.symmetric_relations = {"friend"};
                              return o;
                            }());
  const std::vector<int64_t> ones(4, 1);
  const std::vector<int64_t> limit = {2};
  Assignment part = {0, 1, 1, 0};
  // Every single move is refused; exchanging a and b removes both cut edges.
  EXPECT_EQ(LpRefine(FineAdjacency{&g}, ones, 1, 2, limit, 10, 1, part), 2);
  EXPECT_EQ(part, (Assignment{1, 0, 1, 0}));
}

TEST(LpRefine, relax_cycles_only_lower_the_cut_and_keep_the_limits) {
  const Graph g = PlantedCommunities(6, 60, 25, 5);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  PartitionOptions o;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, FindTrainingSeeds(g, "listened"), "listened");
  const int32_t k = 6;
  const std::vector<int64_t> limit = MaxLoads(w.total, 1.05, k);
  // Start from a balanced round-robin partition.
  Assignment start(static_cast<size_t>(g.num_nodes()));
  for (NodeId v = 0; v < g.num_nodes(); ++v) start[v] = v % k;
  const int64_t cut0 = WeightedCut(p, start);
  Assignment plain = start, relaxed = start;
  const int64_t gain_plain = LpRefine(FineAdjacency{&g}, w.weight, w.ncon, k, limit, 20, 3, plain, 0);
  const int64_t gain_relaxed = LpRefine(FineAdjacency{&g}, w.weight, w.ncon, k, limit, 20, 3, relaxed, 6);
  EXPECT_EQ(WeightedCut(p, plain), cut0 - gain_plain);
  EXPECT_EQ(WeightedCut(p, relaxed), cut0 - gain_relaxed);
  EXPECT_GE(gain_relaxed, gain_plain);
  EXPECT_GT(gain_plain, 0);
  for (const Assignment* a : {&plain, &relaxed}) {
    for (int32_t c = 0; c < w.ncon; ++c) {
      std::vector<int64_t> load(k, 0);
      for (NodeId v = 0; v < g.num_nodes(); ++v) load[(*a)[v]] += w.at(v, c);
      for (const int64_t l : load) EXPECT_LE(l, limit[c]) << "constraint " << c;
    }
  }
  Assignment again = start;
  LpRefine(FineAdjacency{&g}, w.weight, w.ncon, k, limit, 20, 3, again, 6);
  EXPECT_EQ(again, relaxed);
}

TEST(MultilevelMetis, balanced_deterministic_and_well_below_hash_on_planted_communities) {
  const Graph g = PlantedCommunities(8, 80, 30, 11);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  const auto seeds = FindTrainingSeeds(g, "listened");
  PartitionOptions o;
  o.num_parts = 8;
  o.metis_coarsening = MetisCoarsening::kLp;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, seeds, "listened");
  MultilevelStats stats;
  const Assignment part = MultilevelMetisPartition(g, w, o, {}, &stats);
  ASSERT_EQ(part.size(), static_cast<size_t>(g.num_nodes()));
  ExpectBalanced(w, part, 8, o.imbalance, "multilevel");
  EXPECT_GE(stats.levels, 1);
  ASSERT_EQ(stats.level_nodes.size(), static_cast<size_t>(stats.levels));
  EXPECT_LT(stats.level_nodes[0], g.num_nodes());
  EXPECT_GE(stats.refine_gain, 0);
  // Same seed, same partition; the pipeline dispatches to this driver for lp.
  EXPECT_EQ(MultilevelMetisPartition(g, w, o), part);
  EXPECT_EQ(ComputeAssignment(g, o), part);
  PartitionOptions h = o;
  h.method = PartitionMethod::kHash;
  const int64_t hash_cut = WeightedCut(p, ComputeAssignment(g, h));
  const int64_t cut = WeightedCut(p, part);
  EXPECT_LT(cut * 3, hash_cut) << cut << " vs hash " << hash_cut;
  // Within a quarter of METIS on the whole projection.
  o.metis_coarsening = MetisCoarsening::kNone;
  const int64_t metis_cut = WeightedCut(p, ComputeAssignment(g, o));
  EXPECT_LE(cut * 4, metis_cut * 5) << cut << " vs METIS " << metis_cut;
}

TEST(MultilevelMetis, coarsest_level_gets_several_metis_tries) {
  // max(--metis-ncuts, coarsest_ncuts) tries on the coarsest level; METIS keeps the best, so
  // the coarsest cut never grows with more of them.
  const Graph g = PlantedCommunities(8, 60, 20, 3);
  const auto seeds = FindTrainingSeeds(g, "listened");
  PartitionOptions o;
  o.num_parts = 8;
  o.metis_coarsening = MetisCoarsening::kLp;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, seeds, "listened");
  MultilevelOptions one;
  one.coarsest_ncuts = 1;
  MultilevelStats s1, s4, s8;
  MultilevelMetisPartition(g, w, o, one, &s1);
  MultilevelMetisPartition(g, w, o, {}, &s4);
  EXPECT_EQ(s1.metis.ncuts, 1);
  EXPECT_EQ(s4.metis.ncuts, 4);  // the default
  EXPECT_LE(s4.metis.objective, s1.metis.objective);
  o.metis_ncuts = 8;  // the flag wins when it asks for more
  MultilevelMetisPartition(g, w, o, {}, &s8);
  EXPECT_EQ(s8.metis.ncuts, 8);
}

TEST(MultilevelMetis, unbuilt_level_one_gives_a_balanced_partition_of_the_same_quality) {
  const Graph g = PlantedCommunities(8, 80, 30, 11);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  PartitionOptions o;
  o.num_parts = 8;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, FindTrainingSeeds(g, "listened"), "listened");
  MultilevelOptions built, unbuilt;
  unbuilt.unbuilt_level1_min_entries = 0;
  MultilevelStats s_built, s_unbuilt;
  const Assignment a = MultilevelMetisPartition(g, w, o, built, &s_built);
  const Assignment b = MultilevelMetisPartition(g, w, o, unbuilt, &s_unbuilt);
  ExpectBalanced(w, b, 8, o.imbalance, "unbuilt level 1");
  ASSERT_GE(s_unbuilt.levels, 2);
  EXPECT_EQ(s_unbuilt.level_entries[0], -1);
  EXPECT_GT(s_built.level_entries[0], 0);
  // Same clustering of level 0 either way.
  EXPECT_EQ(s_unbuilt.level_nodes[0], s_built.level_nodes[0]);
  const int64_t cut_a = WeightedCut(p, a), cut_b = WeightedCut(p, b);
  EXPECT_LE(cut_b * 4, cut_a * 5) << cut_b << " vs " << cut_a;
  EXPECT_EQ(MultilevelMetisPartition(g, w, o, unbuilt), b);
}

TEST(MetisPartitioner, refinement_after_metis_removes_exactly_the_reported_gain) {
  const Graph g = PlantedCommunities(4, 100, 40, 3);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  PartitionOptions o;
  o.num_parts = 4;
  o.metis_coarsening = MetisCoarsening::kNone;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, FindTrainingSeeds(g, "listened"), "listened");
  MetisStats stats;
  const Assignment part = MetisPartition(g, w, o, &stats);
  EXPECT_GE(stats.refine_gain, 0);
  EXPECT_EQ(WeightedCut(p, part), stats.objective - stats.refine_gain);
  ExpectBalanced(w, part, 4, o.imbalance, "metis + refine");
}

TEST(MultilevelMetis, coarsening_choice_and_its_errors) {
  const Graph g = TwoCommunities();
  PartitionOptions o;
  o.metis_coarsening = MetisCoarsening::kAuto;
  EXPECT_FALSE(UsesLpCoarsening(g, o));  // far below kLpAutoMinEntries
  o.metis_coarsening = MetisCoarsening::kLp;
  EXPECT_TRUE(UsesLpCoarsening(g, o));
  o.metis_coarsening = MetisCoarsening::kNone;
  EXPECT_FALSE(UsesLpCoarsening(g, o));
  EXPECT_EQ(ParseMetisCoarsening("lp"), MetisCoarsening::kLp);
  EXPECT_EQ(ToString(MetisCoarsening::kAuto), "auto");
  EXPECT_THROW(ParseMetisCoarsening("matching"), UsageError);
  o.metis_coarsening = MetisCoarsening::kLp;
  o.edge_weights = EdgeWeighting::kTraffic;
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, FindTrainingSeeds(g, "listened"), "listened");
  EXPECT_THROW(MultilevelMetisPartition(g, w, o), UsageError);
  o.edge_weights = EdgeWeighting::kCount;
  EXPECT_THROW(MultilevelMetisPartition(g, w, o, {}, nullptr, /*max_index=*/3), LimitError);
  o.num_parts = 1;
  EXPECT_EQ(MultilevelMetisPartition(g, w, o), Assignment(6, 0));
}

}  // namespace
}  // namespace melograph
