#include "kg_builder/session_split.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "common/error.h"
#include "common/short_text.h"
#include "common/text.h"
#include "kg_builder/events_reader.h"

namespace melograph {

std::string_view FmFeedbackOf(EventType type) {
  switch (type) {
    case EventType::kPlay:
    case EventType::kFullPlay:
    case EventType::kActivePlay:
    case EventType::kLoop:
    case EventType::kSearch:
      return "full_play";
    case EventType::kLike:
    case EventType::kShare:
    case EventType::kComment:
      return "like";
    case EventType::kCollect:
    case EventType::kDownload:
      return "collect";
    case EventType::kSkip:
      return "skip";
    case EventType::kDislike:
    case EventType::kBlock:
      return "dislike";
  }
  return "full_play";
}

SessionLog ReadSessionEvents(const std::string& events_path, const StringInterner& songs,
                             const InteractionLog& log, const BehaviourWeights& weights,
                             int64_t max_bad_lines) {
  std::unordered_map<uint64_t, int32_t> pair_of;
  pair_of.reserve(static_cast<size_t>(log.pair_count()));
  for (int32_t p = 0; p < log.pair_count(); ++p)
    pair_of.emplace(static_cast<uint64_t>(log.pair_user[p]) << 32 | static_cast<uint32_t>(log.pair_song[p]), p);

  SessionLog out;
  out.scenes.Intern("");
  BadLineBudget budget(max_bad_lines);
  EventsReader reader(events_path, &budget);
  EventRecord r;
  while (reader.Next(r)) {
    const int32_t song = songs.Find(r.song_id);
    if (song < 0) continue;
    const int32_t user = log.users.Find(r.user_id);
    if (user < 0) continue;  // cannot happen for an event ReadInteractions kept
    const auto it = pair_of.find(static_cast<uint64_t>(user) << 32 | static_cast<uint32_t>(song));
    if (it == pair_of.end()) continue;
    SessionEvent e;
    e.timestamp = r.timestamp;
    e.line = reader.line_number();
    e.user = user;
    e.song = song;
    e.scene = out.scenes.Intern(r.scene);
    e.pair = it->second;
    e.weight = static_cast<float>(weights.EventWeight(r.type, r.played_ms, r.duration_ms));
    e.type = r.type;
    out.events.push_back(e);
  }
  return out;
}

void CutSessions(SessionLog& log, int64_t max_gap_s, const Split& split) {
  if (max_gap_s <= 0) throw UsageError("--session-gap must be > 0 to cut sessions");
  std::sort(log.events.begin(), log.events.end(), [](const SessionEvent& a, const SessionEvent& b) {
    if (a.user != b.user) return a.user < b.user;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.line < b.line;
  });
  log.session_begin.clear();
  log.session_index.clear();
  constexpr int32_t kNoScene = 0;  // id of "" in log.scenes
  int32_t index = 0;
  int32_t session_scene = kNoScene;  // first non-empty scene of the current session
  for (size_t i = 0; i < log.events.size(); ++i) {
    const SessionEvent& e = log.events[i];
    bool cut = i == 0;
    if (!cut) {
      const SessionEvent& prev = log.events[i - 1];
      if (prev.user != e.user) {
        cut = true;
        index = 0;
      } else {
        const bool same_listen = prev.song == e.song && prev.timestamp == e.timestamp;
        const bool scene_change =
            e.scene != kNoScene && session_scene != kNoScene && e.scene != session_scene && !same_listen;
        cut = e.timestamp - prev.timestamp > max_gap_s || scene_change ||
              (split.time_filter && prev.timestamp < split.cutoff && e.timestamp >= split.cutoff);
        if (cut) ++index;
      }
    }
    if (cut) {
      log.session_begin.push_back(static_cast<int64_t>(i));
      log.session_index.push_back(index);
      session_scene = kNoScene;
    }
    if (session_scene == kNoScene) session_scene = e.scene;
  }
  log.session_begin.push_back(static_cast<int64_t>(log.events.size()));
}

void WriteNextInSession(const SessionLog& log, const StringInterner& songs, const Split& split,
                        TripleSink& sink, SessionStats& stats) {
  struct Transition {
    int64_t count = 0;
    int64_t last = 0;
  };
  std::map<std::pair<int32_t, int32_t>, Transition> transitions;  // catalog order of (a, b)
  stats.sessions = log.sessions();
  for (int64_t s = 0; s < log.sessions(); ++s) {
    int32_t prev = -1;
    for (int64_t i = log.session_begin[s]; i < log.session_begin[s + 1]; ++i) {
      const SessionEvent& e = log.events[static_cast<size_t>(i)];
      if (e.weight <= 0 || !split.IsTraining(e.pair, e.timestamp)) continue;
      if (prev >= 0 && prev != e.song) {
        Transition& t = transitions[{prev, e.song}];
        ++t.count;
        t.last = std::max(t.last, e.timestamp);
        ++stats.training_transitions;
      }
      prev = e.song;
    }
  }
  TypedKey head_key("song"), tail_key("song");
  for (const auto& [key, t] : transitions) {
    sink.Add(head_key.With(songs.Get(key.first)), "next_in_session",
             tail_key.With(songs.Get(key.second)), static_cast<double>(t.count), t.last);
  }
  stats.next_in_session_triples = static_cast<int64_t>(transitions.size());
}

void WriteTestSessions(const SessionLog& log, const InteractionLog& interactions,
                       const StringInterner& songs, const Split& split, AtomicFile& out,
                       SessionStats& stats) {
  out.Write("# session_id\tuser_id\tscene\tsong_id\tfeedback\ttimestamp\n");
  std::string line;
  for (int64_t s = 0; s < log.sessions(); ++s) {
    const SessionEvent& first = log.events[static_cast<size_t>(log.session_begin[s])];
    if (!split.time_filter || first.timestamp < split.cutoff) continue;
    ++stats.test_sessions;
    for (int64_t i = log.session_begin[s]; i < log.session_begin[s + 1]; ++i) {
      const SessionEvent& e = log.events[static_cast<size_t>(i)];
      const std::string_view user = interactions.users.Get(e.user);
      line.assign(user).push_back('#');
      AppendInt(line, log.session_index[static_cast<size_t>(s)]);
      line.append("\t").append(user).append("\t").append(log.scenes.Get(e.scene)).append("\t");
      line.append(songs.Get(e.song)).append("\t").append(FmFeedbackOf(e.type)).append("\t");
      AppendInt(line, e.timestamp);
      line.push_back('\n');
      out.Write(line);
      ++stats.test_session_events;
    }
  }
}

}  // namespace melograph
