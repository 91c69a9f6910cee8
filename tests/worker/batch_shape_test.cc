// Batch shape: sampled step sizes on the tiny drawable graph (every count by hand), the hop
// relation filters, and agreement with the sampler's own blocks.
#include "worker/batch_shape.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/sampler/sampler_fixtures.h"

namespace melograph {
namespace {

// TinyMusicGraph: a -listened-> s1, a -listened-> s2, b -listened-> s2, b -rejected-> s3, songs
// -by_artist-> artists. A batch of 64 draws every one of the 3 listened edges (seed-fixed), so
// the seeds are {a, b, s1, s2}; each hop over listened / rev_listened keeps those 4 nodes and
// their 6 edges (a-s1, a-s2, b-s2 both ways; b's rejected edge is not followed).
TEST(BatchShape, sampled_step_on_the_tiny_graph_is_counted_exactly) {
  const SerialGraph g(testing::TinyMusicGraph());
  TrainConfig c;
  c.set_model(TrainConfig::KGNN);
  c.set_loss(TrainConfig::SAMPLED_SOFTMAX);
  c.set_negatives(0);
  c.add_fanouts(-1);
  c.add_fanouts(-1);
  const BatchShape s = MeasureBatchShape(g, c, 64, 3);
  EXPECT_TRUE(s.measured);
  EXPECT_EQ(s.batch, 64);
  EXPECT_EQ(s.seeds, 4);
  ASSERT_EQ(s.edges.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(s.nodes[k + 1], 4) << k;
    EXPECT_EQ(s.edges[k], 6) << k;
    // (s1, listened), (s2, listened) [from a and b], (a, rev_listened), (b, rev_listened)
    EXPECT_EQ(s.transforms[k], 4) << k;
  }
  // Adding by_artist to the innermost hop brings the artists x in (a song's row) and, one hop
  // further, nothing new over listened: seeds 4, hop 1 +1 node (x) and +2 edges (s1, s2 -> x).
  for (int h = 0; h < 2; ++h) {  // hops(0) is the outer hop, hops(1) the inner one
    auto* hop = c.add_hops();
    hop->add_relation("listened");
    hop->add_relation("rev_listened");
  }
  c.mutable_hops(1)->add_relation("by_artist");
  c.add_hops();  // a third entry: more filters than layers
  EXPECT_THROW(MeasureBatchShape(g, c, 64, 3), UsageError);
  c.mutable_hops()->RemoveLast();
  const BatchShape kg = MeasureBatchShape(g, c, 64, 3);
  EXPECT_EQ(kg.nodes[1], 5);
  EXPECT_EQ(kg.edges[0], 8);
  EXPECT_EQ(kg.transforms[0], 5);  // + (x, by_artist)
  EXPECT_EQ(kg.nodes[2], 5);
  EXPECT_EQ(kg.edges[1], 6 + 0);   // x's row holds only rev_by_artist, not followed by the outer hop
}

// Skip-gram: users a and b start 3 walks each over user -listened-> song -rev_listened-> user;
// no walk dead-ends (every song has a listener), so each has 3 nodes and, with window 1, 4 pairs.
TEST(BatchShape, walk_shape_counts_walks_nodes_and_pairs) {
  const auto g = testing::TinyMusicGraph();
  TrainConfig c;
  c.set_model(TrainConfig::SGNS);
  c.add_metapaths("user -listened-> song -rev_listened-> user");
  c.set_walk_length(2);
  c.set_walks_per_node(3);
  c.set_window(1);
  c.set_negatives(2);
  const BatchShape s = MeasureWalkShape(*g, c, 10, 1);
  EXPECT_EQ(s.walks, 6);
  EXPECT_EQ(s.walk_nodes, 18);
  EXPECT_EQ(s.pairs, 24);
  EXPECT_EQ(s.seeds, 10 * (2 + 2));  // centres, contexts and negatives of a step
}

TEST(BatchShape, hop_relations_default_to_the_target_and_its_reverse) {
  const SerialGraph g(testing::TinyMusicGraph());
  TrainConfig c;
  const std::vector<RelationSet> hops = HopRelations(c, g.relations(), 2);
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[0], g.relations().Resolve("listened|rev_listened"));
  EXPECT_EQ(UnionOf(hops), hops[0]);
  EXPECT_EQ(GnnLayers(c), 3);  // `layers` without fanouts
  c.set_model(TrainConfig::SGNS);
  EXPECT_EQ(GnnLayers(c), 0);
}

}  // namespace
}  // namespace melograph
