// The graph delta of an incremental update: new behaviour events (and optionally the catalog
// rows of the new nodes, and extra triples) -> the triples to merge into the trained graph
// (online/graph_merge.h).
//
// Behaviour: each (user, song) pair of the events gets `listened` (P > 0) and/or `rejected`
// (N < 0) exactly as build-kg writes them (docs/KG_BUILDER.md, weight table and log1p). When the
// old graph already has the edge, the delta carries the weight build-kg would give the old and
// new events together (MergedBehaviourWeight) and replaces the old weight; otherwise it is a new
// edge.
// Catalog (optional): the catalog is read in full (ReadCatalog, same validation as build-kg)
// but only triples whose head is a NEW node named by the events (a new user's has_gender,
// created, follows...; a new song's by_artist, in_album, ...) are kept, plus the `contains`
// triples of new playlists a kept `created` triple introduces. Old nodes' catalog rows are not
// re-read (an update adds; it does not rewrite the catalog).
// Songs: with a catalog, an event whose song is neither in the graph nor in songs.tsv is
// dropped and counted (as build-kg does); without one, a new song node is created from the
// events alone.
// Extra triples (optional): a triple file (docs/FORMATS.md) whose triples are added as they are.
// Errors: InputError(file, line, column, reason) for malformed lines (shared --max-bad-lines
// budget over all files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "online/graph_merge.h"
#include "kg_builder/behaviour_weights.h"

namespace melograph {

struct DeltaOptions {
  std::string events_path;   // required
  std::string catalog_dir;   // optional
  std::string triples_path;  // optional
  proto::KgConfig kg_config = DefaultKgConfig();
  int64_t max_bad_lines = 0;
};

struct GraphDelta {
  std::vector<DeltaTriple> triples;
  int64_t events_read = 0;
  int64_t pairs = 0;                // distinct (user, song) pairs in the events
  int64_t behaviour_new_edges = 0;  // listened / rejected edges the old graph did not have
  int64_t behaviour_reweighted = 0; // listened / rejected edges whose weight changes
  int64_t catalog_triples = 0;      // kept catalog triples
  int64_t extra_triples = 0;        // from triples_path
  int64_t unknown_song_events = 0;  // dropped: song in neither graph nor catalog
  std::vector<std::string> first_unknown_songs;  // up to 5 song ids
  std::vector<std::string> event_users;  // keys of the users the events name, first-seen order
  int64_t bad_lines_skipped = 0;
};

GraphDelta BuildGraphDelta(const Graph& old_graph, const DeltaOptions& options);

}  // namespace melograph
