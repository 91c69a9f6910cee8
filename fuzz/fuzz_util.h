// Shared pieces of the libFuzzer targets in fuzz/ and of their regression test
// (tests/fuzz/fuzz_regressions_test.cc).
//
// The contract every target checks: a parser given arbitrary bytes either returns data or throws
// a melograph::Error subclass (InputError, FormatError, IoError, UsageError, LimitError). It
// never crashes, never trips a sanitizer, never throws any other exception type. Where cheap, a
// target also checks a round-trip property on what was accepted; a broken property is reported
// by Violation(), which throws ContractViolation (not a melograph::Error), so it escapes exactly
// like a foreign exception would.
//
// Each fuzz/<name>_fuzz.cc defines `void melograph::fuzz::Fuzz<Name>(std::string_view)` (declared
// in fuzz/fuzz_targets.h) and ends with MELOGRAPH_FUZZ_TARGET(Fuzz<Name>). Built with
// MELOGRAPH_FUZZER_ENTRY defined (the clang `fuzz` preset), that macro defines
// LLVMFuzzerTestOneInput, which turns any escaping exception into abort() with its type and
// message; built without it (the dev test), the function is called by the gtest directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace melograph::fuzz {

// A broken round-trip or invariant: deliberately not a melograph::Error.
class ContractViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void Violation(const std::string& what);

// This process's scratch directory (under /dev/shm when it exists, else the temp directory),
// created on first use and removed at exit.
const std::string& ScratchDir();

// Writes `bytes` to ScratchDir()/relative (parent folders created); returns the full path.
std::string WriteScratch(const std::string& relative, std::string_view bytes);

// Removes ScratchDir()/relative if present.
void RemoveScratch(const std::string& relative);

// Splits a multi-file input at the section separator byte 0x1E (ASCII record separator) into
// at most `max_sections` parts (the last keeps any further separators).
inline constexpr char kSectionSeparator = '\x1e';
std::vector<std::string_view> Sections(std::string_view data, size_t max_sections);

// Writes section i to ScratchDir()/dir/names[i]; names beyond the sections are removed, so each
// input sees exactly its own files. Returns ScratchDir()/dir.
std::string WriteSectionsAsFiles(const std::string& dir, std::string_view data,
                                 const std::vector<std::string>& names);

// Copies the committed fixture directory fuzz/fixtures/<name> to ScratchDir()/<name> once per
// process and returns that path.
std::string FixtureCopy(const std::string& name);

// Runs fn(); returns true when it returned, false when it threw a melograph::Error (the
// accepted way to reject input). Any other exception propagates.
template <typename F>
bool AcceptsOrRejects(F&& fn) {
  try {
    fn();
    return true;
  } catch (const Error&) {
    return false;
  }
}

// A triple as the triple reader yields it, owned.
struct OwnedTriple {
  std::string head, relation, tail;
  float weight = 1.0f;
  bool has_timestamp = false;
  int64_t timestamp = 0;
  bool operator==(const OwnedTriple&) const = default;
};
std::string Describe(const OwnedTriple& t);

// Writes `triples` with TripleWriter to ScratchDir()/relative and reads them back with a strict
// TripleReader; Violation() unless every triple parses back equal. This is the property "what a
// component emits (or the reader accepted) is valid triple format and survives a round trip".
void CheckTripleRoundTrip(const std::vector<OwnedTriple>& triples, const std::string& relative);

// Runs one input through `fn` for LLVMFuzzerTestOneInput: any escaping exception is printed
// with its type and message, then abort() (libFuzzer records the input as a crash).
void RunOne(void (*fn)(std::string_view), const uint8_t* data, size_t size);

}  // namespace melograph::fuzz

#ifdef MELOGRAPH_FUZZER_ENTRY
#define MELOGRAPH_FUZZ_TARGET(fn)                                            \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::melograph::fuzz::RunOne(&(fn), data, size);                            \
    return 0;                                                                \
  }
#else
#define MELOGRAPH_FUZZ_TARGET(fn)
#endif
