// melograph build-kg: behaviour events + catalog directory -> OUT/train.tsv, OUT/test.tsv and
// OUT/manifest.pb (kg_builder/kg_builder.h, docs/KG_BUILDER.md). Counts go to stderr as
// `key: value` lines.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/log.h"
#include "common/resource.h"
#include "kg_builder/kg_builder.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct BuildKgFlags {
  std::string events, catalog, out, config;
  bool print_default_config = false;
  std::string split = "time";
  int64_t cutoff = 0;
  double cutoff_quantile = 0.8;
  int64_t test_last_n = 1;
  double test_fraction = 0.2;
  uint64_t seed = 0;
  int64_t max_bad_lines = 0;
  int64_t session_gap = 0;
};

void RunBuildKg(const BuildKgFlags& f, const CLI::App& cmd) {
  if (f.print_default_config) {
    std::fputs(KgConfigToText(DefaultKgConfig()).c_str(), stdout);
    return;
  }
  if (f.events.empty() || f.catalog.empty() || f.out.empty())
    throw UsageError("build-kg needs --events FILE, --catalog DIR and --out DIR");
  UseBuilderMallocPolicy({f.events});  // docs/BENCHMARKS.md
  KgBuildOptions options;
  options.events_path = f.events;
  options.catalog_dir = f.catalog;
  options.out_dir = f.out;
  if (!f.config.empty()) options.config = LoadKgConfig(f.config);
  options.split.mode = ParseSplitMode(f.split);
  const bool time = options.split.mode == SplitMode::kTime;
  if (!time && (cmd.count("--cutoff") || cmd.count("--cutoff-quantile")))
    throw UsageError("--cutoff and --cutoff-quantile apply only to --split time");
  if (options.split.mode != SplitMode::kLastN && cmd.count("--test-last-n"))
    throw UsageError("--test-last-n applies only to --split last-n");
  if (options.split.mode != SplitMode::kFraction && cmd.count("--test-fraction"))
    throw UsageError("--test-fraction applies only to --split fraction");
  options.split.has_cutoff = cmd.count("--cutoff") > 0;
  options.split.cutoff = f.cutoff;
  options.split.cutoff_quantile = f.cutoff_quantile;
  options.split.test_last_n = f.test_last_n;
  options.split.test_fraction = f.test_fraction;
  options.split.seed = f.seed;
  if (f.max_bad_lines < 0) throw UsageError("--max-bad-lines must be >= 0");
  options.max_bad_lines = f.max_bad_lines;
  if (f.session_gap < 0) throw UsageError("--session-gap must be >= 0 (0: no sessions)");
  options.session_gap_s = f.session_gap;

  const KgBuildStats stats = BuildKg(options);
  for (const std::string& s : stats.first_unknown_song_events) LogWarning("dropped event: " + s);
  for (const std::string& s : stats.first_unknown_song_refs) LogWarning("dropped playlist entry: " + s);
  for (const std::string& s : stats.playlist_follows.first_unknown_playlist) LogWarning("dropped playlist follow: " + s);
  if (!stats.bad_lines_summary.empty()) LogWarning(stats.bad_lines_summary);
  std::fputs(FormatKgBuildStats(stats).c_str(), stderr);
}

}  // namespace

void RegisterBuildKg(CLI::App& app) {
  auto flags = std::make_shared<BuildKgFlags>();
  auto* cmd = app.add_subcommand(
      "build-kg",
      "Turn behaviour events + a catalog directory into weighted typed triples (OUT/train.tsv) "
      "and a held-out evaluation split (OUT/test.tsv); see docs/KG_BUILDER.md");
  cmd->add_option("--events", flags->events,
                  "events TSV (user_id, song_id, event, timestamp[, played_ms, duration_ms[, scene]]); "
                  ".gz allowed");
  cmd->add_option("--catalog", flags->catalog,
                  "catalog directory: songs.tsv (required), artist_works.tsv, users.tsv, "
                  "playlists.tsv, follows.tsv");
  cmd->add_option("--out", flags->out,
                  "output directory (replaced atomically): train.tsv, test.tsv, manifest.pb");
  cmd->add_option("--config", flags->config,
                  "Protobuf text KgConfig overriding the default weight table "
                  "(see --print-default-config)");
  cmd->add_flag("--print-default-config", flags->print_default_config,
                "print the default KgConfig (weight table) to stdout and exit");
  cmd->add_option("--split", flags->split,
                  "test split: time (pairs first played at/after the cutoff), last-n (each "
                  "user's latest N pairs) or fraction (each user's latest fraction F)")
      ->check(CLI::IsMember({"time", "last-n", "fraction"}))
      ->capture_default_str();
  auto* cutoff = cmd->add_option("--cutoff", flags->cutoff,
                                 "time split: first Unix second of the test period");
  cmd->add_option("--cutoff-quantile", flags->cutoff_quantile,
                  "time split: cutoff = this quantile of the event timestamps (when no --cutoff)")
      ->check(CLI::Range(0.0, 1.0))
      ->excludes(cutoff)
      ->capture_default_str();
  cmd->add_option("--test-last-n", flags->test_last_n,
                  "last-n split: test pairs per user (each user keeps at least one training pair)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--test-fraction", flags->test_fraction,
                  "fraction split: fraction of each user's pairs held out, in (0, 1)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed,
                  "random seed (fraction split: rounding of F*m per user)")
      ->capture_default_str();
  cmd->add_option("--max-bad-lines", flags->max_bad_lines,
                  "skip up to N malformed input lines (all files together) instead of failing")
      ->capture_default_str();
  cmd->add_option("--session-gap", flags->session_gap,
                  "cut each user's events into sessions at a scene change or a gap above SECONDS "
                  "(1800 is the usual choice; 0 = off): adds next_in_session song->song triples "
                  "and, with --split time, OUT/test_sessions.tsv (docs/KG_BUILDER.md, \"Sessions\")")
      ->capture_default_str();
  cmd->callback([flags, cmd] { RunBuildKg(*flags, *cmd); });
}

}  // namespace melograph::cli
