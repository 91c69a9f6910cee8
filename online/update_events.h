// New behaviour events for an incremental update (`melograph update --events`): reads an events
// file (docs/FORMATS.md, "Behaviour events") and aggregates each (user, song) pair's events into
// a positive sum P and a negative sum N with build-kg's weight table and completion scaling
// (kg_builder/behaviour_weights.h), in order of each pair's first event.
//
// Contract: every event counts (an update has no train/test split: the caller passes only the
// events it wants folded in). Malformed lines (unknown event, wrong field count, bad timestamp,
// ...) raise InputError(file, line, column, reason) through EventsReader, unless the
// BadLineBudget allows skipping them. MergedBehaviourWeight turns an old relation weight plus new
// sums into the weight build-kg would have written had it seen the old and new events together
// (exact for LOG1P and IDENTITY compression: the old weight is decompressed first).
// Memory: the distinct user and song ids plus 24 bytes per pair.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/string_interner.h"
#include "kg_builder/behaviour_weights.h"
#include "kg_builder/triple_io.h"

namespace melograph {

struct NewEventPair {
  int32_t user = 0;       // id in NewEvents::users
  int32_t song = 0;       // id in NewEvents::songs
  double positive = 0.0;  // P: sum of contributions > 0
  double negative = 0.0;  // N: sum of contributions < 0 (<= 0)
};

struct NewEvents {
  StringInterner users;  // raw user ids (key "user:<id>"), first-seen order
  StringInterner songs;  // raw song ids (key "song:<id>"), first-seen order
  std::vector<NewEventPair> pairs;  // order of first event
  std::array<int64_t, kEventTypeCount> events_by_type{};
  int64_t events_read = 0;
};

NewEvents ReadNewEvents(const std::string& path, const BehaviourWeights& weights,
                        BadLineBudget* budget);

// The relation weight of a sum of contributions after adding `added` to what `old_weight`
// (a weight written by build-kg or an earlier update; 0 when there was no edge) stands for.
// For `listened` pass P sums and positive weights; for `rejected` pass -N and -weight (both
// >= 0) and negate the result. Returns 0 when the total is not positive.
double MergedBehaviourWeight(const proto::KgConfig& config, double old_weight, double added);

}  // namespace melograph
