// `melograph stats GRAPHDIR [--json] [--no-verify]`: counts per node type and relation, degree
// percentiles overall and per type, connected components (graph/graph_stats.h). Prints a human
// table followed by a `key: value` block, or one JSON object with --json.
#include <cstdio>
#include <memory>
#include <string>

#include "graph/graph_io.h"
#include "graph/graph_stats.h"
#include "tools/commands.h"

namespace melograph::cli {

void RegisterStats(CLI::App& app) {
  struct Options {
    std::string graph;
    bool json = false;
    bool no_verify = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "stats", "Print node counts per type, edge counts per relation, degree percentiles and connected components.");
  cmd->add_option("GRAPHDIR", o->graph, "Graph directory written by build-graph.")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of the table and key: value block.");
  cmd->add_flag("--no-verify", o->no_verify, "Skip the CRC-32 check of the graph files (sizes are still checked).");
  cmd->callback([o] {
    const Graph graph = LoadGraph(o->graph, !o->no_verify);
    const GraphStats stats = ComputeGraphStats(graph);
    const std::string text = o->json ? FormatGraphStatsJson(stats) : FormatGraphStats(stats);
    std::fputs(text.c_str(), stdout);
  });
}

}  // namespace melograph::cli
