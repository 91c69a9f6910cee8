// Distributed random walks: walkers hop between ranks in batched exchanges and produce exactly
// the walks of RandomWalksReference (sampler/random_walk.h) at any rank count, under any
// partition.
//
// Design (owner-compute, one-way moves):
//  * A walker lives on the rank that owns its current node, or on a rank holding a hub replica
//    of it (partition --replicate*: the replica row reads exactly like the owner's, so the walk
//    does not change; it just does not move). Its state is a 32-byte record
//    (start graph id, repetition, start global id, current node, previous node, schema phase,
//    hops taken, neighbour-set length), all int32.
//  * A round: every rank advances each of its walkers hop after hop while the next node is
//    local (draws keyed by (seed, epoch, start, repetition, step): see random_walk.h), and stops
//    a walker when it finishes, hits a dead end, or steps onto a node owned by another rank.
//    Then all walkers bound elsewhere move in ONE Communicator::AllToAllV of int32 words, and
//    one Allreduce of the number of live walkers decides whether another round follows. A walk
//    of L hops takes at most L + 1 rounds; METIS partitions keep most hops local, so fewer.
//  * node2vec (p or q != 1): the hop after a move needs the previous node's neighbour set,
//    which only the rank that the walker left holds; that rank appends the sorted distinct
//    neighbours (global ids) of the node it leaves to the walker's message. Cost: 4 * distinct
//    degree bytes per cross-rank hop, one round, no extra request/answer exchange. After a local
//    hop, or after a restart (no previous node), nothing is carried.
//  * Paths: the rank where a walker arrives records (start, repetition, index, GRAPH id of the
//    node) for the node (16 bytes); the start's owner records index 0. After the last round one
//    AllToAllV sends every record to the rank owning the walk's start node, which
//    places them in per-walk slots (no sort) and assembles the paths (16 bytes per hop, once,
//    instead of carrying growing paths).
//
// Contract: a collective (every rank calls it once, possibly with no starts). `owned_starts`
// are GRAPH node ids owned by this rank (UsageError otherwise, and for everything
// ValidateWalkRequest rejects). Returns the walks of this rank's starts, in the order of
// `owned_starts` then repetition (the reference's order restricted to those starts). Incoming
// walker messages are checked once (sizes, ownership, ranges) and throw MpiError when broken.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/array_ref.h"
#include "graph/graph.h"
#include "partition/partition_view.h"
#include "sampler/metapath.h"
#include "sampler/random_walk.h"
#include "worker/communicator.h"

namespace melograph {

struct DistWalkStats {
  int64_t hops = 0;               // hops advanced on this rank
  int64_t rounds = 0;             // walker exchanges (AllToAllV calls)
  int64_t walkers_sent = 0;       // walker moves to other ranks
  int64_t walker_bytes_sent = 0;  // bytes of those moves, node2vec neighbour sets included
  int64_t path_bytes_sent = 0;    // bytes of the final path collection to other ranks
};

// The pieces of a partition a walker needs on one rank.
struct WalkShard {
  const PartitionShard* shard = nullptr;
  std::span<const NodeId> old_to_new;    // graph id -> partition global id (whole graph)
  std::span<const NodeType> node_types;  // graph id ranges (NodeTypesOf(manifest))
  bool use_replicas = true;              // step through the partition's hub replicas in place
};

// A WalkShard with its storage: part `part` of the partition in `dir` (LoadShard, checksums
// verified), old_to_new.bin and the manifest's node types.
struct OpenedWalkShard {
  PartitionShard shard;
  ArrayRef<NodeId> old_to_new;
  std::vector<NodeType> node_types;
  std::vector<Relation> relations;
  WalkShard view() const { return {&shard, old_to_new.span(), node_types}; }
};
OpenedWalkShard OpenWalkShard(const std::string& dir, int32_t part);

Walks DistributedRandomWalks(Communicator& comm, const WalkShard& view, const Metapath& metapath,
                             std::span<const NodeId> owned_starts, const WalkOptions& options,
                             DistWalkStats* stats = nullptr);

// Graph ids of this rank's nodes of one type, ascending (the default start nodes).
std::vector<NodeId> OwnedNodesOfType(const WalkShard& view, TypeId type);

}  // namespace melograph
