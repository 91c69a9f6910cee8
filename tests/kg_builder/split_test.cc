#include "kg_builder/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

struct Fixture {
  StringInterner songs;
  InteractionLog log;
  int32_t Pair(const std::string& user, const std::string& song) {
    log.pair_user.push_back(log.users.Intern(user));
    log.pair_song.push_back(songs.Intern(song));
    return log.pair_count() - 1;
  }
  void Event(int32_t pair, int64_t t, float w) { log.events.push_back({static_cast<uint32_t>(t), pair, w}); }
};

//  pair  user song  events (t, weight)
//   0    u0   s0    (10,+1) (60,+2)
//   1    u0   s1    (20,-1) (70,+1)   first positive 70
//   2    u0   s2    (80,-1)           negative only: never a test pair
//   3    u1   s0    (30,+1)
//   4    u1   s3    (90,+1)
Fixture SmallLog() {
  Fixture f;
  const int32_t p0 = f.Pair("u0", "s0"), p1 = f.Pair("u0", "s1"), p2 = f.Pair("u0", "s2");
  const int32_t p3 = f.Pair("u1", "s0"), p4 = f.Pair("u1", "s3");
  f.Event(p0, 10, 1);
  f.Event(p0, 60, 2);
  f.Event(p1, 20, -1);
  f.Event(p1, 70, 1);
  f.Event(p2, 80, -1);
  f.Event(p3, 30, 1);
  f.Event(p4, 90, 1);
  return f;
}

TEST(Split, time_cutoff_tests_pairs_first_positive_after_it_and_drops_late_events) {
  Fixture f = SmallLog();
  SplitOptions o;
  o.has_cutoff = true;
  o.cutoff = 50;
  const Split s = SplitInteractions(f.log, f.songs, o);
  EXPECT_EQ(s.is_test, (std::vector<uint8_t>{0, 1, 0, 0, 1}));
  EXPECT_EQ(s.test_pairs, 2);
  EXPECT_EQ(s.cutoff, 50);
  std::set<int64_t> training_times;
  for (const InteractionEvent& e : f.log.events)
    if (s.IsTrainingEvent(e)) training_times.insert(e.timestamp());
  // 20 belongs to test pair 1 (excluded although before the cutoff); 60 and 80 are late.
  EXPECT_EQ(training_times, (std::set<int64_t>{10, 30}));
}

TEST(Split, time_split_equals_its_definition_in_any_event_order) {
  // Test pair <=> the pair has a positive event and its first positive time is >= the cutoff:
  // against that definition on 3,000 events in random order (late before early events, weights
  // -1 / 0 / +1, times up to 2^32 - 1), for cutoffs below, inside and at the top of the range.
  Fixture f;
  for (int p = 0; p < 300; ++p) f.Pair("u" + std::to_string(p / 10), "s" + std::to_string(p));
  uint64_t state = 3;
  const auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  for (int e = 0; e < 3000; ++e) {
    const int64_t t = next(10) == 0 ? int64_t{4294967295} : static_cast<int64_t>(1000 + next(1000));
    f.Event(static_cast<int32_t>(next(300)), t, static_cast<float>(static_cast<int>(next(3)) - 1));
  }
  for (const int64_t cutoff : {int64_t{0}, int64_t{1500}, int64_t{1999}, int64_t{4294967295}}) {
    std::vector<int64_t> first(300, -1);
    for (const InteractionEvent& e : f.log.events)
      if (e.weight > 0 && (first[e.pair] < 0 || e.timestamp() < first[e.pair]))
        first[e.pair] = e.timestamp();
    std::vector<uint8_t> want(300);
    for (int p = 0; p < 300; ++p) want[p] = first[p] >= 0 && first[p] >= cutoff;
    SplitOptions o;
    o.has_cutoff = true;
    o.cutoff = cutoff;
    const Split s = SplitInteractions(f.log, f.songs, o);
    EXPECT_EQ(s.is_test, want) << cutoff;
    EXPECT_EQ(s.test_pairs, std::count(want.begin(), want.end(), 1)) << cutoff;
  }
}

TEST(Split, quantile_cutoff_indexes_sorted_timestamps) {
  std::vector<InteractionEvent> events;
  for (uint32_t t : {900, 50, 700, 100, 150, 800, 200, 300, 400, 550, 600}) events.push_back({t, 0, 1});
  EXPECT_EQ(QuantileCutoff(events, 0.8), 700);  // floor(0.8 * 11) = 8
  EXPECT_EQ(QuantileCutoff(events, 0.0), 50);
  EXPECT_EQ(QuantileCutoff(events, 0.5), 400);  // floor(5.5) = 5
  EXPECT_EQ(QuantileCutoff(events, 1.0), 901);  // everything before the cutoff
  std::vector<InteractionEvent> none;
  EXPECT_EQ(QuantileCutoff(none, 0.8), 0);
  EXPECT_THROW(QuantileCutoff(events, 1.5), UsageError);
}

TEST(Split, quantile_cutoff_equals_sorting_for_spread_and_repeated_times_and_keeps_order) {
  // Times over the whole 32-bit range (many high-16-bit buckets), clustered ones (one bucket),
  // repeats and both extremes: t[floor(q n)] of the sorted times at many q, events untouched.
  uint64_t state = 17;
  const auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (int shape = 0; shape < 3; ++shape) {
    std::vector<InteractionEvent> events;
    for (int i = 0; i < 5000; ++i) {
      uint32_t t = static_cast<uint32_t>(next() >> 32);
      if (shape == 1) t = 1700000000u + static_cast<uint32_t>(next() >> 52);  // within 4096 s
      if (shape == 2)
        t = (next() >> 60) < 3 ? 4294967295u : static_cast<uint32_t>(next() >> 61);  // few values
      events.push_back({t, i, 1.0f});
    }
    events.push_back({0, 5000, 1.0f});
    events.push_back({4294967295u, 5001, 1.0f});
    const std::vector<InteractionEvent> before = events;
    std::vector<int64_t> sorted;
    for (const InteractionEvent& e : events) sorted.push_back(e.timestamp());
    std::sort(sorted.begin(), sorted.end());
    for (const double q : {0.0, 0.001, 0.1, 0.25, 0.5, 0.8, 0.9, 0.999, 0.9999, 1.0}) {
      const auto k = static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size())));
      const int64_t want = k >= sorted.size() ? sorted.back() + 1 : sorted[k];
      EXPECT_EQ(QuantileCutoff(events, q), want) << "shape " << shape << " q " << q;
    }
    for (size_t i = 0; i < events.size(); ++i)
      ASSERT_EQ(events[i].pair, before[i].pair) << "reordered";
  }
}

TEST(Split, time_default_uses_quantile_of_all_events) {
  Fixture f = SmallLog();
  const Split s = SplitInteractions(f.log, f.songs, SplitOptions{});
  // 7 events, floor(0.8 * 7) = 5 -> sorted t[5] = 80: only pair 4 (first positive 90) is test.
  EXPECT_EQ(s.cutoff, 80);
  EXPECT_EQ(s.is_test, (std::vector<uint8_t>{0, 0, 0, 0, 1}));
}

TEST(Split, last_n_holds_out_latest_pairs_keeping_one_training_pair) {
  Fixture f = SmallLog();
  SplitOptions o;
  o.mode = SplitMode::kLastN;
  o.test_last_n = 5;  // capped at m - 1 per user
  const Split s = SplitInteractions(f.log, f.songs, o);
  EXPECT_EQ(s.is_test, (std::vector<uint8_t>{0, 1, 0, 0, 1}));
  EXPECT_FALSE(s.time_filter);
  for (const InteractionEvent& e : f.log.events)
    EXPECT_EQ(s.IsTrainingEvent(e), !s.is_test[e.pair]);  // no time filter
}

TEST(Split, last_n_breaks_time_ties_by_song_id_bytes) {
  Fixture f;
  const int32_t pb = f.Pair("u", "b"), pa = f.Pair("u", "a"), pc = f.Pair("u", "c");
  f.Event(pb, 100, 1);
  f.Event(pa, 100, 1);
  f.Event(pc, 50, 1);
  SplitOptions o;
  o.mode = SplitMode::kLastN;
  o.test_last_n = 1;
  const Split s = SplitInteractions(f.log, f.songs, o);
  EXPECT_EQ(s.is_test, (std::vector<uint8_t>{1, 0, 0}));  // order: c(50), a(100), b(100)
}

Fixture UsersWithPairs(int users, int pairs_per_user) {
  Fixture f;
  for (int u = 0; u < users; ++u)
    for (int i = 0; i < pairs_per_user; ++i)
      f.Event(f.Pair("u" + std::to_string(u), "s" + std::to_string(i)), 100 + i, 1);
  return f;
}

TEST(Split, fraction_rounds_stochastically_and_deterministically_by_seed) {
  SplitOptions o;
  o.mode = SplitMode::kFraction;
  o.test_fraction = 0.5;
  Fixture even = UsersWithPairs(10, 4);  // 0.5 * 4 = 2 exactly, whatever the seed
  EXPECT_EQ(SplitInteractions(even.log, even.songs, o).test_pairs, 20);

  Fixture odd = UsersWithPairs(40, 3);  // 1.5 per user: 1 or 2, the latest ones
  const Split a = SplitInteractions(odd.log, odd.songs, o);
  const Split again = SplitInteractions(odd.log, odd.songs, o);
  EXPECT_EQ(a.is_test, again.is_test);
  EXPECT_GT(a.test_pairs, 40);
  EXPECT_LT(a.test_pairs, 80);
  for (int u = 0; u < 40; ++u) {
    EXPECT_EQ(a.is_test[3 * u], 0);  // the earliest pair always trains
    EXPECT_EQ(a.is_test[3 * u + 2], 1);  // the latest is always held out
  }
  o.seed = 7;
  EXPECT_NE(SplitInteractions(odd.log, odd.songs, o).is_test, a.is_test);
}

TEST(Split, options_out_of_range_are_usage_errors) {
  Fixture f = SmallLog();
  SplitOptions o;
  o.mode = SplitMode::kLastN;
  o.test_last_n = 0;
  EXPECT_THROW(SplitInteractions(f.log, f.songs, o), UsageError);
  o.mode = SplitMode::kFraction;
  o.test_fraction = 1.0;
  EXPECT_THROW(SplitInteractions(f.log, f.songs, o), UsageError);
  EXPECT_THROW(ParseSplitMode("random"), UsageError);
  EXPECT_EQ(ParseSplitMode("last-n"), SplitMode::kLastN);
  EXPECT_EQ(ToString(SplitMode::kFraction), "fraction");
}

}  // namespace
}  // namespace melograph
