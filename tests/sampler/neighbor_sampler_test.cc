#include "sampler/neighbor_sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/error.h"
#include "tests/sampler/sampler_fixtures.h"

namespace melograph {
namespace {

using testing::TinyMusicGraph;

NeighborSamplerOptions Options(const SerialGraph& g, std::vector<int32_t> fanouts, const std::string& relations,
                               bool weighted = false, uint64_t seed = 1) {
  NeighborSamplerOptions o;
  o.relations = g.relations().ParseHopRelations(relations, fanouts.size());
  o.fanouts = std::move(fanouts);
  o.weighted = weighted;
  o.seed = seed;
  return o;
}

// Exact output on the tiny graph (ids in sampler_fixtures.h), every neighbour taken (-1):
// hop 1 follows `listened` from users a=5, b=6; hop 2 follows `by_artist` from everything.
TEST(NeighborSampler, exact_blocks_on_tiny_graph_with_relation_filters) {
  const SerialGraph g(TinyMusicGraph());
  ASSERT_EQ(g.graph().Key(5), "user:a");
  ASSERT_EQ(g.relations().Find("listened"), std::vector<RelationId>{2});
  ASSERT_EQ(g.relations().Find("by_artist"), std::vector<RelationId>{0});
  SerialNeighborSampler s(g, Options(g, {-1, -1}, "listened;by_artist"));
  const std::vector<NodeId> seeds = {5, 5, 6};
  const SampledSubgraph sub = s.Sample(seeds, 0, 0);
  ASSERT_EQ(sub.blocks.size(), 2u);
  EXPECT_EQ(sub.seeds, seeds);
  const Block& inner = sub.blocks[1];  // nearest the seeds
  EXPECT_EQ(inner.dst, (std::vector<NodeId>{5, 6}));
  EXPECT_EQ(inner.src, (std::vector<NodeId>{5, 6, 2, 3}));
  EXPECT_EQ(inner.edge_offsets, (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(inner.edge_src, (std::vector<int32_t>{2, 3, 3}));
  EXPECT_EQ(inner.edge_relation, (std::vector<RelationId>{2, 2, 2}));
  EXPECT_EQ(inner.edge_weight, (std::vector<float>{1, 3, 2}));
  const Block& outer = sub.blocks[0];
  EXPECT_EQ(outer.dst, inner.src);
  EXPECT_EQ(outer.src, (std::vector<NodeId>{5, 6, 2, 3, 0}));
  EXPECT_EQ(outer.edge_offsets, (std::vector<int64_t>{0, 0, 0, 1, 2}));
  EXPECT_EQ(outer.edge_src, (std::vector<int32_t>{4, 4}));
  EXPECT_EQ(outer.edge_relation, (std::vector<RelationId>{0, 0}));
  EXPECT_EQ(FirstDifference(sub, s.Sample(seeds, 0, 0)), "");
}

// b=6 has listened s2 (weight 2) and rejected s3 (weight -1): uniform takes both, weighted only s2.
TEST(NeighborSampler, weighted_never_picks_nonpositive_weights) {
  const SerialGraph g(TinyMusicGraph());
  const std::vector<NodeId> seeds = {6};
  SerialNeighborSampler uniform(g, Options(g, {5}, ""));
  EXPECT_EQ(uniform.Sample(seeds, 0, 0).blocks[0].src, (std::vector<NodeId>{6, 3, 4}));
  SerialNeighborSampler weighted(g, Options(g, {5}, "", true));
  for (int step = 0; step < 20; ++step) {
    const Block b = weighted.Sample(seeds, 0, step).blocks[0];
    EXPECT_EQ(b.src, (std::vector<NodeId>{6, 3}));
    EXPECT_EQ(b.edge_weight, (std::vector<float>{2}));
  }
}

TEST(NeighborSampler, fanout_without_replacement_filters_and_block_contract) {
  const SerialGraph g(testing::SmallMusicWorld(60, 3));
  const auto listened = g.relations().Find("listened");
  SerialNeighborSampler s(g, Options(g, {3, 2}, "listened;by_artist|in_album"));
  std::vector<NodeId> seeds;
  for (NodeId v = 0; v < g.num_nodes(); ++v)
    if (g.graph().Key(v).rfind("user:", 0) == 0 && seeds.size() < 10) seeds.push_back(v);
  seeds.push_back(seeds[0]);
  for (int step = 0; step < 5; ++step) {
    const SampledSubgraph sub = s.Sample(seeds, 1, step);
    ASSERT_EQ(sub.blocks.size(), 2u);
    EXPECT_EQ(sub.blocks[1].dst.size(), 10u);  // de-duplicated seeds
    EXPECT_EQ(sub.blocks[0].dst, sub.blocks[1].src);
    for (size_t l = 0; l < 2; ++l) {
      const Block& b = sub.blocks[l];
      const int32_t fanout = l == 1 ? 3 : 2;
      EXPECT_EQ(std::vector<NodeId>(b.src.begin(), b.src.begin() + static_cast<long>(b.dst.size())), b.dst);
      EXPECT_EQ(std::set<NodeId>(b.src.begin(), b.src.end()).size(), b.src.size());
      for (size_t i = 0; i < b.dst.size(); ++i) {
        const NodeId v = b.dst[i];
        const int64_t n = b.edge_offsets[i + 1] - b.edge_offsets[i];
        std::multiset<std::pair<NodeId, RelationId>> in_row;
        int64_t eligible = 0;
        const RowSpans row = g.Row(v);
        for (int64_t p = 0; p < row.size(); ++p) {
          const RelationId r = row.relation[static_cast<size_t>(p)];
          const std::string& name = g.relations()[r].name;
          const bool ok = l == 1 ? name == "listened" : (name == "by_artist" || name == "in_album");
          if (ok) {
            ++eligible;
            in_row.insert({row.neighbor[static_cast<size_t>(p)], r});
          }
        }
        EXPECT_EQ(n, std::min<int64_t>(eligible, fanout)) << "node " << v;
        std::set<std::pair<NodeId, RelationId>> picked;
        for (int64_t e = b.edge_offsets[i]; e < b.edge_offsets[i + 1]; ++e) {
          const auto key = std::make_pair(b.src[static_cast<size_t>(b.edge_src[static_cast<size_t>(e)])],
                                          b.edge_relation[static_cast<size_t>(e)]);
          EXPECT_TRUE(in_row.count(key)) << "edge not in the filtered row of " << v;
          picked.insert(key);
        }
        EXPECT_EQ(static_cast<int64_t>(picked.size()), n) << "repeated pick (rows have no parallel edges)";
      }
    }
  }
  (void)listened;
}

TEST(NeighborSampler, same_inputs_same_sample_and_seed_or_step_changes_it) {
  const SerialGraph g(testing::SmallMusicWorld(60, 3));
  SerialNeighborSampler a(g, Options(g, {2, 2}, "", false, 7));
  SerialNeighborSampler b(g, Options(g, {2, 2}, "", false, 7));
  SerialNeighborSampler c(g, Options(g, {2, 2}, "", false, 8));
  std::vector<NodeId> seeds;
  for (NodeId v = 0; v < 40; ++v) seeds.push_back(v);
  EXPECT_EQ(FirstDifference(a.Sample(seeds, 0, 3), b.Sample(seeds, 0, 3)), "");
  EXPECT_NE(FirstDifference(a.Sample(seeds, 0, 3), c.Sample(seeds, 0, 3)), "");
  EXPECT_NE(FirstDifference(a.Sample(seeds, 0, 3), a.Sample(seeds, 0, 4)), "");
  // A row's sample does not depend on the rest of the batch.
  const std::vector<NodeId> one = {seeds[5]};
  const Block alone = a.Sample(one, 0, 3).blocks[1];
  const Block in_batch = a.Sample(seeds, 0, 3).blocks[1];
  std::vector<NodeId> from_batch;
  for (int64_t e = in_batch.edge_offsets[5]; e < in_batch.edge_offsets[6]; ++e)
    from_batch.push_back(in_batch.src[static_cast<size_t>(in_batch.edge_src[static_cast<size_t>(e)])]);
  std::vector<NodeId> from_alone;
  for (int32_t i : alone.edge_src) from_alone.push_back(alone.src[static_cast<size_t>(i)]);
  EXPECT_EQ(from_alone, from_batch);
}

// One weighted pick from u's row (weights 1, 2, 3, 4 and 0) over many steps follows the weights.
TEST(NeighborSampler, weighted_frequencies_follow_edge_weights_chi_square) {
  const SerialGraph g(std::make_shared<const Graph>(MakeGraph({{"user:u", "listened", "song:1", 1.0f},
                                                                {"user:u", "listened", "song:2", 2.0f},
                                                                {"user:u", "listened", "song:3", 3.0f},
                                                                {"user:u", "listened", "song:4", 4.0f},
                                                                {"user:u", "listened", "song:5", 0.0f}})));
  const NodeId u = *g.graph().Find("user:u");
  SerialNeighborSampler s(g, Options(g, {1}, "listened", true, 3));
  std::map<NodeId, double> count;
  const int trials = 20000;
  const std::vector<NodeId> seeds = {u};
  for (int t = 0; t < trials; ++t) {
    const Block b = s.Sample(seeds, 0, t).blocks[0];
    ASSERT_EQ(b.num_edges(), 1);
    ++count[b.src[static_cast<size_t>(b.edge_src[0])]];
  }
  EXPECT_EQ(count[*g.graph().Find("song:5")], 0);
  double chi2 = 0;
  for (int i = 1; i <= 4; ++i) {
    const double expected = trials * i / 10.0;
    const double c = count[*g.graph().Find("song:" + std::to_string(i))];
    chi2 += (c - expected) * (c - expected) / expected;
  }
  EXPECT_LT(chi2, 16.27);  // 3 dof, p = 0.001
}

TEST(NeighborSampler, bad_options_and_seeds_are_usage_errors) {
  const SerialGraph g(TinyMusicGraph());
  EXPECT_THROW(SerialNeighborSampler(g, Options(g, {}, "")), UsageError);
  EXPECT_THROW(SerialNeighborSampler(g, Options(g, {0}, "")), UsageError);
  EXPECT_THROW(g.relations().ParseHopRelations("listened", 2), UsageError);
  EXPECT_THROW(g.relations().ParseHopRelations("listened;nope", 2), UsageError);
  EXPECT_THROW(ParseFanouts("10,x"), UsageError);
  EXPECT_EQ(ParseFanouts("15,10,5"), (std::vector<int32_t>{15, 10, 5}));
  SerialNeighborSampler s(g, Options(g, {1}, ""));
  const std::vector<NodeId> bad = {99};
  EXPECT_THROW(s.Sample(bad, 0, 0), UsageError);
}

}  // namespace
}  // namespace melograph
