// Private FM session state (docs/FM.md): a short-term taste vector updated after every
// (song, feedback) event from the trained song embeddings, blended with the user's long-term
// vector into the query of the next-song search, plus the songs the session must not play.
//
// Update rule, per event (song v with embedding e_v, unit direction u_v = e_v / |e_v|):
//     s <- decay * s + w(feedback) * u_v
// with w = pull_full_play (1) < pull_like (2) < pull_collect (2.5) for positive feedback and
// w = push_skip (-0.5), push_dislike (-1.5) for negative feedback, so each older event's
// influence shrinks by `decay` (0.8) per later event (recency decay), positive events pull the query
// toward the song and skips / dislikes push it away.
// Query (what the next song is searched with, by inner product against the song embeddings):
//     warm user (has a long-term vector l):  q = (1 - a) * l / |l| + a * s / |s|    (a = short_term_weight, 0.3)
//     cold user (none):                      q = s / |s|
// with the s term left out while s = 0 (then a warm user's query is the static user vector; a
// cold user's is empty, and the searcher falls back to popularity).
// Exclusions: every song with an event in the session (no repeats), and every song of an artist
// the user disliked in the session (dislike feedback; FmCatalog's song -> artist lists).
//
// Contract: a pure function of the catalog, the parameters and the event sequence (no clock,
// no randomness); Observe is O(dim + songs of the song's artists on a dislike); the exclusion
// bitmap is one byte per song, cleared in O(excluded) by Reset. Not thread-safe (one session
// per thread); the FmCatalog is shared read-only.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "online/fm_catalog.h"

namespace melograph {

enum class FmFeedback : uint8_t { kFullPlay, kLike, kCollect, kSkip, kDislike };

// "full_play" | "like" | "collect" | "skip" | "dislike"; false for anything else.
bool ParseFmFeedback(std::string_view name, FmFeedback* feedback);
std::string_view FmFeedbackName(FmFeedback feedback);
inline bool IsPositive(FmFeedback f) { return f <= FmFeedback::kCollect; }

struct FmParams {
  float pull_full_play = 1.0f;
  float pull_like = 2.0f;
  float pull_collect = 2.5f;
  float push_skip = -0.5f;
  float push_dislike = -1.5f;
  // Defaults chosen with the song vectors of cluster/presets/lightgcn-fm-demo.pbtxt on the
  // held-out sessions of the seed-2 demo worlds (docs/FM.md, "FM preset and defaults");
  // seed 1 is the reported test world.
  float decay = 0.8f;              // in (0, 1]
  float short_term_weight = 0.3f;  // a in [0, 1]
  float weight(FmFeedback f) const;
};

// UsageError unless decay in (0, 1], short_term_weight in [0, 1], pulls > 0 and pushes <= 0.
void ValidateFmParams(const FmParams& params);

class FmSession {
 public:
  FmSession(const FmCatalog* catalog, FmParams params);

  // Starts a new session. `long_term` is the user's vector (catalog dim) or empty (cold user).
  void Reset(std::span<const float> long_term);
  // Applies one event (song = catalog song index).
  void Observe(int32_t song, FmFeedback feedback);

  // The query vector (empty when cold and no event has moved s yet).
  std::span<const float> Query();
  std::span<const float> short_term() const { return short_term_; }
  bool cold() const { return long_term_.empty(); }
  bool excluded(int32_t song) const { return excluded_[static_cast<size_t>(song)] != 0; }
  const std::vector<uint8_t>& exclusion_mask() const { return excluded_; }
  int64_t excluded_count() const { return static_cast<int64_t>(excluded_list_.size()); }
  int64_t events() const { return events_; }
  std::span<const int32_t> played() const { return played_; }

 private:
  void Exclude(int32_t song);

  const FmCatalog* catalog_;
  FmParams params_;
  std::vector<float> long_term_;   // unit length, or empty
  std::vector<float> short_term_;  // s
  std::vector<float> query_;
  std::vector<uint8_t> excluded_;  // per song
  std::vector<int32_t> excluded_list_;
  std::vector<int32_t> played_;    // distinct songs in session order
  std::vector<int32_t> disliked_artists_;
  int64_t events_ = 0;
};

}  // namespace melograph
