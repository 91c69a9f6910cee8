#include "kg_builder/events_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "tests/kg_builder/kg_test_util.h"

namespace melograph {
namespace {

using testing::kKgWorld;
const std::string kBadEvents = std::string(MELOGRAPH_TEST_DATA_DIR) + "/kg/bad_events";

std::vector<EventRecord> ReadAll(const std::string& path, BadLineBudget* budget,
                                 std::vector<std::string>* owned) {
  EventsReader reader(path, budget);
  EventRecord e;
  std::vector<EventRecord> out;
  while (reader.Next(e)) {
    owned->push_back(std::string(e.user_id) + "/" + std::string(e.song_id) + "/" + std::string(e.scene));
    out.push_back(e);
  }
  return out;
}

TEST(EventsReader, reads_world_events_with_optional_columns) {
  std::vector<std::string> ids;
  const auto events = ReadAll(kKgWorld + "/events.tsv", nullptr, &ids);
  ASSERT_EQ(events.size(), 12u);  // header comment and blank line skipped
  EXPECT_EQ(ids[0], "u1/s1/daily_mix");
  EXPECT_EQ(events[0].type, EventType::kPlay);
  EXPECT_EQ(events[0].timestamp, 100);
  EXPECT_EQ(events[0].played_ms, 120000);
  EXPECT_EQ(events[0].duration_ms, 240000);
  EXPECT_EQ(ids[1], "u1/s1/");  // 4 fields: no playback columns
  EXPECT_EQ(events[1].type, EventType::kLike);
  EXPECT_EQ(events[1].played_ms, -1);
  EXPECT_EQ(events[1].duration_ms, -1);
  EXPECT_EQ(events[2].type, EventType::kFullPlay);  // 7 fields, empty scene
  EXPECT_EQ(events[8].type, EventType::kSkip);
  EXPECT_EQ(events[8].played_ms, 5000);
  EXPECT_EQ(ids[8], "u2/s4/fm");
  EXPECT_EQ(events[11].type, EventType::kPlay);
  EXPECT_EQ(ids[11], "u3/s9/");
}

struct EventsBadCase {
  const char* file;
  int64_t line;
  int64_t column;
  const char* reason;
};

TEST(EventsReader, every_malformed_file_names_file_line_column_and_reason) {
  const EventsBadCase cases[] = {
      {"bad_utf8.tsv", 2, 5, "invalid UTF-8"},
      {"field_count.tsv", 2, 1, "expected 4, 6 or 7 tab-separated fields"},
      {"unknown_event.tsv", 1, 7, "unknown event 'listen' (expected one of play, full_play"},
      {"bad_timestamp.tsv", 1, 12, "timestamp '2024-01-01' is not an integer"},
      // Event times are kept in 32 bits: 0 .. 2^32 - 1 (line 1 of the second file is the
      // largest accepted value).
      {"negative_timestamp.tsv", 2, 12, "timestamp -1 is outside 0..4294967295 (Unix seconds"},
      {"millisecond_timestamp.tsv", 3, 12, "timestamp 1700000000123 is outside 0..4294967295 (Unix seconds, 1970 to 2106; milliseconds?)"},
      {"bad_played_ms.tsv", 1, 16, "played_ms '-5' is not a non-negative integer"},
      {"bad_duration_ms.tsv", 1, 18, "duration_ms 'long' is not a non-negative integer"},
      {"empty_user.tsv", 1, 1, "user_id is empty"},
      {"empty_song.tsv", 1, 4, "song_id is empty"},
  };
  for (const EventsBadCase& c : cases) {
    const std::string path = kBadEvents + "/" + c.file;
    std::vector<std::string> ids;
    try {
      ReadAll(path, nullptr, &ids);
      ADD_FAILURE() << "expected an InputError for " << c.file;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_EQ(e.line(), c.line) << e.what();
      EXPECT_EQ(e.column(), c.column) << e.what();
      EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.what();
    }
  }
}

TEST(EventsReader, budget_skips_and_counts_bad_lines) {
  BadLineBudget budget(1);
  std::vector<std::string> ids;
  const auto events = ReadAll(kBadEvents + "/bad_utf8.tsv", &budget, &ids);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].timestamp, 1);
  EXPECT_EQ(budget.count(), 1);
  EXPECT_NE(budget.Summary().find("bad_utf8.tsv:2:5: invalid UTF-8"), std::string::npos);
}

TEST(EventsReader, budget_exhausted_rethrows) {
  BadLineBudget budget(0);
  std::vector<std::string> ids;
  EXPECT_THROW(ReadAll(kBadEvents + "/unknown_event.tsv", &budget, &ids), InputError);
}

TEST(EventsReader, missing_file_is_io_error) {
  std::vector<std::string> ids;
  EXPECT_THROW(ReadAll(kBadEvents + "/does_not_exist.tsv", nullptr, &ids), IoError);
}

}  // namespace
}  // namespace melograph
