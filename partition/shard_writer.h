// Shard writer: one directory per part with the owned nodes' adjacency in global (renumbered)
// ids, their keys and original ids, the 1-hop halo and the owned training seeds.
//
// Files of part p, under "part-%05d/" (little-endian flat arrays, see docs/PARTITION.md):
//   row_ptr.bin      int64  owned+1    local CSR offsets (row i = global id offsets[p] + i)
//   col_idx.bin      int32  entries    neighbour global ids
//   edge_relation.bin uint16 entries   relation ids (manifest relation table)
//   edge_weight.bin  float32 entries   edge weights
//   original_id.bin  int32  owned      graph node id of each owned node
//   key_offsets.bin  int64  owned+1    into keys.bin
//   keys.bin         bytes             "type:id" of each owned node, back to back
//   halo.bin         int32  halo       sorted global ids of remote 1-hop neighbours
//   seeds.bin        int32  seeds      sorted global ids of owned training seeds
// Each row holds every stored relation entry of the node (both directions) in the graph's order:
// by relation, then by ORIGINAL (graph) neighbour id, so position i of a row is the same edge
// under every partition (samplers rely on it for partition-invariant picks). Plus, for the whole
// partition, "old_to_new.bin" (int32, graph node id -> global id) and, when `replicated` flags
// any node (hub replication, hub_replication.h), "replicas/" with the flagged nodes' rows in the
// same layout, once for all parts:
//   ids.bin int32 R (sorted global ids), original_id.bin int32 R, row_ptr.bin int64 R+1,
//   col_idx.bin int32, edge_relation.bin uint16, edge_weight.bin float32 (entries each).
//
// Contract: files are written inside `dir` (an AtomicDirectory the caller commits), each
// through AtomicFile; their sizes and CRC-32s, and per-part halo counts, are recorded in
// `manifest` (parts must already hold num_parts entries; replication's node and entry counts are
// set). `replicated` is per graph node (empty or all zero: no replicas). Memory: one bit per
// node and one part's halo.
#pragma once

#include <vector>

#include "common/file_util.h"
#include "graph/graph.h"
#include "partition/renumbering.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

std::string ShardDirName(int32_t part);
inline constexpr const char* kReplicaDirName = "replicas";

void WriteShards(const Graph& graph, const Renumbering& renumbering, const std::vector<uint8_t>& seeds,
                 const std::vector<uint8_t>& replicated, AtomicDirectory& dir, proto::PartitionManifest* manifest);

}  // namespace melograph
