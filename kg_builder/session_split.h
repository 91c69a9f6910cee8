// Listening sessions for build-kg --session-gap (docs/KG_BUILDER.md, "Sessions").
//
// A user's events, in (timestamp, file line) order, are cut into sessions. A new session starts
// at an event when
//   * the gap to the user's previous event exceeds max_gap_s seconds, or
//   * it names a scene and that scene differs from the session's (the first non-empty scene of
//     the session) -- except for an event on the same song at the same timestamp as the previous
//     event (feedback on that listen, e.g. a `like` logged from another screen), which stays in
//     the listen's session; events without a scene never cut, or
//   * (time split) the previous event is before the cutoff and this one is at or after it, so
//     every session lies wholly in the training period or wholly in the test period.
// Outputs:
//   * next_in_session (song -> song): within each training-period session, the positive
//     *training* events (behaviour weight > 0 and Split::IsTrainingEvent; skips and other
//     negative events in between are ignored), with runs of the same song collapsed; every
//     consecutive pair (a, b), a != b, is one transition. Weight = number of transitions a -> b
//     over all users, timestamp = the last one's; triples sorted by (a, b) in catalog order.
//   * OUT/test_sessions.tsv (time split only): every test-period session, one event per line
//     `session_id  user_id  scene  song_id  feedback  timestamp`, sessions in (user first seen,
//     time) order; session_id = `<user_id>#<k>` with k the session's index among all of the
//     user's sessions. feedback maps the 13 event types onto the FM's five (FmFeedbackOf).
// Events naming songs missing from songs.tsv are skipped (ReadInteractions counts them).
//
// Contract: deterministic function of the events file, the catalog songs, the split and the
// options. Cost: a second pass over the events file, 40 bytes per retained event plus a
// (user, song) -> pair hash index, O(E log E) for the sort. max_gap_s must be > 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_util.h"
#include "graph/string_interner.h"
#include "kg_builder/behaviour_weights.h"
#include "kg_builder/interaction_log.h"
#include "kg_builder/split.h"
#include "kg_builder/triple_io.h"
#include "kg_builder/triple_sink.h"

namespace melograph {

// The five feedback kinds of a private-FM session, and the mapping of event types onto them:
// play, full_play, active_play, loop, search -> full_play; like, share, comment -> like;
// collect, download -> collect; skip -> skip; dislike, block -> dislike.
std::string_view FmFeedbackOf(EventType type);

struct SessionEvent {
  int64_t timestamp = 0;
  int64_t line = 0;    // line in the events file (tie-break, and for messages)
  int32_t user = 0;    // id in the InteractionLog's user interner
  int32_t song = 0;    // catalog song id
  int32_t scene = 0;   // id in SessionLog::scenes ("" for an absent scene)
  int32_t pair = -1;   // InteractionLog pair
  float weight = 0;    // behaviour weight of the event (after completion scaling)
  EventType type = EventType::kPlay;
};

struct SessionLog {
  StringInterner scenes;
  std::vector<SessionEvent> events;      // sorted by (user, timestamp, line)
  std::vector<int64_t> session_begin;    // session s = events[session_begin[s], session_begin[s+1])
  std::vector<int32_t> session_index;    // per session: index among its user's sessions
  int64_t sessions() const { return static_cast<int64_t>(session_begin.size()) - 1; }
};

// Reads the events file again, keeping the events of catalog songs, with their InteractionLog
// user and pair ids. Malformed lines were already handled by ReadInteractions (same budget rules).
SessionLog ReadSessionEvents(const std::string& events_path, const StringInterner& songs,
                             const InteractionLog& log, const BehaviourWeights& weights,
                             int64_t max_bad_lines);

// Sorts log.events and fills session_begin / session_index by the rules above. cutoff applies
// when split.time_filter.
void CutSessions(SessionLog& log, int64_t max_gap_s, const Split& split);

struct SessionStats {
  int64_t sessions = 0;
  int64_t training_transitions = 0;
  int64_t next_in_session_triples = 0;
  int64_t test_sessions = 0;
  int64_t test_session_events = 0;
};

// Writes the next_in_session triples of the training-period sessions.
void WriteNextInSession(const SessionLog& log, const StringInterner& songs, const Split& split,
                        TripleSink& sink, SessionStats& stats);

// Writes the test-period sessions (split.time_filter must hold).
void WriteTestSessions(const SessionLog& log, const InteractionLog& interactions,
                       const StringInterner& songs, const Split& split, AtomicFile& out,
                       SessionStats& stats);

}  // namespace melograph
