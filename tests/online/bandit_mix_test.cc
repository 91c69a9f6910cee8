// Exploration bandit over the recall mix (online/bandit_mix.h): the feedback reader (sums per
// user and channel, bad lines with file/line/column), the planner's lists on a hand-drawn graph,
// and `melograph recall|eval --channel mix --bandit ... --feedback ...` through the binary.
#include "online/bandit_mix.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "graph/graph_io.h"
#include "recall/channel_registry.h"
#include "recall/interactions.h"
#include "tests/recall/channel_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// tests/recall/channel_fixture.h: songs 0..5 = song:1..6; users a = 0, b = 1, c = 2. Listeners:
// song:1-3 two each, song:4 one. For user a: itemcf -> song:3; artist -> song:5; mostpop ->
// song:3, song:4, song:5.
using testing::ChannelGraph;

struct MixEnv {
  testing::TempDir dir;
  Graph graph = ChannelGraph();
  Interactions train = Interactions::FromGraph(graph, "user", "song", "listened");
  std::unique_ptr<Channel> mix;
  MixEnv() {
    ChannelOptions options;
    options.mix = "itemcf:1,artist:1,mostpop:1";
    mix = MakeChannel("mix", {&graph, &train, 1}, options);
  }
  MixChannel& Mix() { return dynamic_cast<MixChannel&>(*mix); }
  int32_t Lookup(const std::string& key) const {
    const auto node = graph.Find(key);
    return node ? static_cast<int32_t>(*node - train.user_begin()) : -1;
  }
  ChannelFeedback Read(const std::string& contents, int64_t max_bad_lines = 0) {
    testing::WriteFile(dir.File("feedback.tsv"), contents);
    return ChannelFeedback::Read(dir.File("feedback.tsv"), {"itemcf", "artist", "mostpop"}, train.num_users(),
                                 [this](const std::string& k) { return Lookup(k); }, max_bad_lines);
  }
  // The mix's list for `user` as (song key, channel) pairs.
  std::vector<std::string> List(int32_t user) {
    std::vector<std::string> out;
    for (const auto& slot : Mix().Merge(user))
      out.push_back(graph.Key(train.item_begin() + slot.item) + "/" + Mix().part_name(slot.part));
    return out;
  }
};

TEST(BanditMix, feedback_sums_per_user_and_channel) {
  MixEnv env;
  const ChannelFeedback f = env.Read(
      "# user\tchannel\treward\n"
      "a\tmostpop\t1\n"
      "user:a\tmostpop\t0.5\n"
      "a\titemcf\t0\n"
      "\n"
      "c\tartist\t1\r\n");
  EXPECT_EQ(f.impressions(), 4);
  EXPECT_EQ(f.users_with_feedback(), 2);
  EXPECT_TRUE(f.has(0));
  EXPECT_FALSE(f.has(1));
  const auto a = f.arms(0);
  EXPECT_EQ(a[0].pulls, 1);
  EXPECT_EQ(a[0].reward_sum, 0);
  EXPECT_EQ(a[1].pulls, 0);
  EXPECT_EQ(a[2].pulls, 2);
  EXPECT_EQ(a[2].reward_sum, 1.5);
  EXPECT_EQ(a[2].reward_sq_sum, 1.25);
  EXPECT_EQ(f.arms(2)[1].reward_sum, 1);
}

TEST(BanditMix, bad_feedback_lines_name_file_line_and_column) {
  MixEnv env;
  const auto fails = [&](const std::string& line, int64_t column, const std::string& reason) {
    try {
      env.Read("a\tmostpop\t1\n" + line + "\n");
      ADD_FAILURE() << "accepted: " << line;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), env.dir.File("feedback.tsv"));
      EXPECT_EQ(e.line(), 2) << line;
      EXPECT_EQ(e.column(), column) << line;
      EXPECT_NE(e.reason().find(reason), std::string::npos) << e.what();
    }
  };
  fails("a\tmostpop", 1, "expected 3 tab-separated fields");
  fails("zed\tmostpop\t1", 1, "unknown user 'zed'");
  fails("a\tusercf\t1", 3, "unknown channel 'usercf' (the mix has itemcf, artist, mostpop)");
  fails("a\tartist\t1.5", 10, "reward '1.5' is not a number in [0, 1]");
  fails("a\tartist\tyes", 10, "reward 'yes' is not a number in [0, 1]");
  // Within --max-bad-lines: counted and skipped.
  const ChannelFeedback f = env.Read("a\tmostpop\t1\nzed\tmostpop\t1\na\tartist\t-1\n", 2);
  EXPECT_EQ(f.impressions(), 1);
  EXPECT_EQ(f.bad_lines_skipped(), 2);
}

TEST(BanditMix, planner_fills_slots_from_the_best_channels_and_keeps_quotas_without_feedback) {
  MixEnv env;
  // Quota mix for a: itemcf song:3, artist song:5, mostpop song:3 (taken) -> song:4.
  EXPECT_EQ(env.List(0), (std::vector<std::string>{"song:3/itemcf", "song:5/artist", "song:4/mostpop"}));
  // a skipped what itemcf and artist served and played mostpop's: greedy gives every slot to
  // mostpop (song:3, song:4, song:5). b has no feedback: the quota mix.
  auto feedback = std::make_shared<const ChannelFeedback>(
      env.Read("a\titemcf\t0\na\tartist\t0\na\tmostpop\t1\na\tmostpop\t1\n"));
  const std::vector<std::string> quota_b = env.List(1);
  env.Mix().set_slot_planner(MakeBanditPlanner(BanditPolicy(ParseBanditPolicy("greedy", 0)), feedback, 7));
  EXPECT_EQ(env.List(0), (std::vector<std::string>{"song:3/mostpop", "song:4/mostpop", "song:5/mostpop"}));
  EXPECT_EQ(env.List(1), quota_b);
  // UCB1 on the same statistics: N = 4, mostpop 1 + sqrt(2 ln 4 / 2) = 2.18 against 0 + sqrt(2 ln 4)
  // = 1.67 for itemcf and artist: slot 1 mostpop; the pending pull shrinks its radius (N = 5, n = 3:
  // 1 + 1.03 = 2.03 > 1.79), slot 2 mostpop again; slot 3 (N = 6, n = 4: 1 + 0.95 = 1.95 > 1.89).
  env.Mix().set_slot_planner(MakeBanditPlanner(BanditPolicy(ParseBanditPolicy("ucb1", 0)), feedback, 7));
  EXPECT_EQ(env.List(0), (std::vector<std::string>{"song:3/mostpop", "song:4/mostpop", "song:5/mostpop"}));
  // A channel with no candidate left hands its slot to the quota rule: all three slots planned for
  // artist (one candidate, song:5), then itemcf (song:3) and mostpop (song:4) by quota.
  auto artist_only = std::make_shared<const ChannelFeedback>(env.Read("a\tartist\t1\na\titemcf\t0\na\tmostpop\t0\n"));
  env.Mix().set_slot_planner(MakeBanditPlanner(BanditPolicy(ParseBanditPolicy("greedy", 0)), artist_only, 7));
  EXPECT_EQ(env.List(0), (std::vector<std::string>{"song:5/artist", "song:3/itemcf", "song:4/mostpop"}));
  // Thompson: a pure function of seed and user.
  env.Mix().set_slot_planner(MakeBanditPlanner(BanditPolicy(ParseBanditPolicy("thompson", 0)), feedback, 7));
  const auto first = env.List(0);
  EXPECT_EQ(env.List(0), first);
}

TEST(BanditMix, recall_and_eval_cli_take_bandit_and_feedback) {
  MixEnv env;
  const std::string graph_dir = env.dir.File("graph");
  SaveGraph(env.graph, graph_dir);
  testing::WriteFile(env.dir.File("fb.tsv"), "a\titemcf\t0\na\tartist\t0\na\tmostpop\t1\na\tmostpop\t1\n");
  const std::string base = "recall --graph " + graph_dir + " --channel mix --mix itemcf:1,artist:1,mostpop:1 ";
  auto r = testing::RunMelograph(base + "--user user:a --bandit greedy --feedback " + env.dir.File("fb.tsv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("bandit: greedy, feedback: 4 impressions from 1 users"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1\tsong:3\t3.0000\tmostpop\t"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3\tsong:5\t1.0000\tmostpop\t"), std::string::npos) << r.output;
  r = testing::RunMelograph(base + "--user user:a --bandit greedy");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bandit and --feedback go together"), std::string::npos) << r.output;
  r = testing::RunMelograph("recall --graph " + graph_dir + " --channel itemcf --user user:a --bandit greedy --feedback " +
                            env.dir.File("fb.tsv"));
  EXPECT_NE(r.output.find("--bandit needs --channel mix"), std::string::npos) << r.output;
  testing::WriteFile(env.dir.File("bad.tsv"), "a\tkg-hop\t1\n");
  r = testing::RunMelograph(base + "--user user:a --bandit ucb1 --feedback " + env.dir.File("bad.tsv"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.tsv:1:3: unknown channel 'kg-hop'"), std::string::npos) << r.output;
  // eval: a's test song:4 is second in the bandit list (song:3, song:4, song:5) but not in the quota
  // list's top 2 (song:3, song:5).
  testing::WriteFile(env.dir.File("test.tsv"), "user:a\tsong:4\n");
  r = testing::RunMelograph("eval --graph " + graph_dir + " --test " + env.dir.File("test.tsv") +
                            " --channel mix --mix itemcf:1,artist:1,mostpop:1 --k 2 --bandit greedy --feedback " +
                            env.dir.File("fb.tsv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("recall@2: 1.0000\n"), std::string::npos) << r.output;  // song:4 second
  r = testing::RunMelograph("eval --graph " + graph_dir + " --test " + env.dir.File("test.tsv") +
                            " --channel mix --mix itemcf:1,artist:1,mostpop:1 --k 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("recall@2: 0.0000\n"), std::string::npos) << r.output;  // quota: song:3, song:5
}

}  // namespace
}  // namespace melograph
