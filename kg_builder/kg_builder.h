// build-kg: behaviour events + catalog -> OUT/train.tsv (weighted typed triples),
// OUT/test.tsv (held-out user/song pairs) and OUT/manifest.pb (proto KgBuildManifest).
//
// Pipeline: ReadCatalog (catalog triples stream into train.tsv) -> ReadInteractions (events
// in compact form) -> SplitInteractions -> behaviour triples (`listened`, `rejected`, pair
// order of first appearance in the events file) -> co_ost / co_show. See docs/KG_BUILDER.md.
//
// Contract: the output directory appears only when complete (AtomicDirectory); test pairs
// never contribute to train.tsv; output is a deterministic function of the inputs, config and
// seed. One BadLineBudget (--max-bad-lines) is shared by every reader. Memory: 12 bytes per
// event + 8 bytes per (user, song) pair, plus while reading a 10-15 byte per pair index once a
// user's events come back after another user's (a log grouped by user needs none;
// interaction_log.cc) and later 1 byte per pair of split state (time split; 8 for the others)
// and 1/64 to 1/8 of 32 bytes per pair of sums (WriteBehaviourTriples works in blocks), plus
// the catalog's keys. The events are returned to the system as the behaviour triples are
// written.
// docs/BENCHMARKS.md has the measured figures.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "kg_builder/behaviour_weights.h"
#include "kg_builder/interaction_log.h"
#include "kg_builder/playlist_follows.h"
#include "kg_builder/split.h"
#include "kg_builder/triple_sink.h"

namespace melograph {

struct KgBuildOptions {
  std::string events_path;
  std::string catalog_dir;
  std::string out_dir;
  proto::KgConfig config = DefaultKgConfig();
  SplitOptions split;
  int64_t max_bad_lines = 0;
  // > 0: cut sessions with this maximum gap (kg_builder/session_split.h): next_in_session
  // triples and (time split) OUT/test_sessions.tsv. 0 (library default): no sessions, and the
  // outputs are those of a build without the option, byte for byte.
  int64_t session_gap_s = 0;
};

struct KgBuildStats {
  std::array<int64_t, kEventTypeCount> events_by_type{};
  int64_t events_read = 0;
  int64_t unknown_song_events = 0;  // dropped: song not in songs.tsv
  std::vector<std::string> first_unknown_song_events;
  int64_t unknown_song_refs = 0;    // playlist entries dropped: song not in songs.tsv
  std::vector<std::string> first_unknown_song_refs;
  int64_t pairs = 0;
  int64_t training_events = 0;  // events aggregated into listened / rejected
  std::string split;
  bool has_cutoff = false;
  int64_t cutoff = 0;
  int64_t test_pairs = 0;
  int64_t test_users = 0;
  std::vector<std::pair<std::string, int64_t>> triples_by_relation;  // order of first write
  int64_t triples = 0;
  int64_t works_skipped = 0;
  int64_t bad_lines_skipped = 0;
  std::string bad_lines_summary;
  bool has_playlist_follows = false;  // the catalog had playlist_follows.tsv
  PlaylistFollowStats playlist_follows;
  bool sessions_on = false;  // session_gap_s > 0: the session_* / test_session_* counts apply
  int64_t sessions = 0;
  int64_t session_transitions = 0;  // training transitions behind the next_in_session triples
  int64_t test_sessions = 0;        // written to test_sessions.tsv (time split)
  int64_t test_session_events = 0;
};

KgBuildStats BuildKg(const KgBuildOptions& options);

// "key: value" lines (events_read, events.<type>, pairs, test_pairs, triples.<relation>, ...).
std::string FormatKgBuildStats(const KgBuildStats& stats);

// Aggregates the training events of every non-test pair into `listened` (weight C(P), with the
// timestamp of the last positive training event) and `rejected` (-C(-N), timestamp of the last
// negative one), in pair order. Returns the number of training events. `block_pairs` is how many
// pairs' sums one pass over the events fills (0: the default, the smallest of pairs / 64 + 1
// times 1, 2, 4 or 8 whose passes read at most 1.25 times the events, else max(4 MiB of sums,
// pairs / 8 + 1)); the output does not depend on it. `events_done(i)`, when given, is called after
// a block's pass once no later pass reads log.events below i (a caller that reads them no more may
// discard them: BuildKg returns their pages before the block's triples are written).
int64_t WriteBehaviourTriples(const InteractionLog& log, const StringInterner& songs,
                              const Split& split, const BehaviourWeights& weights, TripleSink& sink,
                              int32_t block_pairs = 0,
                              const std::function<void(size_t)>& events_done = {});

// Writes "user:<u>\tsong:<s>\n" for every test pair, in pair order; returns distinct test users.
int64_t WriteTestPairs(const InteractionLog& log, const StringInterner& songs, const Split& split,
                       AtomicFile& out);

}  // namespace melograph
