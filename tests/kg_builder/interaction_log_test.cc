// ReadInteractions (kg_builder/interaction_log.h): users and (user, song) pairs get dense ids in
// order of first appearance, events naming an unknown song are counted and dropped, and the
// batched reader (64 events at a time, a user equal to the previous event's reused) gives the
// same ids as one event at a time would.
#include "kg_builder/interaction_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "kg_builder/behaviour_weights.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

StringInterner Songs(int n) {
  StringInterner songs;
  for (int i = 0; i < n; ++i) songs.Intern("s" + std::to_string(i));
  return songs;
}

TEST(InteractionLog, ids_follow_first_appearance_and_unknown_songs_are_counted) {
  testing::TempDir dir;
  // u1's first event names an unknown song, so u1 is interned at its second event (the same
  // user string as the previous event, which was never interned); u2's run is split by one.
  // Times include both ends of the accepted range (events are kept with 32-bit times).
  testing::WriteFile(dir.File("events.tsv"),
                     "u1\tzz\tplay\t10\n"
                     "u1\ts1\tplay\t11\n"
                     "u2\ts2\tlike\t0\n"
                     "u2\tzz\tplay\t13\n"
                     "u2\ts1\tplay\t14\n"
                     "u1\ts2\tplay\t4294967295\n"
                     "u1\ts1\tskip\t16\n");
  const StringInterner songs = Songs(3);
  const BehaviourWeights weights(DefaultKgConfig());
  const InteractionLog log = ReadInteractions(dir.File("events.tsv"), songs, weights, nullptr);
  EXPECT_EQ(log.events_read(), 7);
  EXPECT_EQ(log.unknown_song_events, 2);
  ASSERT_EQ(log.users.size(), 2u);
  EXPECT_EQ(log.users.Get(0), "u1");
  EXPECT_EQ(log.users.Get(1), "u2");
  EXPECT_EQ(log.pair_user, (HugeVector<int32_t>{0, 1, 1, 0}));
  EXPECT_EQ(log.pair_song, (HugeVector<int32_t>{1, 2, 1, 2}));
  ASSERT_EQ(log.events.size(), 5u);
  const int32_t pairs[] = {0, 1, 2, 3, 0};
  const int64_t times[] = {11, 0, 14, 4294967295, 16};  // 32-bit event times: both ends
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(log.events[i].pair, pairs[i]) << i;
    EXPECT_EQ(log.events[i].timestamp(), times[i]) << i;
  }
  EXPECT_LT(log.events[4].weight, 0);  // the skip
}

// Writes (user, song) events (song -1: one missing from the catalog) to an events file, reads
// it, and checks every id against ids assigned here one event at a time.
void ExpectIdsOfOneEventAtATime(const std::vector<std::pair<std::string, int>>& events, int catalog_songs) {
  testing::TempDir dir;
  std::string text;
  for (size_t e = 0; e < events.size(); ++e) {
    const auto& [user, song] = events[e];
    text += user + "\t" + (song < 0 ? std::string("nope") : "s" + std::to_string(song)) + "\tplay\t" +
            std::to_string(1000 + e) + "\n";
  }
  testing::WriteFile(dir.File("events.tsv"), text);
  const StringInterner songs = Songs(catalog_songs);
  const InteractionLog log =
      ReadInteractions(dir.File("events.tsv"), songs, BehaviourWeights(DefaultKgConfig()), nullptr);
  std::vector<std::string> users;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  std::vector<int32_t> event_pairs;
  int64_t unknown = 0;
  for (const auto& [user, song] : events) {
    if (song < 0) {
      ++unknown;
      continue;
    }
    auto u = std::find(users.begin(), users.end(), user);
    if (u == users.end()) u = users.insert(users.end(), user);
    const std::pair<int32_t, int32_t> key{static_cast<int32_t>(u - users.begin()), song};
    auto p = std::find(pairs.begin(), pairs.end(), key);
    if (p == pairs.end()) p = pairs.insert(pairs.end(), key);
    event_pairs.push_back(static_cast<int32_t>(p - pairs.begin()));
  }
  EXPECT_EQ(log.unknown_song_events, unknown);
  ASSERT_EQ(log.users.size(), users.size());
  for (size_t u = 0; u < users.size(); ++u) EXPECT_EQ(log.users.Get(static_cast<int32_t>(u)), users[u]);
  ASSERT_EQ(static_cast<size_t>(log.pair_count()), pairs.size());
  for (size_t p = 0; p < pairs.size(); ++p) {
    EXPECT_EQ(log.pair_user[p], pairs[p].first) << p;
    EXPECT_EQ(log.pair_song[p], pairs[p].second) << p;
  }
  ASSERT_EQ(log.events.size(), event_pairs.size());
  for (size_t e = 0; e < event_pairs.size(); ++e) EXPECT_EQ(log.events[e].pair, event_pairs[e]) << e;
}

TEST(InteractionLog, batches_and_user_runs_give_the_ids_of_one_event_at_a_time) {
  // 300 events in runs of 1-9 events per user (runs cross the 64-event batches), users coming
  // back later, some unknown songs.
  std::vector<std::pair<std::string, int>> events;  // user, song (-1 unknown)
  for (int i = 0, user = 0; static_cast<int>(events.size()) < 300; ++i) {
    user = (user * 7 + 3) % 23;
    for (int k = 0; k < 1 + i % 9; ++k) {
      const int song = (i * 5 + k * 3) % 41;
      events.push_back({"u" + std::to_string(user), song == 40 ? -1 : song});
    }
  }
  ExpectIdsOfOneEventAtATime(events, 40);
}

TEST(InteractionLog, a_log_grouped_by_user_gives_the_same_ids_and_a_user_coming_back_late_too) {
  // Users listed one after the other (each run is its user's first: pairs are resolved per run,
  // without the global pair index), repeated songs within a run, one user with 800 distinct
  // songs (the run table grows), unknown songs between runs; then, after ~20 batches, u3 comes
  // back: from there on every pair goes through the global index, built from the pairs so far.
  std::vector<std::pair<std::string, int>> events;
  for (int u = 0; u < 30; ++u) {
    const int distinct = u == 7 ? 800 : 1 + (u * 13) % 20;
    for (int k = 0; k < distinct + 5; ++k) events.push_back({"u" + std::to_string(u), (u * 31 + (k % distinct) * 17) % 997});
    if (u % 4 == 0) events.push_back({"u" + std::to_string(u + 100), -1});  // never interned
  }
  for (int k = 0; k < 40; ++k) events.push_back({"u3", (k * 11) % 997});  // back: old and new pairs
  for (int k = 0; k < 40; ++k) events.push_back({"u" + std::to_string(30 + k % 4), (k * 7) % 997});
  for (int k = 0; k < 10; ++k) events.push_back({"u7", (7 * 31 + k * 17) % 997});
  ASSERT_GT(events.size(), 20u * 64);
  ExpectIdsOfOneEventAtATime(events, 997);
}

TEST(InteractionLog, a_user_back_in_the_first_batch_switches_at_once) {
  ExpectIdsOfOneEventAtATime({{"a", 1}, {"a", 2}, {"b", 1}, {"a", 2}, {"a", 3}, {"b", 3}, {"c", 1}, {"b", 1}}, 4);
}

}  // namespace
}  // namespace melograph
