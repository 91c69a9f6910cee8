// Reading a partition directory: the manifest, and one part's shard by mmap.
//
// Contract:
//  * LoadPartitionManifest validates the manifest (format version, K >= 1, K+1 offsets from 0
//    to num_nodes, non-decreasing, one entry per part with matching node counts) and throws
//    FormatError naming the file and the problem; IoError when the directory cannot be read.
//  * LoadShard maps the part's files (no parsing, no copies), checks every size against the
//    manifest and, with verify_checksums, every CRC-32; then validates the arrays once
//    (row_ptr monotone and closing at the entry count, neighbour ids < num_nodes, relation ids
//    in the table, halo sorted, remote and in range). Accessors do not re-check.
//  * owner(g) is a binary search over the K+1 offsets (O(log K)); out_neighbors(g) is defined
//    for owned g only.
//  * Hub replicas (manifest `replication`, shard_writer.h "replicas/"): LoadShard maps them too,
//    for every part, and validates them like a shard (ids sorted, unique and in range, row_ptr
//    monotone, neighbours and relations in range). ReplicaIndex(g) is a binary search over the
//    replica ids (O(log R)); -1 when g is not replicated. HasRow(g): owned or replicated;
//    Row(g, replica_index) hands out either row with the node's graph id (samplers and walks).
// A PartitionShard is immutable and safe to read from many threads; copies share the mappings.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "graph/array_ref.h"
#include "graph/types.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

inline constexpr uint32_t kPartitionFormatMajor = 1;
inline constexpr uint32_t kPartitionFormatMinor = 0;
inline constexpr const char* kPartitionManifestName = "manifest.pb";

proto::PartitionManifest LoadPartitionManifest(const std::string& dir);

class PartitionShard {
 public:
  PartitionShard() = default;

  int32_t part() const { return part_; }
  int32_t num_parts() const { return static_cast<int32_t>(manifest_->num_parts()); }
  NodeId num_nodes_total() const { return static_cast<NodeId>(manifest_->num_nodes()); }
  std::span<const int64_t> offsets() const { return {manifest_->offsets().data(), offsets_size()}; }
  NodeId begin() const { return begin_; }
  NodeId end() const { return end_; }
  NodeId num_owned() const { return end_ - begin_; }
  bool owns(NodeId g) const { return g >= begin_ && g < end_; }
  int32_t owner(NodeId g) const;

  // Local CSR: row i is global node begin() + i; neighbours are global ids.
  std::span<const EdgeIdx> row_ptr() const { return row_ptr_.span(); }
  std::span<const NodeId> col_idx() const { return col_idx_.span(); }
  std::span<const RelationId> edge_relation() const { return edge_relation_.span(); }
  std::span<const float> edge_weight() const { return edge_weight_.span(); }
  EdgeIdx num_edges() const { return static_cast<EdgeIdx>(col_idx_.size()); }
  EdgeIdx degree(NodeId g) const { return row_ptr_[g - begin_ + 1] - row_ptr_[g - begin_]; }
  std::span<const NodeId> out_neighbors(NodeId g) const {
    const size_t i = static_cast<size_t>(g - begin_);
    return col_idx_.span().subspan(row_ptr_[i], row_ptr_[i + 1] - row_ptr_[i]);
  }

  // Hub replicas: rows of nodes every part holds (in global id order), same layout as the shard.
  std::span<const NodeId> replica_ids() const { return replica_ids_.span(); }
  std::span<const NodeId> replica_original_ids() const { return replica_original_id_.span(); }
  std::span<const EdgeIdx> replica_row_ptr() const { return replica_row_ptr_.span(); }
  std::span<const NodeId> replica_col_idx() const { return replica_col_idx_.span(); }
  std::span<const RelationId> replica_edge_relation() const { return replica_edge_relation_.span(); }
  std::span<const float> replica_edge_weight() const { return replica_edge_weight_.span(); }
  int64_t ReplicaIndex(NodeId g) const;
  bool HasRow(NodeId g) const { return owns(g) || ReplicaIndex(g) >= 0; }

  // The row this part holds for g: owned (replica_index < 0) or the replica at replica_index
  // (ReplicaIndex(g), passed in so callers that already know it search once). Neighbours are
  // global ids; `original` is g's graph node id.
  struct HeldRow {
    std::span<const NodeId> col;
    std::span<const RelationId> relation;
    std::span<const float> weight;
    NodeId original;
  };
  HeldRow Row(NodeId g, int64_t replica_index = -1) const {
    if (replica_index < 0) {
      const auto i = static_cast<size_t>(g - begin_);
      const auto b = static_cast<size_t>(row_ptr_[i]), n = static_cast<size_t>(row_ptr_[i + 1] - row_ptr_[i]);
      return {col_idx_.span().subspan(b, n), edge_relation_.span().subspan(b, n), edge_weight_.span().subspan(b, n),
              original_id_[i]};
    }
    const auto i = static_cast<size_t>(replica_index);
    const auto b = static_cast<size_t>(replica_row_ptr_[i]);
    const auto n = static_cast<size_t>(replica_row_ptr_[i + 1] - replica_row_ptr_[i]);
    return {replica_col_idx_.span().subspan(b, n), replica_edge_relation_.span().subspan(b, n),
            replica_edge_weight_.span().subspan(b, n), replica_original_id_[i]};
  }

  std::span<const NodeId> halo() const { return halo_.span(); }
  std::span<const NodeId> seeds() const { return seeds_.span(); }
  // Graph node id (before partitioning) and "type:id" key of an owned node.
  NodeId original_id(NodeId g) const { return original_id_[static_cast<size_t>(g - begin_)]; }
  std::string_view Key(NodeId g) const {
    const size_t i = static_cast<size_t>(g - begin_);
    return std::string_view(keys_.data() + key_offsets_[i], static_cast<size_t>(key_offsets_[i + 1] - key_offsets_[i]));
  }

  const proto::PartitionManifest& manifest() const { return *manifest_; }

 private:
  friend PartitionShard LoadShard(const std::string& dir, int32_t part, bool verify_checksums);
  size_t offsets_size() const { return static_cast<size_t>(manifest_->offsets_size()); }
  std::shared_ptr<const proto::PartitionManifest> manifest_;
  int32_t part_ = 0;
  NodeId begin_ = 0;
  NodeId end_ = 0;
  ArrayRef<EdgeIdx> row_ptr_;
  ArrayRef<NodeId> col_idx_;
  ArrayRef<RelationId> edge_relation_;
  ArrayRef<float> edge_weight_;
  ArrayRef<NodeId> original_id_;
  ArrayRef<int64_t> key_offsets_;
  ArrayRef<char> keys_;
  ArrayRef<NodeId> halo_;
  ArrayRef<NodeId> seeds_;
  ArrayRef<NodeId> replica_ids_;
  ArrayRef<NodeId> replica_original_id_;
  ArrayRef<EdgeIdx> replica_row_ptr_;
  ArrayRef<NodeId> replica_col_idx_;
  ArrayRef<RelationId> replica_edge_relation_;
  ArrayRef<float> replica_edge_weight_;
};

PartitionShard LoadShard(const std::string& dir, int32_t part, bool verify_checksums = true);

// old_to_new.bin: graph node id -> global id after partitioning (mmap).
ArrayRef<NodeId> LoadOldToNew(const std::string& dir, const proto::PartitionManifest& manifest);

}  // namespace melograph
