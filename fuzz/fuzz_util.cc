#include "fuzz/fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <typeinfo>

#include "kg_builder/triple_io.h"

#ifndef MELOGRAPH_FUZZ_FIXTURE_DIR
#error "MELOGRAPH_FUZZ_FIXTURE_DIR must name fuzz/fixtures"
#endif

namespace melograph::fuzz {
namespace fs = std::filesystem;

namespace {

// Removes the scratch directory when the process ends normally.
struct Scratch {
  std::string path;
  Scratch() {
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "melograph_fuzz_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("melograph fuzz: mkdtemp");
      std::abort();
    }
    path = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

void Violation(const std::string& what) { throw ContractViolation(what); }

const std::string& ScratchDir() {
  static const Scratch scratch;
  return scratch.path;
}

std::string WriteScratch(const std::string& relative, std::string_view bytes) {
  const fs::path path = fs::path(ScratchDir()) / relative;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) Violation("fuzz harness: cannot write " + path.string());
  return path.string();
}

void RemoveScratch(const std::string& relative) {
  std::error_code ec;
  fs::remove(fs::path(ScratchDir()) / relative, ec);
}

std::vector<std::string_view> Sections(std::string_view data, size_t max_sections) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_sections) {
    const size_t pos = data.find(kSectionSeparator);
    if (pos == std::string_view::npos) break;
    out.push_back(data.substr(0, pos));
    data.remove_prefix(pos + 1);
  }
  out.push_back(data);
  return out;
}

std::string WriteSectionsAsFiles(const std::string& dir, std::string_view data,
                                 const std::vector<std::string>& names) {
  const std::vector<std::string_view> sections = Sections(data, names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (i < sections.size())
      WriteScratch(dir + "/" + names[i], sections[i]);
    else
      RemoveScratch(dir + "/" + names[i]);
  }
  return (fs::path(ScratchDir()) / dir).string();
}

std::string FixtureCopy(const std::string& name) {
  static std::map<std::string, std::string> copies;
  auto it = copies.find(name);
  if (it != copies.end()) return it->second;
  const fs::path from = fs::path(MELOGRAPH_FUZZ_FIXTURE_DIR) / name;
  const fs::path to = fs::path(ScratchDir()) / ("fixture_" + name);
  if (!fs::is_directory(from)) Violation("fuzz harness: missing fixture " + from.string());
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return copies.emplace(name, to.string()).first->second;
}

namespace {
// Control bytes as \xNN, so a report shows what differs.
std::string Quoted(const std::string& text) {
  std::string s = "'";
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      s += hex;
    } else {
      s.push_back(c);
    }
  }
  return s + "'";
}
}  // namespace

std::string Describe(const OwnedTriple& t) {
  std::string s = Quoted(t.head) + " " + Quoted(t.relation) + " " + Quoted(t.tail) + " weight " +
                  std::to_string(t.weight);
  if (t.has_timestamp) s += " timestamp " + std::to_string(t.timestamp);
  return s;
}

void CheckTripleRoundTrip(const std::vector<OwnedTriple>& triples, const std::string& relative) {
  const std::string path = (fs::path(ScratchDir()) / relative).string();
  {
    TripleWriter writer(path);
    for (const OwnedTriple& t : triples) {
      if (t.has_timestamp)
        writer.Write(t.head, t.relation, t.tail, t.weight, t.timestamp);
      else
        writer.Write(t.head, t.relation, t.tail, t.weight);
    }
    writer.Commit();
  }
  std::vector<OwnedTriple> again;
  try {
    TripleReader reader(path, nullptr);
    TripleRecord r;
    while (reader.Next(r))
      again.push_back({std::string(r.head), std::string(r.relation), std::string(r.tail), r.weight,
                       r.has_timestamp, r.timestamp});
  } catch (const Error& e) {
    Violation(std::string("round trip: written triples do not parse back: ") + e.what());
  }
  if (again.size() != triples.size())
    Violation("round trip: wrote " + std::to_string(triples.size()) + " triples, read back " +
              std::to_string(again.size()));
  for (size_t i = 0; i < again.size(); ++i)
    if (!(again[i] == triples[i]))
      Violation("round trip: triple " + std::to_string(i) + " was " + Describe(triples[i]) +
                ", read back " + Describe(again[i]));
}

void RunOne(void (*fn)(std::string_view), const uint8_t* data, size_t size) {
  try {
    fn(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const ContractViolation& e) {
    std::fprintf(stderr, "\n==melograph fuzz== contract violation: %s\n", e.what());
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\n==melograph fuzz== foreign exception %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "\n==melograph fuzz== foreign exception of unknown type\n");
    std::abort();
  }
}

}  // namespace melograph::fuzz
