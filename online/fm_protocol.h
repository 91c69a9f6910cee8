// The line protocol of `melograph fm` in interactive mode (docs/FM.md, "Interactive mode"):
// one flat JSON object per input line, one JSON object per output line.
//
// Requests (keys in any order; ids with or without their "user:" / "song:" prefix):
//   {"user": "u12", "song": "s40", "feedback": "like"}   an event of the user's session (a
//                                                        session starts on the user's first one)
//   {"user": "u12", "action": "start"}                   start a new session (clears the old one)
//   {"user": "newbie", "action": "start", "new_user": true}  a user unknown to the graph, served
//                                                        cold (short-term vector only)
//   an optional "k": N (1..1000) overrides --k for that line.
// Responses: {"user":"u12","session_events":2,"cold":false,"recommendations":[{"song":"s7",
// "score":0.8125},...]}; with --max-bad-lines, a skipped line answers {"error":"stdin:3:..."}.
//
// Contract: ParseFmRequest accepts exactly one JSON object whose values are strings (with the
// JSON escapes), integers or booleans, and only the keys above; for anything else it returns
// false with the 1-based column and the reason (the caller raises InputError("stdin", line,
// column, reason) or counts the line). Ids are not looked up here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace melograph {

struct FmRequest {
  std::string user;
  std::string song;      // empty for an action line
  std::string feedback;  // empty for an action line
  std::string action;    // "" or "start"
  bool new_user = false;
  int k = 0;             // 0: the command's --k
};

bool ParseFmRequest(std::string_view line, FmRequest* request, int64_t* column, std::string* reason);

// JSON string literal for s (quotes included), escaping ", \ and control characters.
std::string JsonString(std::string_view s);

}  // namespace melograph
