#include "kg_builder/triple_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace melograph {
namespace {

using Counts = std::vector<std::pair<std::string, int64_t>>;

TEST(TripleSink, counts_each_relation_in_order_of_first_appearance) {
  // Relations in a recurring order (a song's catalog triples), then alternating (listened and
  // rejected), then the order broken: the count looks up the last relation, the one that
  // followed it last time, and then all; every count stays exact.
  MemoryTripleSink sink;
  const std::vector<std::string> sequence = {
      "by_artist", "in_album",  "has_genre", "by_artist", "in_album", "has_genre",  // cycle
      "by_artist", "by_artist", "in_album",                                         // repeat
      "listened",  "rejected",  "listened",  "rejected",  "listened",               // alternate
      "has_genre", "listened",  "by_artist", "rejected",  "rejected", "in_album"};  // broken
  for (const std::string& r : sequence) sink.Add("h:1", r, "t:2");
  EXPECT_EQ(
      sink.counts(),
      (Counts{
          {"by_artist", 5}, {"in_album", 4}, {"has_genre", 3}, {"listened", 4}, {"rejected", 4}}));
  EXPECT_EQ(sink.total(), static_cast<int64_t>(sequence.size()));
  EXPECT_EQ(sink.count("rejected"), 4);
  EXPECT_EQ(sink.count("follows"), 0);
  ASSERT_EQ(sink.triples.size(), sequence.size());
  for (size_t i = 0; i < sequence.size(); ++i) EXPECT_EQ(sink.triples[i].relation, sequence[i]);
}

TEST(TripleSink, relation_names_that_share_a_prefix_or_length_are_told_apart) {
  MemoryTripleSink sink;
  for (const char* r : {"follows", "follows_playlist", "follows", "followz", "follows_playlist"})
    sink.Add("user:1", r, "user:2");
  EXPECT_EQ(sink.counts(), (Counts{{"follows", 2}, {"follows_playlist", 2}, {"followz", 1}}));
}

}  // namespace
}  // namespace melograph
