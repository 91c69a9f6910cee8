// Behaviour events reader (docs/FORMATS.md, "Behaviour events"):
//
//   user_id<TAB>song_id<TAB>event<TAB>timestamp[<TAB>played_ms<TAB>duration_ms[<TAB>scene]]
//
// '#' lines and blank lines are skipped, CRLF accepted, ".gz" read through zlib.
//
// Contract: Next() yields well-formed events only. A malformed line (invalid UTF-8, wrong field
// count, empty id, unknown event name, non-integer timestamp or one outside 0..2^32-1 (Unix
// seconds from 1970 to 2106: a millisecond log is caught here, and build-kg keeps event times in
// 32 bits), played_ms / duration_ms not a non-negative integer) raises InputError(file, line,
// column, reason) unless the BadLineBudget still allows skipping it (then it is counted). Whether
// the song exists in the catalog is the caller's business. Cost: one pass over the line
// (LineReader::NextFields), a UTF-8 check only for lines with bytes >= 0x80; no allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/line_reader.h"
#include "kg_builder/behaviour_weights.h"
#include "kg_builder/triple_io.h"

namespace melograph {

// Largest accepted event timestamp (Unix seconds): 2106-02-07.
inline constexpr int64_t kMaxEventTimestamp = 4294967295;

struct EventRecord {
  std::string_view user_id;  // raw id (key: "user:<id>")
  std::string_view song_id;  // raw id (key: "song:<id>")
  EventType type = EventType::kPlay;
  int64_t timestamp = 0;    // 0 .. kMaxEventTimestamp
  int64_t played_ms = -1;    // -1: absent or empty
  int64_t duration_ms = -1;  // -1: absent or empty
  std::string_view scene;    // may be empty
};

class EventsReader {
 public:
  EventsReader(std::string path, BadLineBudget* budget);
  // Next well-formed event; false at end of file. Views stay valid until the next call.
  bool Next(EventRecord& record);
  int64_t line_number() const { return reader_.line_number(); }
  const std::string& path() const { return reader_.path(); }

 private:
  static constexpr size_t kMaxFields = 7;
  // The line's fields (LineReader::NextFields, text already checked) to a record, or the
  // column and reason of what is wrong.
  bool Parse(std::string_view line, const std::string_view* f, const size_t* starts, size_t n,
             EventRecord& record, int64_t& column, std::string& reason);

  LineReader reader_;
  BadLineBudget* budget_;
  BadLineBudget local_budget_;
  // Next's scratch: the line's fields and their columns, and an error's reason. As locals they
  // were value-initialised on every call (a `rep stos`: a third of Next's time in build-graph).
  std::string_view fields_[kMaxFields];
  size_t starts_[kMaxFields] = {};
  std::string reason_;
};

}  // namespace melograph
