// A rank's view of the distributed graph (DistGraph), and the serial whole-graph view the
// reference samplers use (SerialGraph). Both hand out adjacency rows as RowSpans in the graph's
// order, so the per-row pick code (sampler/row_pick.h) is shared and a distributed sample equals
// the serial one by construction.
//
// Id spaces: GRAPH ids are the graph directory's dense ids (what samplers take and return);
// GLOBAL ids are the partition's renumbered ids (part p owns [offsets[p], offsets[p+1])).
// GraphId(GlobalId(v)) == v.
//
// DistGraph contract:
//  * Open(comm, dir) loads part comm.rank() of the partition in `dir` (LoadShard: mmap, sizes and
//    CRC-32 checked) and old_to_new.bin; UsageError when comm.size() differs from the partition's
//    part count (every rank sees the same manifest, so every rank throws). Open is local (no
//    collective); with MELOGRAPH_ASSERT_LEVEL >= 2 it checks that all ranks agree on the node count.
//  * owner(v) of a graph id: binary search over the K+1 offsets (PartitionShard::owner) of its
//    global id. OwnedRow(v) is defined for owned v only; its neighbours are GLOBAL ids
//    (convert with GraphIdOfGlobal).
//  * Hub replicas (partition --replicate): rows of replicated nodes are mapped on every rank;
//    HasRow(v) is true for owned and replicated v, LocalRowOfGlobal(g) returns either (the same
//    row contents as the owner's, so samples do not change), and RowRank(g) is the rank that
//    serves g's row to this rank: this rank when HasRow, else the owner. With
//    use_replicas = false the replicas are ignored (owner-only, for comparisons).
//  * Memory beyond the mapped shard: 4 bytes per node of the whole graph (the global -> graph id
//    table, inverted from old_to_new.bin), plus one bit per node with replicas (the replicated
//    set, so the per-request test is one bit; the row is then found by binary search); the
//    replica files are mapped, not copied.
// SerialGraph: a Graph (loaded by LoadGraph or built in memory) with the same accessors; every
// node is owned by rank 0 and neighbours are graph ids already.
// Both are immutable after construction and safe to read from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/array_ref.h"
#include "graph/graph.h"
#include "partition/partition_view.h"
#include "sampler/relation_table.h"
#include "sampler/row_pick.h"
#include "worker/communicator.h"

namespace melograph {

class DistGraph {
 public:
  static DistGraph Open(Communicator& comm, const std::string& dir, bool verify_checksums = true,
                        bool use_replicas = true);

  Communicator& comm() const { return *comm_; }
  int32_t rank() const { return shard_.part(); }
  int32_t num_parts() const { return shard_.num_parts(); }
  NodeId num_nodes() const { return shard_.num_nodes_total(); }
  const PartitionShard& shard() const { return shard_; }
  const proto::PartitionManifest& manifest() const { return shard_.manifest(); }
  const RelationTable& relations() const { return relations_; }
  const std::vector<TypeRange>& node_types() const { return types_; }
  const std::string& dir() const { return dir_; }

  NodeId GlobalId(NodeId graph_id) const { return old_to_new_[static_cast<size_t>(graph_id)]; }
  NodeId GraphIdOfGlobal(NodeId global_id) const { return new_to_old_[static_cast<size_t>(global_id)]; }
  const NodeId* global_to_graph() const { return new_to_old_.data(); }
  int32_t owner(NodeId graph_id) const { return shard_.owner(GlobalId(graph_id)); }
  bool owns(NodeId graph_id) const { return shard_.owns(GlobalId(graph_id)); }
  // The row of an owned node; neighbours are GLOBAL ids.
  RowSpans OwnedRow(NodeId graph_id) const { return OwnedRowOfGlobal(GlobalId(graph_id)); }
  RowSpans OwnedRowOfGlobal(NodeId global_id) const {
    const PartitionShard::HeldRow row = shard_.Row(global_id);
    return {row.col, row.relation, row.weight};
  }
  // Owned or (when replicas are in use) replicated: the row is on this rank.
  bool HasRowOfGlobal(NodeId global_id) const {
    if (shard_.owns(global_id)) return true;
    const auto g = static_cast<size_t>(global_id);
    return use_replicas_ && (replicated_[g >> 6] >> (g & 63) & 1u);
  }
  bool HasRow(NodeId graph_id) const { return HasRowOfGlobal(GlobalId(graph_id)); }
  int32_t RowRank(NodeId global_id) const { return HasRowOfGlobal(global_id) ? rank() : shard_.owner(global_id); }
  // The row of a node with HasRowOfGlobal; neighbours are GLOBAL ids.
  RowSpans LocalRowOfGlobal(NodeId global_id) const {
    const PartitionShard::HeldRow row =
        shard_.Row(global_id, shard_.owns(global_id) ? -1 : shard_.ReplicaIndex(global_id));
    return {row.col, row.relation, row.weight};
  }
  bool uses_replicas() const { return use_replicas_; }
  // This rank's training seeds (PartitionShard::seeds()) as graph ids, in global id order.
  std::vector<NodeId> SeedGraphIds() const;

 private:
  Communicator* comm_ = nullptr;
  std::string dir_;
  PartitionShard shard_;
  ArrayRef<NodeId> old_to_new_;
  std::vector<NodeId> new_to_old_;
  RelationTable relations_;
  std::vector<TypeRange> types_;
  bool use_replicas_ = false;
  std::vector<uint64_t> replicated_;  // one bit per global id when replicas are in use
};

class SerialGraph {
 public:
  explicit SerialGraph(std::shared_ptr<const Graph> graph);
  static SerialGraph Load(const std::string& graph_dir, bool verify_checksums = true);

  const Graph& graph() const { return *graph_; }
  NodeId num_nodes() const { return graph_->num_nodes(); }
  const RelationTable& relations() const { return relations_; }
  const std::vector<TypeRange>& node_types() const { return types_; }
  RowSpans Row(NodeId v) const {
    const EdgeIdx b = graph_->row_ptr()[static_cast<size_t>(v)], e = graph_->row_ptr()[static_cast<size_t>(v) + 1];
    const size_t n = static_cast<size_t>(e - b);
    return {graph_->col_idx().subspan(static_cast<size_t>(b), n),
            graph_->edge_relation().subspan(static_cast<size_t>(b), n),
            graph_->edge_weight().subspan(static_cast<size_t>(b), n)};
  }

 private:
  std::shared_ptr<const Graph> graph_;
  RelationTable relations_;
  std::vector<TypeRange> types_;
};

// UsageError unless the partition was made from a graph with the same node count, types and
// relation table (the serial reference must describe the same graph as the partition).
void CheckSameGraph(const SerialGraph& serial, const DistGraph& dist);

}  // namespace melograph
