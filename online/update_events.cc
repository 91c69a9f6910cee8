// New behaviour events aggregated per (user, song) pair (contract in online/update_events.h).
#include "online/update_events.h"

#include <cmath>

#include "kg_builder/events_reader.h"

namespace melograph {

NewEvents ReadNewEvents(const std::string& path, const BehaviourWeights& weights,
                        BadLineBudget* budget) {
  NewEvents out;
  StringInterner pair_index;  // (user, song) as 8 raw bytes -> pair id
  EventsReader reader(path, budget);
  EventRecord e;
  std::string pair_key;
  while (reader.Next(e)) {
    ++out.events_read;
    ++out.events_by_type[static_cast<size_t>(e.type)];
    const int32_t user = out.users.Intern(e.user_id);
    const int32_t song = out.songs.Intern(e.song_id);
    // Pair key: the two dense ids as 8 raw bytes (exact, no collisions).
    pair_key.assign(reinterpret_cast<const char*>(&user), sizeof user);
    pair_key.append(reinterpret_cast<const char*>(&song), sizeof song);
    const int32_t pair = pair_index.Intern(pair_key);
    if (static_cast<size_t>(pair) == out.pairs.size()) out.pairs.push_back({user, song, 0.0, 0.0});
    const double w = weights.EventWeight(e.type, e.played_ms, e.duration_ms);
    NewEventPair& p = out.pairs[static_cast<size_t>(pair)];
    if (w > 0) p.positive += w;
    if (w < 0) p.negative += w;
  }
  return out;
}

double MergedBehaviourWeight(const proto::KgConfig& config, double old_weight, double added) {
  const bool log1p = config.compression() == proto::KgConfig::LOG1P;
  const double old_sum = old_weight > 0 ? (log1p ? std::expm1(old_weight) : old_weight) : 0.0;
  const double total = old_sum + added;
  if (!(total > 0)) return 0.0;
  return log1p ? std::log1p(total) : total;
}

}  // namespace melograph
