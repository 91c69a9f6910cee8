// Behaviour weights: event types, the weight table (proto/kg_config.proto) and the formula that
// turns a (user, song) pair's events into `listened` / `rejected` weights.
//
// Formula (docs/KG_BUILDER.md): each event contributes w = base[type] * s, where s is the
// completion clamp(played_ms / duration_ms, 0, 1) for play-type events (play, full_play,
// active_play, loop) when completion_scaling is on and both fields are present with
// duration_ms > 0, and s = 1 otherwise. Positive contributions sum to P, negative ones to N
// (N <= 0). listened = C(P) when P > 0, rejected = -C(-N) when N < 0, with C = log1p (default)
// or the identity. log1p keeps one looping user from dominating a song.
//
// Contract: LoadKgConfig / ParseKgConfigText start from the schema defaults and override only
// the fields the text names; a syntax error throws InputError(file, line, column, reason), a
// bad value (non-finite weight, max_artists_per_work < 2) throws UsageError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/kg_config.pb.h"

namespace melograph {

enum class EventType : uint8_t {
  kPlay,
  kFullPlay,
  kActivePlay,
  kLoop,
  kSearch,
  kLike,
  kCollect,
  kShare,
  kComment,
  kDownload,
  kSkip,
  kDislike,
  kBlock,
};
inline constexpr int kEventTypeCount = 13;

// "play", "full_play", ... (the names used in events files and in the config).
std::string_view EventTypeName(EventType type);
// False if `name` is not one of the 13 event names.
bool ParseEventType(std::string_view name, EventType* type);
// "play, full_play, ..., block" for error messages.
std::string EventTypeList();

// The schema defaults with every field set explicitly (so printing shows them all).
proto::KgConfig DefaultKgConfig();
proto::KgConfig ParseKgConfigText(std::string_view text, const std::string& name);
proto::KgConfig LoadKgConfig(const std::string& path);
std::string KgConfigToText(const proto::KgConfig& config);

class BehaviourWeights {
 public:
  explicit BehaviourWeights(const proto::KgConfig& config);

  double base(EventType type) const { return base_[static_cast<int>(type)]; }
  // Contribution of one event; played_ms / duration_ms are -1 when absent.
  double EventWeight(EventType type, int64_t played_ms, int64_t duration_ms) const {
    const double w = base_[static_cast<int>(type)];
    if (!completion_scaling_ || static_cast<int>(type) > static_cast<int>(EventType::kLoop) ||
        played_ms < 0 || duration_ms <= 0)
      return w;
    const double completion = static_cast<double>(played_ms) / static_cast<double>(duration_ms);
    return w * (completion > 1.0 ? 1.0 : completion);
  }
  // Relation weight magnitude from a positive sum of contributions.
  double Compress(double sum) const;

 private:
  double base_[kEventTypeCount];
  bool completion_scaling_;
  bool log1p_;
};

}  // namespace melograph
