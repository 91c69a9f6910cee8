#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/error.h"
#include "partition/hash_partitioner.h"
#include "partition/ldg_partitioner.h"
#include "partition/metis_partitioner.h"
#include "partition/partition_pipeline.h"
#include "partition/undirected_projection.h"
#include "partition/vertex_weights.h"
#include "tests/partition/partition_fixtures.h"

namespace melograph {
namespace {

using testing::PlantedCommunities;
using testing::TwoCommunities;

int64_t CutOf(const UndirectedProjection& p, const Assignment& part) {
  int64_t cut = 0;
  for (int64_t v = 0; v < p.num_nodes(); ++v)
    for (int32_t e = p.xadj[v]; e < p.xadj[v + 1]; ++e)
      if (p.adjncy[e] > v && part[p.adjncy[e]] != part[v]) ++cut;
  return cut;
}

PartitionOptions Options(int32_t k, PartitionMethod method) {
  PartitionOptions o;
  o.num_parts = k;
  o.method = method;
  return o;
}

TEST(UndirectedProjection, merges_relations_drops_self_loops_counts_multiplicity) {
  // user:a -listened-> artist:x, user:a -tagged-> artist:x (parallel), user:a -likes-> user:a (loop)
  // ids: x=0 a=1
  const Graph g = MakeGraph({{"user:a", "listened", "artist:x", 7.0f},
                             {"user:a", "tagged", "artist:x", 2.0f},
                             {"user:a", "likes", "user:a", 1.0f}});
  const UndirectedProjection p = BuildUndirectedProjection(g);
  EXPECT_EQ(p.xadj, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(p.adjncy, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(p.adjwgt, (std::vector<int32_t>{2, 2}));
  EXPECT_EQ(p.num_undirected_edges(), 1);
}

TEST(UndirectedProjection, two_communities_has_seven_symmetric_edges) {
  const UndirectedProjection p = BuildUndirectedProjection(TwoCommunities());
  EXPECT_EQ(p.num_undirected_edges(), 7);
  // b = 3: x, a, c
  EXPECT_EQ(std::vector<int32_t>(p.adjncy.begin() + p.xadj[3], p.adjncy.begin() + p.xadj[4]),
            (std::vector<int32_t>{0, 2, 4}));
}

TEST(UndirectedProjection, refuses_adjacency_beyond_the_index_limit_and_names_it) {
  try {
    BuildUndirectedProjection(TwoCommunities(), /*max_index=*/13);
    FAIL() << "expected LimitError";
  } catch (const LimitError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("14"), std::string::npos) << what;
    EXPECT_NE(what.find("limit 13"), std::string::npos) << what;
    EXPECT_NE(what.find("--method ldg"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(BuildUndirectedProjection(TwoCommunities(), /*max_index=*/14));
}

TEST(MetisPartitioner, limit_error_reaches_the_caller) {
  const Graph g = TwoCommunities();
  const auto seeds = FindTrainingSeeds(g, "listened");
  const VertexWeights w = ComputeVertexWeights(g, {BalanceConstraint::kNodes}, seeds, "listened");
  EXPECT_THROW(MetisPartition(g, w, Options(2, PartitionMethod::kMetis), nullptr, 10), LimitError);
}

TEST(VertexWeights, nodes_edges_seeds) {
  const Graph g = TwoCommunities();
  const auto seeds = FindTrainingSeeds(g, "listened");
  EXPECT_EQ(seeds, (std::vector<uint8_t>{0, 0, 1, 1, 1, 1}));
  const VertexWeights w = ComputeVertexWeights(
      g, {BalanceConstraint::kNodes, BalanceConstraint::kEdges, BalanceConstraint::kSeeds}, seeds, "listened");
  EXPECT_EQ(w.total, (std::vector<int64_t>{6, 14, 4}));
  EXPECT_EQ(w.at(3, 1), 3);  // b: x, a, c
  EXPECT_EQ(w.at(0, 2), 0);
}

TEST(VertexWeights, seeds_constraint_without_seed_relation_is_a_usage_error) {
  const Graph g = TwoCommunities();
  const auto seeds = FindTrainingSeeds(g, "played");
  try {
    ComputeVertexWeights(g, {BalanceConstraint::kSeeds}, seeds, "played");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'played'"), std::string::npos) << e.what();
  }
}

TEST(MetisPartitioner, cuts_only_the_bridge_of_two_communities) {
  const Graph g = TwoCommunities();
  const Assignment part = ComputeAssignment(g, Options(2, PartitionMethod::kMetis));
  EXPECT_EQ(part[0], part[2]);  // x, a, b together
  EXPECT_EQ(part[0], part[3]);
  EXPECT_EQ(part[1], part[4]);  // y, c, d together
  EXPECT_EQ(part[1], part[5]);
  EXPECT_NE(part[0], part[1]);
  EXPECT_EQ(CutOf(BuildUndirectedProjection(g), part), 1);
}

TEST(HashPartitioner, is_id_mod_k) {
  const Graph g = TwoCommunities();
  EXPECT_EQ(HashPartition(g, 2), (Assignment{0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(HashPartition(g, 4), (Assignment{0, 1, 2, 3, 0, 1}));
  // parts {x,a,c} {y,b,d}: only a-x and d-y stay inside.
  EXPECT_EQ(CutOf(BuildUndirectedProjection(g), HashPartition(g, 2)), 5);
}

TEST(LdgPartitioner, keeps_communities_together_on_the_tiny_graph) {
  const Graph g = TwoCommunities();
  PartitionOptions o = Options(2, PartitionMethod::kLdg);
  o.constraints = {BalanceConstraint::kNodes};
  o.imbalance = 1.0;
  const Assignment part = ComputeAssignment(g, o);
  EXPECT_EQ(std::count(part.begin(), part.end(), 0), 3);
  EXPECT_LE(CutOf(BuildUndirectedProjection(g), part), 2);
}

TEST(Partitioners, every_method_handles_k_equal_1) {
  const Graph g = TwoCommunities();
  for (const auto m : {PartitionMethod::kMetis, PartitionMethod::kHash, PartitionMethod::kLdg})
    EXPECT_EQ(ComputeAssignment(g, Options(1, m)), Assignment(6, 0)) << ToString(m);
}

TEST(Partitioners, k_zero_and_k_above_node_count_are_usage_errors) {
  const Graph g = TwoCommunities();
  for (const auto m : {PartitionMethod::kMetis, PartitionMethod::kHash, PartitionMethod::kLdg}) {
    EXPECT_THROW(ComputeAssignment(g, Options(0, m)), UsageError);
    try {
      ComputeAssignment(g, Options(7, m));
      FAIL();
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("larger than the graph's 6 nodes"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(ComputeAssignment(g, Options(6, PartitionMethod::kHash)));
}

TEST(Partitioners, same_seed_gives_the_same_partition) {
  const Graph g = PlantedCommunities(4, 60, 30, 7);
  for (const auto m : {PartitionMethod::kMetis, PartitionMethod::kLdg}) {
    PartitionOptions o = Options(4, m);
    o.seed = 42;
    EXPECT_EQ(ComputeAssignment(g, o), ComputeAssignment(g, o)) << ToString(m);
  }
}

TEST(Partitioners, metis_and_ldg_beat_hash_and_respect_balance_on_planted_communities) {
  const Graph g = PlantedCommunities(4, 100, 40, 3);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  const auto seeds = FindTrainingSeeds(g, "listened");
  const PartitionOptions base = Options(4, PartitionMethod::kMetis);
  const VertexWeights w = ComputeVertexWeights(g, base.constraints, seeds, "listened");
  const int64_t hash_cut = CutOf(p, ComputeAssignment(g, Options(4, PartitionMethod::kHash)));
  std::map<PartitionMethod, int64_t> cut;
  for (const auto m : {PartitionMethod::kMetis, PartitionMethod::kLdg}) {
    const Assignment part = ComputeAssignment(g, Options(4, m));
    cut[m] = CutOf(p, part);
    for (int32_t c = 0; c < w.ncon; ++c) {
      std::vector<int64_t> load(4, 0);
      for (NodeId v = 0; v < g.num_nodes(); ++v) load[part[v]] += w.at(v, c);
      const double mean = static_cast<double>(w.total[c]) / 4;
      for (const int64_t l : load)
        EXPECT_LE(static_cast<double>(l), base.imbalance * mean + 1.0) << ToString(m) << " constraint " << c;
    }
  }
  // METIS at most half of hash's cut; restreamed LDG clearly below hash. (On this small
  // fixture LDG is not closer to METIS than to hash: 1315 vs the midpoint 1156; on the Last.fm
  // and generated graphs it is, docs/BENCHMARKS.md "Partition".)
  EXPECT_LT(cut[PartitionMethod::kMetis] * 2, hash_cut) << cut[PartitionMethod::kMetis] << " vs " << hash_cut;
  EXPECT_LT(cut[PartitionMethod::kLdg] * 4, hash_cut * 3)
      << "ldg " << cut[PartitionMethod::kLdg] << " metis " << cut[PartitionMethod::kMetis] << " hash " << hash_cut;
}

TEST(LdgPartitioner, restreaming_never_increases_the_cut_and_ends_within_capacity) {
  const Graph g = PlantedCommunities(4, 100, 40, 5);
  const UndirectedProjection p = BuildUndirectedProjection(g);
  const auto seeds = FindTrainingSeeds(g, "listened");
  PartitionOptions o = Options(4, PartitionMethod::kLdg);
  const VertexWeights w = ComputeVertexWeights(g, o.constraints, seeds, "listened");
  int64_t previous = -1;
  for (const int32_t passes : {1, 2, 4, 8}) {
    o.ldg_passes = passes;
    const Assignment part = LdgPartition(g, w, o);
    const int64_t cut = CutOf(p, part);
    if (previous >= 0) {
      EXPECT_LE(cut, previous) << passes << " passes";
    }
    previous = cut;
    if (passes < 4) continue;
    for (int32_t c = 0; c < w.ncon; ++c) {
      std::vector<int64_t> load(4, 0);
      for (NodeId v = 0; v < g.num_nodes(); ++v) load[part[v]] += w.at(v, c);
      for (const int64_t l : load)
        EXPECT_LE(static_cast<double>(l), o.imbalance * static_cast<double>(w.total[c]) / 4) << passes << " " << c;
    }
  }
}

TEST(MetisPartitioner, traffic_weights_also_give_a_balanced_partition) {
  const Graph g = PlantedCommunities(4, 100, 40, 3);
  PartitionOptions o = Options(4, PartitionMethod::kMetis);
  o.edge_weights = EdgeWeighting::kTraffic;
  const Assignment part = ComputeAssignment(g, o);
  const int64_t hash_cut = CutOf(BuildUndirectedProjection(g), ComputeAssignment(g, Options(4, PartitionMethod::kHash)));
  EXPECT_LT(CutOf(BuildUndirectedProjection(g), part) * 2, hash_cut);
  EXPECT_THROW(ParseEdgeWeighting("uniform"), UsageError);
  EXPECT_EQ(ParseEdgeWeighting("traffic"), EdgeWeighting::kTraffic);
}

TEST(PartitionTypes, parses_methods_and_balance_lists) {
  EXPECT_EQ(ParsePartitionMethod("ldg"), PartitionMethod::kLdg);
  EXPECT_THROW(ParsePartitionMethod("random"), UsageError);
  EXPECT_EQ(ParseBalanceList("seeds,nodes"),
            (std::vector<BalanceConstraint>{BalanceConstraint::kSeeds, BalanceConstraint::kNodes}));
  EXPECT_THROW(ParseBalanceList("nodes,nodes"), UsageError);
  EXPECT_THROW(ParseBalanceList(""), UsageError);
  EXPECT_THROW(ParseBalanceList("nodes,weight"), UsageError);
}

}  // namespace
}  // namespace melograph
