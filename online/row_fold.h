// Row fold-in over a merged graph: given a dense table of rows indexed by the merged graph's
// NodeIds (old rows copied in), compute rows for the nodes an update adds (and, on request,
// refresh existing users), every other row frozen. The per-row optimisation is
// online/fold_in.h; this file decides what each row is optimised against.
//
// Order (each pass reads only rows fixed before it, so the result does not depend on the order
// of nodes inside a pass):
//  1. Item priors y0 for new items: the mean of (a) the KG centroid -- per hub x reached by an
//     `item_kg_relations` edge (song -by_artist-> artist, -in_album-> album), the mean of the
//     OLD rows of the hub's other items, averaged over hubs -- and (b) the co-listening
//     centroid -- per listener, the mean of the OLD rows of its other items, averaged with the
//     listeners' edge weights. Zeros when neither exists. Written as provisional item rows.
//  2. Users to fold (new users, plus existing users with new events when refreshing): FoldInQuery
//     against the item rows (old + provisional), positives = `relation` edges with their
//     weights, hard negatives = `negative_relation` edges.
//  3. New items: FoldInItem against the user rows (old + step 2) and item rows, listeners =
//     reverse `relation` edges, prior y0 from step 1.
//  4. Other new nodes (artists, albums, playlists, ... of embedded types): the mean of their
//     neighbours' rows that exist after step 3 (old or folded), zeros without any.
// Memory: the table (nodes x dim floats) plus O(neighbourhood) per row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "online/fold_in.h"

namespace melograph {

// Rows of every node of the merged graph (dim floats each); `state` says which hold a row.
struct RowTable {
  enum State : uint8_t { kNone = 0, kOld = 1, kFolded = 2 };
  int dim = 0;
  std::vector<float> values;   // num_nodes * dim
  std::vector<uint8_t> state;  // num_nodes
  RowTable(NodeId num_nodes, int dim_)
      : dim(dim_), values(static_cast<size_t>(num_nodes) * static_cast<size_t>(dim_), 0.0f),
        state(static_cast<size_t>(num_nodes), kNone) {}
  float* row(NodeId v) { return values.data() + static_cast<size_t>(v) * static_cast<size_t>(dim); }
  const float* row(NodeId v) const {
    return values.data() + static_cast<size_t>(v) * static_cast<size_t>(dim);
  }
};

struct FoldSettings {
  FoldInOptions fold;
  std::string user_type = "user";
  std::string item_type = "song";
  std::string relation = "listened";
  std::string negative_relation = "rejected";
  std::vector<std::string> item_kg_relations = {"by_artist", "in_album"};
};

struct FoldPlan {
  std::vector<NodeId> users;   // rows to (re)compute by FoldInQuery, merged ids
  std::vector<NodeId> items;   // new items, merged ids
  std::vector<NodeId> others;  // new nodes of other embedded types
};

struct FoldStats {
  int64_t users_folded = 0;
  int64_t users_without_positives = 0;  // no positive item with a row: zero vector
  int64_t items_folded = 0;
  int64_t items_with_kg_prior = 0;
  int64_t items_with_colisten_prior = 0;
  int64_t items_without_listeners = 0;  // row = prior
  int64_t others_folded = 0;
  int64_t others_without_neighbours = 0;  // zero vector
};

// Fills table rows for every node of `plan` (state kFolded). UsageError when the graph has no
// user or item type of the given names, or no `relation` between them.
FoldStats FoldRows(const Graph& graph, RowTable& table, const FoldPlan& plan,
                   const FoldSettings& settings);

}  // namespace melograph
