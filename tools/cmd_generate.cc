// `melograph generate`: writes the synthetic music world (events + catalog + truth + world.txt)
// of kg_builder/synthetic_world.h into --out. See docs/GENERATOR.md for what it plants.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "common/resource.h"
#include "kg_builder/synthetic_world.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct GenerateOptions {
  std::string preset = "demo";
  uint64_t seed = 1;
  std::string out;
  int64_t users = 0, songs = 0, events = 0;
  int genres = 0, languages = 0;
  bool gzip = false;
  bool quiet = false;
  double session_focus = 0;
  double session_runs = 0;
};

void RunGenerate(const GenerateOptions& o) {
  WorldConfig config = WorldPreset(o.preset);
  config.seed = o.seed;
  if (o.users > 0) config.users = o.users;
  if (o.songs > 0) config.songs = o.songs;
  if (o.events > 0) config.events = o.events;
  if (o.genres > 0) config.genres = o.genres;
  if (o.languages > 0) config.languages = o.languages;
  config.gzip = o.gzip;
  config.session_focus = o.session_focus;
  config.session_runs = o.session_runs;
  const double t0 = WallSeconds();
  const WorldSummary s = GenerateWorld(config, o.out);
  const double seconds = WallSeconds() - t0;
  if (o.quiet) return;
  std::fputs(s.text.c_str(), stdout);
  std::printf("out: %s\nwall_s: %.3f\nevents_per_s: %.0f\npeak_rss_bytes: %lld\n", o.out.c_str(), seconds,
              seconds > 0 ? static_cast<double>(s.events) / seconds : 0.0,
              static_cast<long long>(PeakRssBytes()));
}

}  // namespace

void RegisterGenerate(CLI::App& app) {
  auto opts = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand(
      "generate",
      "Write a synthetic music world: DIR/events.tsv, DIR/catalog/, DIR/truth/ and DIR/world.txt "
      "(deterministic by --seed; DIR is replaced atomically)");
  cmd->add_option("--preset", opts->preset,
                  "Size preset: demo (~5e4 events), small (~1e6), medium (~1e7), large (~1e8)")
      ->check(CLI::IsMember({"demo", "small", "medium", "large"}))
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed; the same seed gives byte-identical files")
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "Output directory (created or replaced)")->required();
  cmd->add_option("--users", opts->users, "Override the preset's number of users")->check(CLI::PositiveNumber);
  cmd->add_option("--songs", opts->songs, "Override the preset's number of songs (>= 2 x genres x languages)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--events", opts->events, "Override the preset's target number of event lines")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--genres", opts->genres, "Override the preset's number of genres (2-16)")
      ->check(CLI::Range(2, kMaxGenres));
  cmd->add_option("--languages", opts->languages, "Override the preset's number of languages (1-6)")
      ->check(CLI::Range(1, kMaxLanguages));
  cmd->add_option("--session-focus", opts->session_focus,
                  "Session mood: each listening session draws one of the user's clusters as its focus and "
                  "each by-weight cluster pick and each repeat takes it with this probability (0 = no moods, "
                  "the default; docs/GENERATOR.md)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--session-runs", opts->session_runs,
                  "Artist runs: after a positive listen, the session's next pick is another song of the same "
                  "artist with this probability; a skip ends the run (0 = none, the default; docs/GENERATOR.md)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_flag("--gzip", opts->gzip, "Write events.tsv.gz (gzip) instead of events.tsv");
  cmd->add_flag("--quiet", opts->quiet, "Do not print the world.txt summary and timings");
  cmd->callback([opts] { RunGenerate(*opts); });
}

}  // namespace melograph::cli
