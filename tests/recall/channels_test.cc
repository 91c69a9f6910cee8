#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "common/error.h"
#include "graph/graph_builder.h"
#include "recall/channel_itemcf.h"
#include "recall/channel_mix.h"
#include "recall/channel_registry.h"
#include "recall/channel_usercf.h"
#include "recall/interactions.h"
#include "recall/top_k.h"
#include "tests/recall/channel_fixture.h"

namespace melograph {
namespace {

using testing::ChannelGraph;

constexpr int32_t kA = 0, kC = 2;

struct Env {
  Graph graph = ChannelGraph();
  Interactions train = Interactions::FromGraph(graph, "user", "song", "listened");
  ChannelContext context() const { return {&graph, &train, 1}; }
};

// The channel's finite-score recommendations for `user` (train items dropped), best first.
std::vector<ScoredItem> Recommend(const Channel& channel, const Interactions& train, int32_t user,
                                  int k = 10) {
  std::vector<float> row(static_cast<size_t>(train.num_items()));
  channel.ScoreUser(user, row);
  std::vector<ScoredItem> top;
  SelectTopK(row, train.items_of(user), k, top);
  while (!top.empty() && top.back().score == kNoScore) top.pop_back();
  return top;
}

std::vector<int32_t> Items(const std::vector<ScoredItem>& top) {
  std::vector<int32_t> out;
  for (const ScoredItem& s : top) out.push_back(s.item);
  return out;
}

TEST(Interactions, reads_the_target_relation_both_ways) {
  Env env;
  EXPECT_EQ(env.train.num_users(), 3);
  EXPECT_EQ(env.train.num_items(), 6);
  EXPECT_EQ(env.train.num_pairs(), 7);
  EXPECT_EQ(std::vector<int32_t>(env.train.items_of(1).begin(), env.train.items_of(1).end()),
            (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(std::vector<int32_t>(env.train.users_of(2).begin(), env.train.users_of(2).end()),
            (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(env.train.item_degree(4), 0);
  EXPECT_THROW(Interactions::FromGraph(env.graph, "user", "podcast", "listened"), UsageError);
}

TEST(Channels, mostpop_ranks_by_listeners_without_the_users_items) {
  Env env;
  const auto ch = MakeChannel("mostpop", env.context(), {});
  const auto top = Recommend(*ch, env.train, kA, 2);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{2, 3}));  // song:3 (2 users), song:4 (1 user)
  EXPECT_EQ(ch->Explain(kA, 2).path, "song:3 <-listened- 2 users");
}

TEST(Channels, itemcf_sums_cosine_similarities_of_the_users_items) {
  Env env;
  const auto ch = MakeChannel("itemcf", env.context(), {});
  // sim(song:1, song:3) = sim(song:2, song:3) = 1/2 -> 1.0 for user a.
  auto top = Recommend(*ch, env.train, kA);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].item, 2);
  EXPECT_FLOAT_EQ(top[0].score, 1.0f);
  EXPECT_EQ(ch->Explain(kA, 2).path,
            "user:a -listened-> song:1 -similar(0.500)-> song:3 (+1 more)");
  // user c: song:1 and song:2 through song:3 (0.5 each); song:4 has no co-listener with them.
  top = Recommend(*ch, env.train, kC);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{0, 1}));
  EXPECT_FLOAT_EQ(top[0].score, 0.5f);
}

TEST(Channels, itemcf_neighbour_pruning_keeps_the_most_similar_items) {
  Env env;
  ChannelOptions options;
  options.item_neighbors = 1;  // song:1 keeps only song:2 (sim 1) and vice versa
  const auto ch = MakeChannel("itemcf", env.context(), options);
  EXPECT_TRUE(Recommend(*ch, env.train, kA).empty());
  const auto& lists = static_cast<const ItemCfChannel&>(*ch).neighbors();
  EXPECT_FLOAT_EQ(lists.Find(2, 3), 1.0f / std::sqrt(2.0f));  // song:3 -> song:4
}

TEST(Channels, cosine_neighbours_do_not_depend_on_threads_and_iuf_changes_weights) {
  Env env;
  CosineOptions one;
  CosineOptions three;
  three.threads = 3;
  const auto a = BuildCosineNeighbors(env.train, true, one);
  const auto b = BuildCosineNeighbors(env.train, true, three);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.sims, b.sims);
  CosineOptions iuf;
  iuf.iuf = true;
  // sim(song:1, song:2) = (1/ln 3 + 1/ln 4) / 2: users a (2 items) and b (3 items).
  const auto c = BuildCosineNeighbors(env.train, true, iuf);
  EXPECT_NEAR(c.Find(0, 1), (1 / std::log(3.0) + 1 / std::log(4.0)) / 2, 1e-6);
}

TEST(Channels, usercf_scores_items_of_similar_users) {
  Env env;
  const auto ch = MakeChannel("usercf", env.context(), {});
  const auto top = Recommend(*ch, env.train, kA);
  ASSERT_EQ(top.size(), 1u);  // sim(a, b) = 2 / sqrt(6); c shares nothing with a
  EXPECT_EQ(top[0].item, 2);
  EXPECT_FLOAT_EQ(top[0].score, static_cast<float>(2 / std::sqrt(6.0)));
  EXPECT_EQ(ch->Explain(kA, 2).path, "user:a -similar(0.816)-> user:b -listened-> song:3");
  EXPECT_EQ(Items(Recommend(*ch, env.train, kC)), (std::vector<int32_t>{0, 1}));
}

TEST(Channels, artist_recommends_other_songs_of_played_artists) {
  Env env;
  const auto ch = MakeChannel("artist", env.context(), {});
  ASSERT_TRUE(ch->applicable());
  const auto top = Recommend(*ch, env.train, kA);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].item, 4);            // song:5
  EXPECT_FLOAT_EQ(top[0].score, 2.0f);  // affinity 2 (two songs of artist:x) x (1 + 0)
  EXPECT_EQ(ch->Explain(kA, 4).path,
            "user:a -listened-> song:1 -by_artist-> artist:x -rev_by_artist-> song:5 (0 users)");
  EXPECT_TRUE(Recommend(*ch, env.train, kC).empty());  // artist:y has no other song
}

TEST(Channels, genre_hot_ranks_songs_of_the_users_genres_by_popularity) {
  Env env;
  const auto ch = MakeChannel("genre-hot", env.context(), {});
  const auto top = Recommend(*ch, env.train, kC);
  EXPECT_EQ(Items(top),
            (std::vector<int32_t>{0, 1, 5}));  // pop: song:1, song:2 (3); rock: song:6 (1)
  EXPECT_FLOAT_EQ(top[0].score, 3.0f);
  EXPECT_FLOAT_EQ(top[2].score, 1.0f);
  EXPECT_EQ(ch->Explain(kC, 5).channel, "genre-hot");
}

TEST(Channels, kg_hop_follows_artist_and_ost_relations) {
  Env env;
  const auto ch = MakeChannel("kg-hop", env.context(), {});
  auto top = Recommend(*ch, env.train, kC);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].item, 5);            // song:6, 3 hops: song -> artist:y -> anime:z -> song:6
  EXPECT_FLOAT_EQ(top[0].score, 2.0f);  // two walks (from song:3 and song:4)
  EXPECT_EQ(
      ch->Explain(kC, 5).path,
      "user:c -listened-> song:3 -by_artist-> artist:y -appears_in-> anime:z -rev_ost_of-> song:6");
  top = Recommend(*ch, env.train, kA);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{4}));  // song:5 through artist:x
  ChannelOptions two;
  two.hops = 2;
  EXPECT_TRUE(Recommend(*MakeChannel("kg-hop", env.context(), two), env.train, kC).empty());
}

TEST(Channels, mix_merges_by_quota_and_deduplicates) {
  Env env;
  ChannelOptions options;
  options.mix = "itemcf:1,artist:1,mostpop:1";
  const auto ch = MakeChannel("mix", env.context(), options);
  // itemcf -> song:3, artist -> song:5, mostpop -> song:3 (taken) then song:4.
  const auto top = Recommend(*ch, env.train, kA);
  EXPECT_EQ(Items(top), (std::vector<int32_t>{2, 4, 3}));
  EXPECT_EQ(ch->Explain(kA, 3).channel, "mostpop");
  EXPECT_EQ(ch->Explain(kA, 4).channel, "artist");
  options.mix = "itemcf:x";
  EXPECT_THROW(MakeChannel("mix", env.context(), options), UsageError);
  EXPECT_THROW(MakeChannel("nope", env.context(), options), UsageError);
}

TEST(Channels, kg_channels_are_not_applicable_without_their_relations) {
  const Graph graph =
      MakeGraph({{"user:a", "listened", "artist:1"}, {"user:b", "listened", "artist:2"}});
  const Interactions train = Interactions::FromGraph(graph, "user", "artist", "listened");
  const ChannelContext context{&graph, &train, 1};
  for (const char* name : {"artist", "genre-hot", "kg-hop"}) {
    const auto ch = MakeChannel(name, context, {});
    EXPECT_FALSE(ch->applicable()) << name;
    EXPECT_FALSE(ch->why_not().empty());
    EXPECT_TRUE(Recommend(*ch, train, 0).empty()) << name;
  }
}

}  // namespace
}  // namespace melograph
