#include "kg_builder/session_split.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "kg_builder/kg_builder.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// Events (gap 100 s, cutoff 1000). Sessions, in user order u1, u2, u3:
//   u1#0 fm:     100 s1 full_play, 100 s1 like (no scene: same listen), 110 s2 skip, 150 s3 full_play
//   u1#1 fm:     300 s4 full_play                      (gap 150 > 100)
//   u1#2 search: 310 s1 play                           (scene change)
//   u1#3 fm:     990 s2 full_play                      (gap)
//   u1#4 fm:     1010 s3 full_play, 1020 s4 dislike, 1030 s1 collect   (cutoff: test period)
//   u2#0 fm:     100 s3, 120 s1        u2#1 fm: 900 s3, 950 s4
//   u3#0 fm:     500 s1, 520 s3        u3#1 fm: 1100 s2 (a test pair)
// Training transitions (positive events, skips ignored, same-song runs collapsed):
//   s1 -> s3 (u1#0 at 150, u3#0 at 520), s3 -> s1 (u2#0 at 120), s3 -> s4 (u2#1 at 950).
constexpr char kEvents[] =
    "# user_id\tsong_id\tevent\ttimestamp\tplayed_ms\tduration_ms\tscene\n"
    "u1\ts1\tfull_play\t100\t\t\tfm\n"
    "u1\ts1\tlike\t100\n"
    "u1\ts2\tskip\t110\t\t\tfm\n"
    "u1\ts3\tfull_play\t150\t\t\tfm\n"
    "u1\ts4\tfull_play\t300\t\t\tfm\n"
    "u1\ts1\tplay\t310\t\t\tsearch\n"
    "u1\ts2\tfull_play\t990\t\t\tfm\n"
    "u1\ts3\tfull_play\t1010\t\t\tfm\n"
    "u1\ts4\tdislike\t1020\t\t\tfm\n"
    "u1\ts1\tcollect\t1030\t\t\tfm\n"
    "u2\ts3\tfull_play\t100\t\t\tfm\n"
    "u2\ts1\tfull_play\t120\t\t\tfm\n"
    "u2\ts3\tfull_play\t900\t\t\tfm\n"
    "u2\ts4\tfull_play\t950\t\t\tfm\n"
    "u3\ts3\tfull_play\t520\t\t\tfm\n"
    "u3\ts1\tfull_play\t500\t\t\tfm\n"
    "u3\ts2\tfull_play\t1100\t\t\tfm\n"
    "u3\ts9\tfull_play\t1100\t\t\tfm\n";  // not in the catalog: dropped

constexpr char kSongs[] =
    "s1\tOne\ta1\tal1\tja\tpop\t2020\n"
    "s2\tTwo\ta1\tal1\tja\tpop\t2020\n"
    "s3\tThree\ta2\tal2\tja\trock\t2021\n"
    "s4\tFour\ta2\tal2\tja\trock\t2021\n";

struct Built {
  std::string train, test, sessions;
  bool has_sessions = false;
  KgBuildStats stats;
};

Built Build(const testing::TempDir& dir, int64_t gap, const std::string& name) {
  testing::WriteFile(dir.File("events.tsv"), kEvents);
  testing::WriteFile(dir.File("catalog/songs.tsv"), kSongs);
  KgBuildOptions o;
  o.events_path = dir.File("events.tsv");
  o.catalog_dir = dir.File("catalog");
  o.out_dir = dir.File(name);
  o.split.has_cutoff = true;
  o.split.cutoff = 1000;
  o.session_gap_s = gap;
  Built b;
  b.stats = BuildKg(o);
  b.train = testing::ReadFile(dir.File(name + "/train.tsv"));
  b.test = testing::ReadFile(dir.File(name + "/test.tsv"));
  b.has_sessions = std::filesystem::exists(dir.File(name + "/test_sessions.tsv"));
  if (b.has_sessions) b.sessions = testing::ReadFile(dir.File(name + "/test_sessions.tsv"));
  return b;
}

TEST(SessionSplit, next_in_session_triples_and_test_sessions) {
  testing::TempDir dir;
  const Built off = Build(dir, 0, "off");
  const Built on = Build(dir, 100, "on");
  EXPECT_FALSE(off.has_sessions);
  EXPECT_EQ(off.train.find("next_in_session"), std::string::npos);
  // Sessions only append the next_in_session block; everything else is unchanged.
  const std::string block =
      "song:s1\tnext_in_session\tsong:s3\t2\t520\n"
      "song:s3\tnext_in_session\tsong:s1\t1\t120\n"
      "song:s3\tnext_in_session\tsong:s4\t1\t950\n";
  EXPECT_EQ(on.train, off.train + block);
  EXPECT_EQ(on.test, off.test);
  EXPECT_EQ(on.test, "user:u3\tsong:s2\n");
  ASSERT_TRUE(on.has_sessions);
  EXPECT_EQ(on.sessions,
            "# session_id\tuser_id\tscene\tsong_id\tfeedback\ttimestamp\n"
            "u1#4\tu1\tfm\ts3\tfull_play\t1010\n"
            "u1#4\tu1\tfm\ts4\tdislike\t1020\n"
            "u1#4\tu1\tfm\ts1\tcollect\t1030\n"
            "u3#1\tu3\tfm\ts2\tfull_play\t1100\n");
  EXPECT_EQ(on.stats.sessions, 9);
  EXPECT_EQ(on.stats.session_transitions, 4);
  EXPECT_EQ(on.stats.test_sessions, 2);
  EXPECT_EQ(on.stats.test_session_events, 4);
  const std::string counts = FormatKgBuildStats(on.stats);
  EXPECT_NE(counts.find("triples.next_in_session: 3\n"), std::string::npos) << counts;
  EXPECT_NE(counts.find("test_sessions: 2\n"), std::string::npos) << counts;
  EXPECT_EQ(FormatKgBuildStats(off.stats).find("sessions"), std::string::npos);
}

TEST(SessionSplit, a_larger_gap_merges_sessions) {
  testing::TempDir dir;
  // Gap 1000: only scene changes and the cutoff cut. u1: [100..300 fm] [310 search] [990 fm]
  // [1010.. test]; u1's s4 (300) now follows s3 (150) in the first session.
  const Built b = Build(dir, 1000, "kg");
  EXPECT_NE(b.train.find("song:s3\tnext_in_session\tsong:s4\t2\t950\n"), std::string::npos) << b.train;
  // u2: 100 s3, 120 s1, 900 s3, 950 s4 is one session: s1 -> s3 appears once more.
  EXPECT_NE(b.train.find("song:s1\tnext_in_session\tsong:s3\t3\t900\n"), std::string::npos) << b.train;
  EXPECT_EQ(b.stats.sessions, 7);
}

TEST(SessionSplit, feedback_mapping_and_bad_gap) {
  EXPECT_EQ(FmFeedbackOf(EventType::kLoop), "full_play");
  EXPECT_EQ(FmFeedbackOf(EventType::kShare), "like");
  EXPECT_EQ(FmFeedbackOf(EventType::kDownload), "collect");
  EXPECT_EQ(FmFeedbackOf(EventType::kSkip), "skip");
  EXPECT_EQ(FmFeedbackOf(EventType::kBlock), "dislike");
  testing::TempDir dir;
  EXPECT_THROW(Build(dir, -5, "kg"), UsageError);
}

}  // namespace
}  // namespace melograph
