#include "sampler/skipgram_pairs.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

namespace melograph {
namespace {

// artist: 0..1, song: 2..4, user: 5..7
const std::vector<NodeType> kTypes = {{"artist", 0, 2}, {"song", 2, 3}, {"user", 5, 3}};

Walks MakeWalks(const std::vector<std::vector<NodeId>>& paths) {
  Walks w;
  int32_t rep = 0;
  for (const auto& p : paths) {
    w.start.push_back(p.front());
    w.repetition.push_back(rep++);
    w.nodes.insert(w.nodes.end(), p.begin(), p.end());
    w.offsets.push_back(static_cast<int64_t>(w.nodes.size()));
  }
  return w;
}

using P = SkipGramPair;

TEST(SkipGramPairs, exact_pairs_for_window_one_and_two) {
  const Walks w = MakeWalks({{5, 2, 0, 3, 6}});  // user song artist song user
  SkipGramOptions o;
  o.window = 1;
  EXPECT_EQ(SkipGramPairs(w, kTypes, o), (std::vector<P>{{5, 2}, {2, 5}, {2, 0}, {0, 2}, {0, 3}, {3, 0}, {3, 6}, {6, 3}}));
  o.window = 2;
  EXPECT_EQ(SkipGramPairs(w, kTypes, o),
            (std::vector<P>{{5, 2}, {5, 0}, {2, 5}, {2, 0}, {2, 3}, {0, 5}, {0, 2}, {0, 3}, {0, 6}, {3, 2}, {3, 0},
                            {3, 6}, {6, 0}, {6, 3}}));
}

TEST(SkipGramPairs, type_filter_drops_nodes_before_windowing_and_self_pairs_are_skipped) {
  const Walks w = MakeWalks({{5, 2, 0, 3, 6}, {5, 2, 5}});
  SkipGramOptions o;
  o.window = 1;
  o.keep_types = {1, 2};  // song, user
  EXPECT_EQ(SkipGramPairs(w, kTypes, o), (std::vector<P>{{5, 2}, {2, 5}, {2, 3}, {3, 2}, {3, 6}, {6, 3},
                                                         // second walk: 5 2 5
                                                         {5, 2}, {2, 5}, {2, 5}, {5, 2}}));
  o.window = 2;  // 5 2 5: the two 5s are within the window but form no self pair
  EXPECT_EQ(SkipGramPairs(MakeWalks({{5, 2, 5}}), kTypes, o), (std::vector<P>{{5, 2}, {2, 5}, {2, 5}, {5, 2}}));
  o.keep_types = {0};
  EXPECT_TRUE(SkipGramPairs(w, kTypes, o).empty());  // one artist per walk: no pairs
}

TEST(SkipGramPairs, subsampling_drops_frequent_nodes_at_the_word2vec_rate) {
  std::vector<std::vector<NodeId>> paths(20000, std::vector<NodeId>{0, 1});
  const Walks w = MakeWalks(paths);
  std::vector<int64_t> counts(8, 0);
  counts[0] = 900;
  counts[1] = 100;
  SkipGramOptions o;
  o.window = 1;
  o.subsample = 0.01;
  const auto pairs = SkipGramPairs(w, kTypes, o, counts);
  // keep(f) = sqrt(t/f) + t/f: 0.1165 for node 0 (f = 0.9), 0.4162 for node 1 (f = 0.1).
  const double keep0 = std::sqrt(0.01 / 0.9) + 0.01 / 0.9, keep1 = std::sqrt(0.1) + 0.1;
  const double expected = 2.0 * 20000 * keep0 * keep1;  // both kept: (0,1) and (1,0)
  EXPECT_NEAR(static_cast<double>(pairs.size()), expected, 5 * std::sqrt(expected));
  EXPECT_EQ(SkipGramPairs(w, kTypes, o, counts), pairs);  // deterministic
  o.seed = 9;
  EXPECT_NE(SkipGramPairs(w, kTypes, o, counts), pairs);
  o.subsample = 1.0;  // t >= f: everything kept
  EXPECT_EQ(SkipGramPairs(w, kTypes, o, counts).size(), 40000u);
  // Without counts, frequencies come from the walks (both nodes f = 0.5).
  EXPECT_EQ(CountNodeOccurrences(w, 8)[0], 20000);
}

TEST(SkipGramPairs, rejects_bad_options) {
  const Walks w = MakeWalks({{5, 2}});
  SkipGramOptions o;
  o.window = 0;
  EXPECT_THROW(SkipGramPairs(w, kTypes, o), UsageError);
  o.window = 2;
  o.subsample = 0.1;
  EXPECT_THROW(SkipGramPairs(w, kTypes, o, std::vector<int64_t>(3, 1)), UsageError);
  o.subsample = 0;
  o.keep_types = {7};
  EXPECT_THROW(SkipGramPairs(w, kTypes, o), UsageError);
}

}  // namespace
}  // namespace melograph
