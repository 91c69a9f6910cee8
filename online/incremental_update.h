// Incremental update (`melograph update`, docs/UPDATE.md): a trained run + its graph + new
// behaviour events -> an updated graph directory and an updated run, without retraining.
//
//   OUT/graph   the old graph's edges and nodes plus the delta (online/update_delta.h), merged
//               by GraphBuilder (online/graph_merge.h); old NodeIds may shift (nodes are
//               numbered by key), so everything is matched by key
//   OUT/run     a run (docs/RUN_FORMAT.md) tied to OUT/graph by fingerprint and manifest CRC:
//               every old row copied bit for bit (re-keyed to the new ids, same shard, same
//               order), new rows folded in (online/row_fold.h) and appended to shard
//               HashBytes(key) % shards; with refresh_existing, the rows of existing users the
//               events name are recomputed in place
//   OUT/update.txt   the key: value summary
//
// Which new nodes get rows: those of node types the old run has rows for, and, when the old
// run embeds every type of the old graph (LightGCN and KGNN runs do), those of new types too.
// Contract: the run is checked against the old graph first (RunReader::CheckGraph and CheckIds;
// FormatError on a mismatch). OUT appears only when complete (AtomicDirectory). The result is a
// deterministic function of the inputs and FoldInOptions::seed.
#pragma once

#include <cstdint>
#include <string>

#include "online/row_fold.h"
#include "online/update_delta.h"

namespace melograph {

struct UpdateOptions {
  std::string run_dir;
  std::string graph_dir;
  std::string out_dir;
  DeltaOptions delta;
  FoldSettings fold;
  bool refresh_existing = false;
};

struct UpdateStats {
  int64_t events_read = 0;
  int64_t pairs = 0;
  int64_t new_nodes = 0;
  int64_t new_users = 0;
  int64_t new_songs = 0;  // new nodes of the item type
  int64_t new_other_nodes = 0;
  int64_t new_edges = 0;          // delta triples that are not re-weightings
  int64_t reweighted_edges = 0;   // listened / rejected edges whose weight was replaced
  int64_t catalog_triples = 0;
  int64_t unknown_song_events = 0;
  std::vector<std::string> first_unknown_songs;
  int64_t refreshed_rows = 0;
  int64_t old_rows = 0;
  int64_t new_rows = 0;
  int64_t nodes = 0;
  int64_t stored_edges = 0;
  int shards = 0;
  FoldStats fold;
  double seconds_graph = 0, seconds_fold = 0, seconds_write = 0, seconds = 0;
};

UpdateStats RunIncrementalUpdate(const UpdateOptions& options);

// "key: value" lines, one per field.
std::string FormatUpdateStats(const UpdateOptions& options, const UpdateStats& stats);

}  // namespace melograph
