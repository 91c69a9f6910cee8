#include "partition/sampling_traffic.h"

#include <gtest/gtest.h>

#include "partition/remote_sampling.h"
#include "partition/undirected_projection.h"
#include "partition/vertex_weights.h"
#include "tests/partition/partition_fixtures.h"

namespace melograph {
namespace {

using testing::TwoCommunities;

// TwoCommunities (partition_fixtures.h): x=0 y=1 a=2 b=3 c=4 d=5, roots = seeds a b c d, every
// degree <= 10 so fanouts [10,10] pick every entry: r0 = 1/4 on each seed; r1(v) = sum of r0
// over v's neighbours (x .5, y .5, a .25, b .5, c .5, d .25); D1(w) = degree(w).
TEST(SamplingTraffic, hand_computed_costs_on_two_communities) {
  const Graph g = TwoCommunities();
  const std::vector<NodeId> roots = SampleRoots(g, FindTrainingSeeds(g, "listened"));
  ASSERT_EQ(roots, (std::vector<NodeId>{2, 3, 4, 5}));
  const SamplingTraffic t(g, roots, {10, 10});
  // cost(u -> w) = r0(u) * (1 + deg(w)) + r1(u)
  EXPECT_DOUBLE_EQ(t.EntryCost(2, 0), 0.25 * 3 + 0.25);  // a -> x
  EXPECT_DOUBLE_EQ(t.EntryCost(0, 2), 0.5);              // x -> a: only at hop 2
  EXPECT_DOUBLE_EQ(t.EntryCost(3, 4), 0.25 * 4 + 0.5);   // b -> c (the bridge)
  EXPECT_DOUBLE_EQ(t.EntryCost(4, 3), 0.25 * 4 + 0.5);   // c -> b
  // Sampled edges per root: a 2+5, b 3+7, c 3+7, d 2+5 -> 8.5 on average.
  EXPECT_DOUBLE_EQ(t.picks_per_root(), 8.5);
}

TEST(SamplingTraffic, fanout_below_degree_scales_the_pick_probability) {
  const Graph g = TwoCommunities();
  const SamplingTraffic t(g, {3}, {1});  // root b (degree 3), one hop, fanout 1
  EXPECT_DOUBLE_EQ(t.EntryCost(3, 4), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(t.EntryCost(4, 3), 0.0);
  EXPECT_DOUBLE_EQ(t.picks_per_root(), 1.0);
}

TEST(UndirectedProjection, traffic_weights_are_symmetric_and_favour_the_busy_bridge) {
  const Graph g = TwoCommunities();
  const SamplingTraffic t(g, SampleRoots(g, FindTrainingSeeds(g, "listened")), {10, 10});
  const UndirectedProjection p = BuildUndirectedProjection(g, kMetisIndexMax, &t, 8.0);
  const UndirectedProjection count = BuildUndirectedProjection(g);
  EXPECT_EQ(p.xadj, count.xadj);
  EXPECT_EQ(p.adjncy, count.adjncy);
  auto weight = [&](int32_t v, int32_t u) {
    for (int32_t e = p.xadj[v]; e < p.xadj[v + 1]; ++e)
      if (p.adjncy[e] == u) return p.adjwgt[e];
    return -1;
  };
  for (int32_t v = 0; v < 6; ++v)
    for (int32_t e = p.xadj[v]; e < p.xadj[v + 1]; ++e) {
      EXPECT_GE(p.adjwgt[e], 1);
      EXPECT_EQ(p.adjwgt[e], weight(p.adjncy[e], v));
    }
  // traffic(b,c) = 1.5 + 1.5 = 3 > traffic(a,x) = 1 + 0.5 = 1.5
  EXPECT_GT(weight(3, 4), weight(2, 0));
}

}  // namespace
}  // namespace melograph
