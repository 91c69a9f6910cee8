#include "kg_builder/behaviour_weights.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

namespace melograph {
namespace {

TEST(BehaviourWeights, defaults_rank_collect_like_over_full_play_over_play) {
  const BehaviourWeights w(DefaultKgConfig());
  EXPECT_GT(w.base(EventType::kCollect), w.base(EventType::kFullPlay));
  EXPECT_GT(w.base(EventType::kLike), w.base(EventType::kFullPlay));
  EXPECT_GT(w.base(EventType::kFullPlay), w.base(EventType::kPlay));
  EXPECT_GT(w.base(EventType::kPlay), 0.0);
  EXPECT_LT(w.base(EventType::kSkip), 0.0);
  EXPECT_LT(w.base(EventType::kDislike), w.base(EventType::kSkip));
  EXPECT_LT(w.base(EventType::kBlock), w.base(EventType::kDislike));
}

TEST(BehaviourWeights, completion_scales_play_types_only) {
  const BehaviourWeights w(DefaultKgConfig());
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kPlay, 120000, 240000), 0.5);
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kLoop, 60000, 240000), 0.75);
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kPlay, 500000, 240000), 1.0);  // clamped
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kPlay, -1, -1), 1.0);         // absent
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kPlay, 1000, 0), 1.0);        // no duration
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kLike, 0, 240000), 5.0);      // not a play
  EXPECT_DOUBLE_EQ(w.EventWeight(EventType::kSkip, 5000, 200000), -1.0);
  proto::KgConfig off = DefaultKgConfig();
  off.set_completion_scaling(false);
  EXPECT_DOUBLE_EQ(BehaviourWeights(off).EventWeight(EventType::kPlay, 120000, 240000), 1.0);
}

TEST(BehaviourWeights, compress_is_log1p_or_identity) {
  EXPECT_DOUBLE_EQ(BehaviourWeights(DefaultKgConfig()).Compress(5.5), std::log1p(5.5));
  proto::KgConfig id = DefaultKgConfig();
  id.set_compression(proto::KgConfig::IDENTITY);
  EXPECT_DOUBLE_EQ(BehaviourWeights(id).Compress(5.5), 5.5);
}

TEST(BehaviourWeights, event_names_round_trip) {
  EventType t;
  for (int i = 0; i < kEventTypeCount; ++i) {
    ASSERT_TRUE(ParseEventType(EventTypeName(static_cast<EventType>(i)), &t));
    EXPECT_EQ(static_cast<int>(t), i);
  }
  EXPECT_FALSE(ParseEventType("listen", &t));
  EXPECT_FALSE(ParseEventType("", &t));
  // Names found by their first four bytes must still match whole: same start, other length or
  // ending; shorter than four bytes; a different case.
  for (const char* bad : {"plays", "pla", "p", "full", "full_pla", "full_plays", "liked", "comme",
                          "collects", "dislike_", "Play", "PLAY", "skip\t", "block "})
    EXPECT_FALSE(ParseEventType(bad, &t)) << bad;
  // Every byte of every name counts: one byte changed anywhere, or one more or less at the end.
  for (int i = 0; i < kEventTypeCount; ++i) {
    const std::string name(EventTypeName(static_cast<EventType>(i)));
    for (size_t k = 0; k < name.size(); ++k) {
      std::string changed = name;
      changed[k] = static_cast<char>(changed[k] ^ 0x20);
      EXPECT_FALSE(ParseEventType(changed, &t)) << changed;
    }
    EXPECT_FALSE(ParseEventType(name + "y", &t)) << name;
    EXPECT_FALSE(ParseEventType(name.substr(0, name.size() - 1), &t)) << name;
  }
  EXPECT_FALSE(ParseEventType("active_playing", &t));       // longer than any name
  ASSERT_TRUE(ParseEventType(std::string("comment"), &t));  // not a literal's storage
  EXPECT_EQ(EventTypeName(t), "comment");
  EXPECT_EQ(EventTypeList().substr(0, 16), "play, full_play,");
}

TEST(KgConfig, text_overrides_only_named_fields) {
  const proto::KgConfig c = ParseKgConfigText(
      "# heavier skips\nevent_weights { skip: -3 like: 7.5 }\ncompression: IDENTITY\n", "c.txt");
  EXPECT_DOUBLE_EQ(c.event_weights().skip(), -3.0);
  EXPECT_DOUBLE_EQ(c.event_weights().like(), 7.5);
  EXPECT_DOUBLE_EQ(c.event_weights().collect(), 6.0);  // default kept
  EXPECT_TRUE(c.completion_scaling());
  EXPECT_EQ(c.compression(), proto::KgConfig::IDENTITY);
  EXPECT_EQ(c.max_artists_per_work(), 500);
}

TEST(KgConfig, default_text_lists_every_weight_and_parses_back) {
  const std::string text = KgConfigToText(DefaultKgConfig());
  for (int i = 0; i < kEventTypeCount; ++i)
    EXPECT_NE(text.find(std::string(EventTypeName(static_cast<EventType>(i))) + ":"), std::string::npos);
  EXPECT_NE(text.find("collect: 6"), std::string::npos);
  EXPECT_NE(text.find("completion_scaling: true"), std::string::npos);
  const proto::KgConfig back = ParseKgConfigText(text, "default");
  EXPECT_EQ(back.SerializeAsString(), DefaultKgConfig().SerializeAsString());
}

TEST(KgConfig, syntax_error_names_line_and_column) {
  try {
    ParseKgConfigText("event_weights {\n  skip: -3\n  listen: 2\n}\n", "bad.txt");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.txt");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 9);  // protobuf reports the token after the unknown name
    EXPECT_NE(e.reason().find("listen"), std::string::npos) << e.what();
  }
}

TEST(KgConfig, bad_values_are_usage_errors) {
  EXPECT_THROW(ParseKgConfigText("event_weights { play: inf }", "c"), UsageError);
  EXPECT_THROW(ParseKgConfigText("max_artists_per_work: 1", "c"), UsageError);
  EXPECT_THROW(LoadKgConfig("/nonexistent/kg.txt"), IoError);
}

}  // namespace
}  // namespace melograph
