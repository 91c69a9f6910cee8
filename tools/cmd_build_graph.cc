// `melograph build-graph`: triple files -> graph directory (docs/GRAPH.md).
//
//   melograph build-graph --triples a.tsv b.tsv.gz --out GRAPHDIR
//       [--symmetric friend,co_ost,co_show] [--duplicates sum|max|first|last] [--max-bad-lines N]
//
// Reads every triple (malformed lines are errors unless --max-bad-lines allows skipping them),
// builds the CSR with reverse edges and saves it atomically. Prints a `key: value` summary on
// stdout; the bad-line summary goes to stderr.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/resource.h"
#include "common/text.h"
#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "kg_builder/triple_io.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct BuildGraphOptions {
  std::vector<std::string> triples;
  std::string out;
  std::string symmetric = "friend,co_ost,co_show";
  std::string duplicates = "sum";
  int64_t max_bad_lines = 0;
};

void RunBuildGraph(const BuildGraphOptions& o) {
  const double start = WallSeconds();
  UseBuilderMallocPolicy(o.triples);  // docs/BENCHMARKS.md
  GraphBuildOptions build_options;
  build_options.symmetric_relations = SplitList(o.symmetric, ',');
  build_options.duplicates = ParseDuplicatePolicy(o.duplicates);
  GraphBuilder builder(build_options);
  BadLineBudget budget(o.max_bad_lines);
  int64_t triples = 0;
  for (const std::string& path : o.triples) {
    TripleReader reader(path, &budget);
    TripleRecord t;
    while (reader.Next(t)) {
      // Mostly the previous line's relation and types: then the builder need not match them.
      if (t.same_kind)
        builder.AddEdgeLikeLast(t.head.substr(t.head_type.size() + 1),
                                t.tail.substr(t.tail_type.size() + 1), t.weight);
      else
        builder.AddEdge(t.head_type, t.head.substr(t.head_type.size() + 1), t.relation, t.tail_type,
                        t.tail.substr(t.tail_type.size() + 1), t.weight);
      ++triples;
    }
  }
  if (budget.count() > 0) LogWarning(budget.Summary());
  GraphBuildStats stats;
  Graph graph = builder.Build(&stats);
  GraphBuildInfo info;
  info.inputs = o.triples;
  info.symmetric_relations = build_options.symmetric_relations;
  info.duplicate_policy = std::string(ToString(build_options.duplicates));
  info.triples_read = triples;
  info.bad_lines_skipped = budget.count();
  std::string out = "graph: " + o.out + "\n";
  out += "triples_read: " + std::to_string(triples) + "\n";
  out += "bad_lines_skipped: " + std::to_string(budget.count()) + "\n";
  out += "nodes: " + std::to_string(graph.num_nodes()) + "\n";
  out += "node_types: " + std::to_string(graph.node_types().size()) + "\n";
  out += "relations: " + std::to_string(graph.relations().size()) + "\n";
  out += "stored_edges: " + std::to_string(graph.num_edges()) + "\n";
  out += "duplicate_entries_merged: " + std::to_string(stats.duplicate_edges_merged) + "\n";
  // Consumed as it is written: its arrays' pages go to the page cache that takes the files.
  SaveGraph(std::move(graph), o.out, info);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", WallSeconds() - start);
  out += std::string("seconds: ") + seconds + "\n";
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void RegisterBuildGraph(CLI::App& app) {
  auto o = std::make_shared<BuildGraphOptions>();
  auto* cmd = app.add_subcommand(
      "build-graph",
      "Turn triple files into a graph directory: a node dictionary per type, a CSR over all relations "
      "with reverse edges, and a Protobuf manifest with checksums (see docs/GRAPH.md).");
  cmd->add_option("--triples", o->triples,
                  "Triple files (head<TAB>relation<TAB>tail[<TAB>weight[<TAB>timestamp]]); .gz files are "
                  "decompressed. Several files may follow one flag.")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Graph directory to write (replaced atomically if it exists).")->required();
  cmd->add_option("--symmetric", o->symmetric,
                  "Comma-separated relations stored undirected under their own name (both ends must have "
                  "the same node type); every other relation also gets rev_<name>. Empty for none.")
      ->capture_default_str();
  cmd->add_option("--duplicates", o->duplicates,
                  "How repeated (head, relation, tail) triples merge their weights: sum, max, first or last.")
      ->check(CLI::IsMember({"sum", "max", "first", "last"}))
      ->capture_default_str();
  cmd->add_option("--max-bad-lines", o->max_bad_lines,
                  "Skip up to N malformed lines (counted and reported on stderr) instead of failing on the first.")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([o] { RunBuildGraph(*o); });
}

}  // namespace melograph::cli
