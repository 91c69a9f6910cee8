#include "kg_builder/kg_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/file_util.h"
#include "proto/kg_config.pb.h"
#include "tests/kg_builder/kg_test_util.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::kKgWorld;

std::vector<StoredTriple> ReadTriples(const std::string& path) {
  std::vector<StoredTriple> out;
  TripleReader reader(path, nullptr);
  TripleRecord t;
  while (reader.Next(t))
    out.push_back({std::string(t.head), std::string(t.relation), std::string(t.tail), t.weight,
                   t.has_timestamp ? t.timestamp : kNoTimestamp});
  return out;
}

void ExpectSameTriples(const std::vector<StoredTriple>& got, const std::vector<StoredTriple>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].head, want[i].head) << "triple " << i;
    EXPECT_EQ(got[i].relation, want[i].relation) << "triple " << i;
    EXPECT_EQ(got[i].tail, want[i].tail) << "triple " << i;
    EXPECT_NEAR(got[i].weight, want[i].weight, 2e-6) << "triple " << i;
    EXPECT_EQ(got[i].timestamp, want[i].timestamp) << "triple " << i;
  }
}

KgBuildOptions WorldOptions(const std::string& out) {
  KgBuildOptions o;
  o.events_path = kKgWorld + "/events.tsv";
  o.catalog_dir = kKgWorld + "/catalog";
  o.out_dir = out;
  return o;
}

// World sketch and hand-computed weights: tests/data/kg/world/README.md.
TEST(KgBuilder, behaviour_sums_in_blocks_equal_one_pass_for_grouped_and_shuffled_logs) {
  // 400 pairs of 40 users, 3,000 events with positive and negative weights, some test pairs and a
  // time filter. Summed in blocks of 1, 7, 64 and 399 pairs (each block scans only the events
  // from its first to its last), the triples equal those of one block and a direct reference,
  // for events grouped by user and for the same events shuffled.
  StringInterner songs;
  for (int s = 0; s < 50; ++s) songs.Intern("s" + std::to_string(s));
  InteractionLog log;
  for (int u = 0; u < 40; ++u) log.users.Intern("u" + std::to_string(u));
  for (int p = 0; p < 400; ++p) {
    log.pair_user.push_back(p / 10);
    log.pair_song.push_back((p * 7) % 50);
  }
  uint64_t state = 7;
  const auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  for (int e = 0; e < 3000; ++e) {
    const auto pair = static_cast<int32_t>(e * 400 / 3000);  // grouped: pairs in order
    const float weight = next(5) == 0 ? -1.5f : 0.25f + static_cast<float>(next(8));
    log.events.push_back({static_cast<uint32_t>(1000 + next(1000)), pair, weight});
  }
  Split split;
  split.is_test.assign(400, 0);
  for (int p = 3; p < 400; p += 17) split.is_test[p] = 1;
  split.time_filter = true;
  split.cutoff = 1900;
  const BehaviourWeights weights(DefaultKgConfig());
  const auto run = [&](int32_t block) {
    MemoryTripleSink sink;
    const int64_t training = WriteBehaviourTriples(log, songs, split, weights, sink, block);
    return std::make_pair(training, sink.triples);
  };
  for (int shuffled = 0; shuffled < 2; ++shuffled) {
    if (shuffled)
      for (size_t i = log.events.size() - 1; i > 0; --i) std::swap(log.events[i], log.events[next(i + 1)]);
    // Reference: sums in one direct pass, in event order within each pair.
    std::vector<double> positive(400, 0), negative(400, 0);
    std::vector<int64_t> last_positive(400, kNoTimestamp), last_negative(400, kNoTimestamp);
    int64_t training = 0;
    for (const InteractionEvent& e : log.events) {
      if (!split.IsTrainingEvent(e)) continue;
      ++training;
      if (e.weight > 0) {
        positive[e.pair] += e.weight;
        last_positive[e.pair] = std::max(last_positive[e.pair], e.timestamp());
      } else {
        negative[e.pair] += e.weight;
        last_negative[e.pair] = std::max(last_negative[e.pair], e.timestamp());
      }
    }
    std::vector<StoredTriple> want;
    for (int p = 0; p < 400; ++p) {
      if (split.is_test[p]) continue;
      const std::string user = "user:u" + std::to_string(p / 10), song = "song:s" + std::to_string((p * 7) % 50);
      if (positive[p] > 0) want.push_back({user, "listened", song, weights.Compress(positive[p]), last_positive[p]});
      if (negative[p] < 0) want.push_back({user, "rejected", song, -weights.Compress(-negative[p]), last_negative[p]});
    }
    ASSERT_GT(want.size(), 300u);
    for (const int32_t block : {0, 1, 7, 64, 399}) {
      const auto [got_training, got] = run(block);
      EXPECT_EQ(got_training, training) << shuffled << " " << block;
      EXPECT_EQ(got, want) << shuffled << " " << block;
    }
    // events_done(i) promises that no later pass reads an event below i: poisoning those
    // events as soon as they are handed over (a training weight of 1000 on the same pair, as
    // BuildKg's discarding would zero them) changes nothing. On the grouped log, each block's
    // call hands over everything before the next block's first event.
    // The default block (0) is small on the grouped log: its finest blocks of 400 / 64 + 1 = 7
    // pairs (58 blocks) pass over the events once in all; on the shuffled log each would pass
    // over nearly all of them, so it falls back to one block of at least 4 MiB of sums.
    for (const int32_t block : {0, 1, 7, 64}) {
      InteractionLog copy = log;
      std::vector<size_t> done;
      MemoryTripleSink sink;
      const int64_t got_training =
          WriteBehaviourTriples(copy, songs, split, weights, sink, block, [&](size_t i) {
            ASSERT_LE(i, copy.events.size());
            for (size_t k = done.empty() ? 0 : done.back(); k < i; ++k)
              copy.events[k] = {1000, copy.events[k].pair, 1000.f};
            done.push_back(std::max(i, done.empty() ? size_t{0} : done.back()));
          });
      EXPECT_EQ(got_training, training) << shuffled << " " << block;
      EXPECT_EQ(sink.triples, want) << shuffled << " " << block;
      const int32_t used = block > 0 ? block : shuffled ? 400 : 7;
      ASSERT_EQ(done.size(), static_cast<size_t>((400 + used - 1) / used)) << block;
      EXPECT_EQ(done.back(), log.events.size()) << block;
      if (!shuffled)  // events of pairs < (b + 1) * used: all before done[b]
        for (size_t b = 0; b + 1 < done.size(); ++b)
          EXPECT_GE(done[b], static_cast<size_t>(((b + 1) * used * 3000 + 399) / 400))
              << block << " " << b;
    }
  }
}

TEST(KgBuilder, world_with_cutoff_500_matches_hand_computed_files) {
  testing::TempDir dir;
  KgBuildOptions o = WorldOptions(dir.File("kg"));
  o.split.has_cutoff = true;
  o.split.cutoff = 500;
  const KgBuildStats s = BuildKg(o);
  ExpectSameTriples(ReadTriples(dir.File("kg/train.tsv")), ReadTriples(kKgWorld + "/expected_train_cutoff500.tsv"));
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), testing::ReadFile(kKgWorld + "/expected_test_cutoff500.tsv"));
  EXPECT_EQ(s.events_read, 12);
  EXPECT_EQ(s.events_by_type[static_cast<int>(EventType::kPlay)], 4);
  EXPECT_EQ(s.events_by_type[static_cast<int>(EventType::kSkip)], 2);
  EXPECT_EQ(s.unknown_song_events, 1);
  EXPECT_EQ(s.unknown_song_refs, 1);
  EXPECT_EQ(s.pairs, 7);
  EXPECT_EQ(s.training_events, 6);  // 100, 200, 150, 300, 400, 50
  EXPECT_EQ(s.cutoff, 500);
  EXPECT_EQ(s.test_pairs, 2);
  EXPECT_EQ(s.test_users, 2);
  EXPECT_EQ(s.triples, 46);
  EXPECT_EQ(s.bad_lines_skipped, 0);
  const std::string text = FormatKgBuildStats(s);
  EXPECT_NE(text.find("events.play: 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("triples.listened: 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("triples.co_ost: 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_pairs: 2\n"), std::string::npos) << text;

  proto::KgBuildManifest m;
  ASSERT_TRUE(m.ParseFromString(ReadWholeFile(dir.File("kg/manifest.pb"))));
  EXPECT_EQ(m.split(), "time");
  EXPECT_EQ(m.cutoff(), 500);
  EXPECT_EQ(m.test_pairs(), 2);
  EXPECT_EQ(m.triples_by_relation().at("rejected"), 2);
  EXPECT_EQ(m.train_crc32(), Crc32File(dir.File("kg/train.tsv")));
  EXPECT_EQ(m.test_crc32(), Crc32File(dir.File("kg/test.tsv")));
  EXPECT_DOUBLE_EQ(m.config().event_weights().collect(), 6.0);
}

TEST(KgBuilder, default_quantile_cutoff_keeps_new_release_only_in_test) {
  testing::TempDir dir;
  const KgBuildStats s = BuildKg(WorldOptions(dir.File("kg")));
  EXPECT_EQ(s.cutoff, 700);  // 0.8-quantile of the 11 retained events
  const auto train = ReadTriples(dir.File("kg/train.tsv"));
  bool s4_catalog = false;
  for (const StoredTriple& t : train) {
    if (t.relation == "listened" || t.relation == "rejected") {
      EXPECT_NE(t.tail, "song:s4") << "new release leaked into training";
      EXPECT_FALSE(t.head == "user:u1" && t.tail == "song:s3") << "test pair in training";
    }
    if (t.head == "song:s4") s4_catalog = true;
    if (t.head == "user:u1" && t.relation == "listened" && t.tail == "song:s1") {
      EXPECT_NEAR(t.weight, 2.140066, 2e-6);  // the full_play at 600 now counts
      EXPECT_EQ(t.timestamp, 600);
    }
    if (t.head == "user:u3" && t.tail == "song:s1") {
      EXPECT_EQ(t.relation, "rejected");
      EXPECT_NEAR(t.weight, -1.609438, 2e-6);
    }
  }
  EXPECT_TRUE(s4_catalog);
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), "user:u1\tsong:s3\nuser:u2\tsong:s4\n");
}

TEST(KgBuilder, last_n_split_holds_out_each_users_latest_pair) {
  testing::TempDir dir;
  KgBuildOptions o = WorldOptions(dir.File("kg"));
  o.split.mode = SplitMode::kLastN;
  o.split.test_last_n = 1;
  const KgBuildStats s = BuildKg(o);
  // u1: s1 (first positive 100), s3 (700) -> s3; u2: s3 (300), s4 (800) -> s4; u3: one pair.
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), "user:u1\tsong:s3\nuser:u2\tsong:s4\n");
  EXPECT_FALSE(s.has_cutoff);
  for (const StoredTriple& t : ReadTriples(dir.File("kg/train.tsv"))) {
    if (t.head == "user:u1" && t.relation == "listened" && t.tail == "song:s1") {
      EXPECT_NEAR(t.weight, 2.140066, 2e-6);  // no time filter: all of u1-s1's events
    }
    if (t.head == "user:u3" && t.tail == "song:s1") {
      EXPECT_EQ(t.relation, "rejected");
    }
  }
}

TEST(KgBuilder, config_changes_weights) {
  testing::TempDir dir;
  KgBuildOptions o = WorldOptions(dir.File("kg"));
  o.split.has_cutoff = true;
  o.split.cutoff = 500;
  o.config = ParseKgConfigText("compression: IDENTITY completion_scaling: false", "cfg");
  BuildKg(o);
  for (const StoredTriple& t : ReadTriples(dir.File("kg/train.tsv")))
    if (t.head == "user:u1" && t.relation == "listened") {
      EXPECT_FLOAT_EQ(t.weight, 6.0f);  // play 1 + like 5
    }
}

TEST(KgBuilder, malformed_events_leave_no_output_directory) {
  testing::TempDir dir;
  KgBuildOptions o = WorldOptions(dir.File("kg"));
  o.events_path = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/bad_events/unknown_event.tsv";
  EXPECT_THROW(BuildKg(o), InputError);
  EXPECT_FALSE(PathExists(dir.File("kg")));
  o.max_bad_lines = 1;
  const KgBuildStats s = BuildKg(o);
  EXPECT_EQ(s.bad_lines_skipped, 1);
  EXPECT_EQ(s.events_read, 0);
  EXPECT_EQ(testing::ReadFile(dir.File("kg/test.tsv")), "");
}

TEST(KgBuilder, output_is_deterministic) {
  testing::TempDir dir;
  KgBuildOptions o = WorldOptions(dir.File("a"));
  o.split.mode = SplitMode::kFraction;
  o.split.test_fraction = 0.5;
  o.split.seed = 3;
  BuildKg(o);
  o.out_dir = dir.File("b");
  BuildKg(o);
  EXPECT_EQ(testing::ReadFile(dir.File("a/train.tsv")), testing::ReadFile(dir.File("b/train.tsv")));
  EXPECT_EQ(testing::ReadFile(dir.File("a/test.tsv")), testing::ReadFile(dir.File("b/test.tsv")));
}

}  // namespace
}  // namespace melograph
