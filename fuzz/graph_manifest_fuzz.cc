// Fuzz target: the graph directory loader (graph/graph_io.h LoadGraph) through its manifest.
//
// Input: the bytes of manifest.pb (binary proto::GraphManifest). The data files beside it are
// the committed fixture fuzz/fixtures/graph (a 9-node graph built by `melograph build-graph`),
// so a mutated manifest meets real files that no longer agree with it.
// Contract checked: LoadGraph (without and, when that succeeds, with CRC verification) returns
// a Graph or throws a melograph::Error. An accepted graph is internally consistent: row_ptr
// spans col_idx, every neighbour id and relation id is in range, every node's key maps back to
// the node, every node has a type.
#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "graph/graph_io.h"

namespace melograph::fuzz {
namespace {

void CheckGraph(const Graph& g) {
  const auto row_ptr = g.row_ptr();
  if (row_ptr.size() != static_cast<size_t>(g.num_nodes()) + 1 || row_ptr.front() != 0 ||
      row_ptr.back() != g.num_edges())
    Violation("graph: row_ptr does not span the edges");
  const auto relations = g.edge_relation();
  for (NodeId v = 0; v < g.num_nodes(); ++v) {
    for (const NodeId u : g.out_neighbors(v))
      if (u < 0 || u >= g.num_nodes()) Violation("graph: neighbour id out of range");
    if (static_cast<size_t>(g.TypeOf(v)) >= g.node_types().size())
      Violation("graph: node without a type");
    const auto found = g.Find(g.Key(v));
    if (!found || *found != v) Violation("graph: key of node " + std::to_string(v) + " does not map back");
  }
  for (const RelationId r : relations)
    if (static_cast<size_t>(r) >= g.relations().size()) Violation("graph: relation id out of range");
}

}  // namespace

void FuzzGraphManifest(std::string_view data) {
  const std::string dir = FixtureCopy("graph");
  WriteScratch("fixture_graph/manifest.pb", data);
  Graph graph;
  if (!AcceptsOrRejects([&] { graph = LoadGraph(dir, /*verify_checksums=*/false); })) return;
  CheckGraph(graph);
  if (AcceptsOrRejects([&] { graph = LoadGraph(dir, /*verify_checksums=*/true); })) CheckGraph(graph);
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzGraphManifest)
