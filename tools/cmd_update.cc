// `melograph update`: fold new users, songs and edges into a trained run without retraining
// (online/incremental_update.h, docs/UPDATE.md).
//
//   melograph update RUN --graph GRAPHDIR --events NEW.tsv --out OUTDIR [--catalog DIR]
//       [--triples FILE] [--kg-config FILE] [--steps N] [--negatives N] [--learning-rate LR]
//       [--temperature T] [--l2 L] [--refresh-existing] [--seed S] [--max-bad-lines N]
//
// Writes OUTDIR/graph (old graph + new nodes and edges) and OUTDIR/run (old rows copied, new
// rows folded in) atomically and prints a `key: value` summary on stdout.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/text.h"
#include "kg_builder/behaviour_weights.h"
#include "online/incremental_update.h"
#include "tools/commands.h"

namespace melograph::cli {

void RegisterUpdate(CLI::App& app) {
  struct Flags {
    UpdateOptions options;
    std::string kg_config, item_kg_relations = "by_artist,in_album";
  };
  auto f = std::make_shared<Flags>();
  UpdateOptions& o = f->options;
  auto* cmd = app.add_subcommand(
      "update",
      "Add new users, songs and edges to a trained run without retraining: merge the new events "
      "into the graph and fold new rows in by a few local optimisation steps against the frozen "
      "rows (docs/UPDATE.md).");
  cmd->add_option("run", o.run_dir, "Trained run directory (docs/RUN_FORMAT.md).")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--graph", o.graph_dir, "The graph directory the run was trained on.")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--events", o.delta.events_path,
                  "New behaviour events (build-kg's events format; every event counts).")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o.out_dir,
                  "Output directory: OUT/graph, OUT/run, OUT/update.txt (replaced atomically).")
      ->required();
  cmd->add_option("--catalog", o.delta.catalog_dir,
                  "Catalog directory: the catalog rows of NEW songs and users are added (by_artist, "
                  "in_album, ...); events for songs in neither the graph nor songs.tsv are dropped.")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--triples", o.delta.triples_path,
                  "Extra triples to add as they are (docs/FORMATS.md triple format).")
      ->check(CLI::ExistingFile);
  cmd->add_option("--kg-config", f->kg_config,
                  "build-kg weight config (Protobuf text); the default table otherwise.")
      ->check(CLI::ExistingFile);
  cmd->add_option("--steps", o.fold.fold.steps, "Optimisation steps per folded row.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--negatives", o.fold.fold.negatives, "Sampled negatives per step (users) or per "
                  "listener (songs).")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--learning-rate", o.fold.fold.learning_rate, "Adam learning rate of the fold-in.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", o.fold.fold.temperature, "Softmax temperature of the fold-in loss.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--l2", o.fold.fold.l2, "Pull toward the start vector (item mean / song prior).")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--negative-power", o.fold.fold.negative_power,
                  "Negatives are drawn with probability ~ max(1, listeners)^power (0: uniform), as "
                  "in training.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("!--no-logq", o.fold.fold.logq_correction,
                "Do not subtract log q from the fold-in logits (on by default, as LightGCN "
                "presets train).");
  cmd->add_option("--item-kg-relations", f->item_kg_relations,
                  "Song relations whose hubs give a new song's prior (comma-separated).")
      ->capture_default_str();
  cmd->add_flag("--refresh-existing", o.refresh_existing,
                "Also recompute the rows of existing users named by the events (from all their "
                "listened songs in the updated graph); otherwise existing rows are copied.");
  cmd->add_option("--seed", o.fold.fold.seed, "Seed of every sampled negative (hashed with the "
                  "node key and step).")
      ->capture_default_str();
  cmd->add_option("--max-bad-lines", o.delta.max_bad_lines,
                  "Skip up to N malformed input lines (counted) instead of failing on the first.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([f] {
    UpdateOptions& options = f->options;
    options.delta.kg_config = f->kg_config.empty() ? DefaultKgConfig() : LoadKgConfig(f->kg_config);
    options.fold.item_kg_relations = SplitList(f->item_kg_relations, ',');
    const UpdateStats stats = RunIncrementalUpdate(options);
    std::fputs(FormatUpdateStats(options, stats).c_str(), stdout);
  });
}

}  // namespace melograph::cli
