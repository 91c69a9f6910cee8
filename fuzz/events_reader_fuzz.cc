// Fuzz target: the behaviour events reader (kg_builder/events_reader.h).
//
// Input: the bytes of one events file (gzip magic 1f 8b: written as "events.tsv.gz").
// Contract checked:
//  * a strict reader returns every event or throws a melograph::Error;
//  * a lenient reader (unbounded budget) yields only well-formed events: non-empty user and
//    song ids, valid UTF-8 in every text field, played_ms / duration_ms either -1 (absent) or
//    non-negative, an event type among the 13 names (its name parses back to the same type).
#include <limits>

#include "common/text.h"
#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "kg_builder/events_reader.h"

namespace melograph::fuzz {

void FuzzEventsReader(std::string_view data) {
  const bool gz = data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
  const std::string path = WriteScratch(gz ? "events.tsv.gz" : "events.tsv", data);
  AcceptsOrRejects([&] {
    EventsReader reader(path, nullptr);
    EventRecord e;
    while (reader.Next(e)) {
    }
  });
  AcceptsOrRejects([&] {
    BadLineBudget budget(std::numeric_limits<int64_t>::max());
    EventsReader reader(path, &budget);
    EventRecord e;
    while (reader.Next(e)) {
      if (e.user_id.empty() || e.song_id.empty()) Violation("accepted an empty id");
      for (std::string_view text : {e.user_id, e.song_id, e.scene})
        if (FindInvalidUtf8(text) != std::string_view::npos) Violation("accepted invalid UTF-8");
      if (e.played_ms < -1 || e.duration_ms < -1) Violation("accepted a negative duration");
      EventType back;
      if (!ParseEventType(EventTypeName(e.type), &back) || back != e.type)
        Violation("event type does not round-trip through its name");
    }
  });
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzEventsReader)
