// Train/test split of an InteractionLog for evaluation (docs/KG_BUILDER.md, "Split").
//
// A pair's "first positive time" is the earliest timestamp of its events with weight > 0.
// Only pairs with a positive event can be test pairs; each test pair is written once, and
// none of a test pair's events (positive or negative) enters training.
//  * time (default): cutoff = --cutoff, or the --cutoff-quantile q of all retained event
//    timestamps (t[floor(q*n)] of the sorted timestamps; max+1 when floor(q*n) = n). A pair
//    whose first positive time is >= cutoff is a test pair. Training uses only events with
//    timestamp < cutoff (later events of training pairs are dropped: no look-ahead).
//  * last-n: per user, positive pairs ordered by (first positive time, song id bytes); the last
//    min(N, m-1) of the user's m positive pairs are test pairs (a user keeps at least one
//    training pair). Training keeps all events of the other pairs.
//  * fraction: as last-n with k = floor(F*m) plus one with probability frac(F*m), drawn from
//    Rng(HashCombine(seed, HashBytes(user id))), capped at m-1.
// Users with no training interaction keep their test pairs. Deterministic for a given input
// and seed. Cost: O(E) for time (two counting passes for the quantile), O(E + P log P) otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kg_builder/interaction_log.h"

namespace melograph {

enum class SplitMode { kTime, kLastN, kFraction };
SplitMode ParseSplitMode(std::string_view name);  // "time" | "last-n" | "fraction"; UsageError
std::string_view ToString(SplitMode mode);

struct SplitOptions {
  SplitMode mode = SplitMode::kTime;
  bool has_cutoff = false;  // time: use `cutoff` instead of the quantile
  int64_t cutoff = 0;
  double cutoff_quantile = 0.8;
  int64_t test_last_n = 1;
  double test_fraction = 0.2;
  uint64_t seed = 0;
};

struct Split {
  std::vector<uint8_t> is_test;  // per pair
  bool time_filter = false;      // time split: training ignores events at or after `cutoff`
  int64_t cutoff = 0;
  int64_t test_pairs = 0;

  bool IsTraining(int32_t pair, int64_t timestamp) const {
    return !is_test[pair] && !(time_filter && timestamp >= cutoff);
  }
  bool IsTrainingEvent(const InteractionEvent& e) const { return IsTraining(e.pair, e.timestamp()); }
};

// UsageError unless the options of the chosen mode are in range (quantile in [0, 1],
// test_last_n >= 1, test_fraction in (0, 1)).
void ValidateSplitOptions(const SplitOptions& options);

// t[floor(q*n)] of the sorted timestamps (max+1 if that index is n, 0 if there are no events),
// by a two-pass radix select: O(n), events left in place. UsageError unless 0<=q<=1.
int64_t QuantileCutoff(std::span<const InteractionEvent> events, double q);

// Leaves log.events in place. UsageError for out-of-range options.
Split SplitInteractions(InteractionLog& log, const StringInterner& songs, const SplitOptions& options);

}  // namespace melograph
