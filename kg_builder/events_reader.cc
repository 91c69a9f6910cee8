#include "kg_builder/events_reader.h"

#include "common/error.h"
#include "common/text.h"

namespace melograph {
namespace {

// Parses an optional non-negative millisecond count; empty gives -1.
[[gnu::always_inline]] inline bool ParseMillis(std::string_view s, int64_t* out) {
  if (s.empty()) {
    *out = -1;
    return true;
  }
  int64_t v;
  if (!ParseInt64(s, &v) || v < 0) return false;
  *out = v;
  return true;
}

}  // namespace

EventsReader::EventsReader(std::string path, BadLineBudget* budget)
    : reader_(std::move(path)), budget_(budget ? budget : &local_budget_) {}

bool EventsReader::Next(EventRecord& record) {
  std::string_view line;
  std::string_view* const f = fields_;  // members: a local array was zeroed on every call
  size_t* const starts = starts_;
  size_t n = 0;
  bool plain = true;
  std::string& reason = reason_;
  while (reader_.NextFields(line, kMaxFields, f, starts, n, plain)) {
    if (line.empty() || line[0] == '#') continue;
    int64_t column = 0;
    if ((plain || CheckLineText(line, column, reason)) &&
        Parse(line, f, starts, n, record, column, reason))
      return true;
    budget_->Record(InputError(reader_.path(), reader_.line_number(), column, reason));
  }
  return false;
}

bool EventsReader::Parse(std::string_view line, const std::string_view* f, const size_t* starts,
                         size_t n, EventRecord& r, int64_t& column, std::string& reason) {
  if (n != 4 && n != 6 && n != 7) {
    column = 1;
    reason = "expected 4, 6 or 7 tab-separated fields (user_id, song_id, event, timestamp"
             "[, played_ms, duration_ms[, scene]]), found " + std::to_string(n);
    if (n == 1 && line.find(' ') != std::string_view::npos) reason += " (fields must be separated by tabs)";
    return false;
  }
  const auto fail = [&](size_t field, std::string why) {
    column = static_cast<int64_t>(starts[field]) + 1;
    reason = std::move(why);
    return false;
  };
  if (f[0].empty()) return fail(0, "user_id is empty");
  if (f[1].empty()) return fail(1, "song_id is empty");
  if (!ParseEventType(f[2], &r.type))
    return fail(2, "unknown event '" + std::string(f[2]) + "' (expected one of " + EventTypeList() + ")");
  int64_t ts;
  if (!ParseInt64(f[3], &ts))
    return fail(3, "timestamp '" + std::string(f[3]) + "' is not an integer (Unix seconds)");
  if (ts < 0 || ts > kMaxEventTimestamp)
    return fail(3, "timestamp " + std::string(f[3]) +
                       " is outside 0..4294967295 (Unix seconds, 1970 to 2106; milliseconds?)");
  r.user_id = f[0];
  r.song_id = f[1];
  r.timestamp = ts;
  r.played_ms = -1;
  r.duration_ms = -1;
  r.scene = {};
  if (n >= 6) {
    if (!ParseMillis(f[4], &r.played_ms))
      return fail(4, "played_ms '" + std::string(f[4]) + "' is not a non-negative integer");
    if (!ParseMillis(f[5], &r.duration_ms))
      return fail(5, "duration_ms '" + std::string(f[5]) + "' is not a non-negative integer");
  }
  if (n == 7) r.scene = f[6];
  return true;
}

}  // namespace melograph
