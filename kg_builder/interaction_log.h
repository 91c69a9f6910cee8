// InteractionLog: the behaviour events of one events file in compact form, ready for the
// train/test split and the weight aggregation.
//
// Each (user, song) pair gets a dense pair id in order of first appearance; each retained event
// is 12 bytes (32-bit timestamp, pair, weight after completion scaling), so 10^7 events take ~120 MB
// plus 8 bytes per distinct pair (the events array is reserved once from the file size). Users
// are interned by raw id; songs are the catalog's ids. Reading resolves events in batches of 64
// with prefetched lookups. Pairs are found per run of one user's events in a small table while
// every run is its user's first (a log grouped by user: no global index at all); from the first
// user that comes back on, through a global (user, song) index of 10-15 bytes per pair, freed
// after reading.
//
// Contract: ReadInteractions keeps every well-formed event whose song is in the catalog.
// Events naming a song missing from songs.tsv are dropped and counted (unknown_song_events,
// with the first five positions) -- a counted warning, not an error, because real logs outlive
// catalog entries. Malformed lines follow the BadLineBudget (EventsReader).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/huge_pages.h"
#include "graph/string_interner.h"
#include "kg_builder/behaviour_weights.h"
#include "kg_builder/triple_io.h"

namespace melograph {

struct InteractionEvent {
  uint32_t time;  // Unix seconds: EventsReader accepts 0 .. 2^32 - 1 only
  int32_t pair;
  float weight;  // > 0 positive, < 0 negative, 0 ignored
  int64_t timestamp() const { return time; }
};
static_assert(sizeof(InteractionEvent) == 12);

struct InteractionLog {
  StringInterner users;            // raw user ids, first-seen order
  // Written once in order, and from 1 MiB on (~87K events) on huge pages (common/huge_pages.h):
  // a page fault per 2 MiB instead of per 4 KiB.
  HugeVector<int32_t> pair_user;  // pair -> user id
  HugeVector<int32_t> pair_song;  // pair -> song id (catalog songs)
  HugeVector<InteractionEvent> events;
  std::array<int64_t, kEventTypeCount> events_by_type{};  // well-formed events read, per type
  int64_t unknown_song_events = 0;
  std::vector<std::string> first_unknown_song_events;  // "file:line: song 'x' is not in songs.tsv"

  int32_t pair_count() const { return static_cast<int32_t>(pair_user.size()); }
  int64_t events_read() const;
};

// `expected_users` (Catalog::user_ids, 0: unknown) sizes the users table up front.
InteractionLog ReadInteractions(const std::string& events_path, const StringInterner& songs,
                                const BehaviourWeights& weights, BadLineBudget* budget,
                                size_t expected_users = 0);

}  // namespace melograph
