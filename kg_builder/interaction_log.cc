#include "kg_builder/interaction_log.h"

#include "common/error.h"
#include "kg_builder/events_reader.h"
#include "kg_builder/flat_id_map.h"

namespace melograph {

int64_t InteractionLog::events_read() const {
  int64_t n = 0;
  for (int64_t c : events_by_type) n += c;
  return n;
}

InteractionLog ReadInteractions(const std::string& events_path, const StringInterner& songs,
                                const BehaviourWeights& weights, BadLineBudget* budget) {
  InteractionLog log;
  EventsReader reader(events_path, budget);
  FlatIdMap pairs(1 << 16);
  EventRecord e;
  while (reader.Next(e)) {
    ++log.events_by_type[static_cast<int>(e.type)];
    const int32_t song = songs.Find(e.song_id);
    if (song < 0) {
      if (log.first_unknown_song_events.size() < 5)
        log.first_unknown_song_events.push_back(InputError::Format(
            reader.path(), reader.line_number(), 0,
            "song '" + std::string(e.song_id) + "' is not in songs.tsv"));
      ++log.unknown_song_events;
      continue;
    }
    const int32_t user = log.users.Intern(e.user_id);
    bool inserted = false;
    const int32_t pair = pairs.FindOrInsert(PackIds(user, song), log.pair_count(), &inserted);
    if (inserted) {
      if (log.pair_user.size() >= static_cast<size_t>(INT32_MAX - 1))
        throw LimitError("more than 2^31 distinct (user, song) pairs in " + events_path);
      log.pair_user.push_back(user);
      log.pair_song.push_back(song);
    }
    log.events.push_back({e.timestamp, pair,
                          static_cast<float>(weights.EventWeight(e.type, e.played_ms, e.duration_ms))});
  }
  return log;
}

}  // namespace melograph
