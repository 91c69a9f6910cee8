// Incremental update: delta -> merged graph -> folded rows -> OUT/{graph,run} (contract in
// online/incremental_update.h).
#include "online/incremental_update.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "common/file_util.h"
#include "common/hash.h"
#include "common/resource.h"
#include "graph/graph_io.h"
#include "online/graph_merge.h"
#include "recall/run_format.h"

namespace melograph {
namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

UpdateStats RunIncrementalUpdate(const UpdateOptions& o) {
  const double start = WallSeconds();
  UpdateStats st;
  const Graph old_graph = LoadGraph(o.graph_dir);
  const RunReader reader(o.run_dir);
  reader.CheckGraph(old_graph, o.graph_dir);
  reader.CheckIds(old_graph);

  const GraphDelta delta = BuildGraphDelta(old_graph, o.delta);
  GraphMergeStats merge_stats;
  const Graph merged =
      MergeGraph(old_graph, delta.triples, {"friend", "co_ost", "co_show"}, &merge_stats);
  const std::vector<NodeId> old_to_new = MapOldNodes(old_graph, merged);
  std::vector<uint8_t> is_old(static_cast<size_t>(merged.num_nodes()), 0);
  for (const NodeId v : old_to_new) is_old[static_cast<size_t>(v)] = 1;
  st.seconds_graph = WallSeconds() - start;

  // Old rows, re-keyed; remember each shard's row order.
  const double fold_start = WallSeconds();
  const int num_shards = reader.info().num_shards;
  RowTable table(merged.num_nodes(), reader.dim());
  std::vector<std::vector<NodeId>> shard_rows(static_cast<size_t>(num_shards));
  for (int k = 0; k < num_shards; ++k) {
    const RunReader::Shard shard = reader.OpenShard(k);
    auto& rows = shard_rows[static_cast<size_t>(k)];
    rows.reserve(shard.ids.size());
    for (size_t i = 0; i < shard.ids.size(); ++i) {
      const NodeId v = old_to_new[static_cast<size_t>(shard.ids[i])];
      std::copy_n(shard.row(static_cast<int64_t>(i)), table.dim, table.row(v));
      table.state[static_cast<size_t>(v)] = RowTable::kOld;
      rows.push_back(v);
    }
    st.old_rows += static_cast<int64_t>(shard.ids.size());
  }

  // Which new nodes get rows (see the header), and in which pass.
  std::unordered_set<std::string> embedded;
  for (const auto& [name, rows] : reader.type_rows())
    if (rows > 0) embedded.insert(name);
  bool all_embedded = true;
  for (const NodeType& t : old_graph.node_types())
    if (t.count > 0 && !embedded.count(t.name)) all_embedded = false;
  FoldPlan plan;
  for (NodeId v = 0; v < merged.num_nodes(); ++v) {
    if (is_old[static_cast<size_t>(v)]) continue;
    const std::string& type = merged.node_types()[merged.TypeOf(v)].name;
    ++st.new_nodes;
    if (type == o.fold.user_type) ++st.new_users;
    else if (type == o.fold.item_type) ++st.new_songs;
    else ++st.new_other_nodes;
    if (!embedded.count(type) && !(all_embedded && !old_graph.FindType(type))) continue;
    if (type == o.fold.user_type) plan.users.push_back(v);
    else if (type == o.fold.item_type) plan.items.push_back(v);
    else plan.others.push_back(v);
  }
  if (o.refresh_existing) {
    for (const std::string& key : delta.event_users) {
      const auto v = merged.Find(key);
      if (!v || !is_old[static_cast<size_t>(*v)] ||
          table.state[static_cast<size_t>(*v)] != RowTable::kOld)
        continue;
      plan.users.push_back(*v);
      ++st.refreshed_rows;
    }
    std::sort(plan.users.begin(), plan.users.end());
    plan.users.erase(std::unique(plan.users.begin(), plan.users.end()), plan.users.end());
  }
  st.fold = FoldRows(merged, table, plan, o.fold);
  st.seconds_fold = WallSeconds() - fold_start;

  // Write OUT/graph, OUT/run, OUT/update.txt; OUT appears only when complete.
  const double write_start = WallSeconds();
  AtomicDirectory out(o.out_dir);
  GraphBuildInfo graph_info;
  graph_info.inputs = {o.graph_dir, o.delta.events_path};
  if (!o.delta.catalog_dir.empty()) graph_info.inputs.push_back(o.delta.catalog_dir);
  if (!o.delta.triples_path.empty()) graph_info.inputs.push_back(o.delta.triples_path);
  graph_info.symmetric_relations = merge_stats.symmetric_relations;
  graph_info.duplicate_policy = "sum";
  graph_info.triples_read = merge_stats.old_edges_emitted + merge_stats.delta_triples;
  graph_info.bad_lines_skipped = delta.bad_lines_skipped;
  const std::string graph_tmp = out.File("graph");
  SaveGraph(merged, graph_tmp, graph_info);
  RunInfo info = RunInfo::ForGraph(merged, graph_tmp, reader.dim(), num_shards);
  info.graph_dir = JoinPath(o.out_dir, "graph");
  info.model = reader.info().model;
  info.epoch = reader.info().epoch;
  info.step = reader.info().step;
  info.seed = reader.info().seed;
  for (NodeId v = 0; v < merged.num_nodes(); ++v) {
    if (is_old[static_cast<size_t>(v)] || table.state[static_cast<size_t>(v)] == RowTable::kNone)
      continue;
    const uint64_t shard = HashBytes(merged.Key(v)) % static_cast<uint64_t>(num_shards);
    shard_rows[shard].push_back(v);
    ++st.new_rows;
  }
  const std::string run_tmp = out.File("run");
  for (int k = 0; k < num_shards; ++k) {
    RunShardWriter writer(run_tmp, k, info, reader.shards()[static_cast<size_t>(k)].rank);
    for (const NodeId v : shard_rows[static_cast<size_t>(k)])
      writer.Add(v, std::span<const float>(table.row(v), static_cast<size_t>(table.dim)));
    writer.Commit();
  }
  FinalizeRun(run_tmp, info);
  const std::string config = JoinPath(o.run_dir, "config.pbtxt");
  if (PathExists(config)) WriteWholeFile(JoinPath(run_tmp, "config.pbtxt"), ReadWholeFile(config));

  st.events_read = delta.events_read;
  st.pairs = delta.pairs;
  st.new_edges = delta.behaviour_new_edges + delta.catalog_triples + delta.extra_triples;
  st.reweighted_edges = delta.behaviour_reweighted;
  st.catalog_triples = delta.catalog_triples;
  st.unknown_song_events = delta.unknown_song_events;
  st.first_unknown_songs = delta.first_unknown_songs;
  st.nodes = merged.num_nodes();
  st.stored_edges = merged.num_edges();
  st.shards = num_shards;
  st.seconds_write = WallSeconds() - write_start;
  st.seconds = WallSeconds() - start;
  WriteWholeFile(out, "update.txt", FormatUpdateStats(o, st));
  out.Commit();
  return st;
}

std::string FormatUpdateStats(const UpdateOptions& o, const UpdateStats& st) {
  std::string s;
  auto kv = [&s](const std::string& key, const std::string& value) {
    s += key + ": " + value + "\n";
  };
  auto num = [&kv](const std::string& key, int64_t v) { kv(key, std::to_string(v)); };
  kv("update", o.out_dir);
  kv("run", o.run_dir);
  kv("graph", o.graph_dir);
  num("events_read", st.events_read);
  num("pairs", st.pairs);
  num("new_nodes", st.new_nodes);
  num("new_users", st.new_users);
  num("new_songs", st.new_songs);
  num("new_other_nodes", st.new_other_nodes);
  num("new_edges", st.new_edges);
  num("reweighted_edges", st.reweighted_edges);
  num("catalog_triples", st.catalog_triples);
  num("unknown_song_events", st.unknown_song_events);
  if (!st.first_unknown_songs.empty()) {
    std::string list;
    for (const auto& id : st.first_unknown_songs) list += (list.empty() ? "" : ",") + id;
    kv("first_unknown_songs", list);
  }
  num("refreshed_rows", st.refreshed_rows);
  num("users_folded", st.fold.users_folded);
  num("users_without_positives", st.fold.users_without_positives);
  num("songs_folded", st.fold.items_folded);
  num("songs_with_kg_prior", st.fold.items_with_kg_prior);
  num("songs_with_colisten_prior", st.fold.items_with_colisten_prior);
  num("songs_without_listeners", st.fold.items_without_listeners);
  num("other_rows_folded", st.fold.others_folded);
  num("other_rows_without_neighbours", st.fold.others_without_neighbours);
  num("old_rows", st.old_rows);
  num("new_rows", st.new_rows);
  num("nodes", st.nodes);
  num("stored_edges", st.stored_edges);
  num("shards", st.shards);
  num("steps", o.fold.fold.steps);
  num("seed", static_cast<int64_t>(o.fold.fold.seed));
  kv("seconds_graph", Seconds(st.seconds_graph));
  kv("seconds_fold", Seconds(st.seconds_fold));
  kv("seconds_write", Seconds(st.seconds_write));
  kv("seconds", Seconds(st.seconds));
  return s;
}

}  // namespace melograph
