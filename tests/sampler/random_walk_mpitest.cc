// Distributed random walks under mpirun at 1, 2 and 4 ranks: every rank's walks equal the
// serial reference for the same start nodes, under hash AND metis partitions, for uniform,
// weighted, node2vec, unrestricted and restart walks. Rank 0 writes the partitions and
// broadcasts the path. Only EXPECT_* before collectives (an early return would hang).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "partition/partition_pipeline.h"
#include "sampler/dist_random_walk.h"
#include "sampler/random_walk.h"
#include "tests/sampler/sampler_fixtures.h"
#include "tests/test_util.h"
#include "worker/communicator.h"

namespace melograph {
namespace {

struct WalkWorld {
  std::shared_ptr<const Graph> graph = testing::SmallMusicWorld(100, 5);
  std::unique_ptr<testing::TempDir> dir;  // rank 0 only
  std::string root;
  std::string Partition(const std::string& method) const { return root + "/" + method; }
};

WalkWorld& World() {
  static WalkWorld w = [] {
    WalkWorld fx;
    Communicator comm;
    if (comm.rank() == 0) {
      fx.dir = std::make_unique<testing::TempDir>();
      fx.root = fx.dir->path();
      for (const char* method : {"hash", "metis"}) {
        PartitionOptions o;
        o.num_parts = comm.size();
        o.method = ParsePartitionMethod(method);
        o.sample_roots = 50;
        PartitionGraph(*fx.graph, o, fx.Partition(method));
      }
      {
        PartitionOptions o;  // METIS with hub replicas: up to 20% of the entries on every part
        o.num_parts = comm.size();
        o.sample_roots = 50;
        o.replicate_entries = 0.2;
        PartitionGraph(*fx.graph, o, fx.Partition("metis_replicas"));
      }
      PartitionOptions o;  // a part count no job runs with
      o.num_parts = 3;
      o.method = PartitionMethod::kHash;
      o.sample_roots = 10;
      PartitionGraph(*fx.graph, o, fx.Partition("three"));
    }
    comm.Bcast(fx.root, 0);
    comm.Barrier();
    return fx;
  }();
  return w;
}

struct Config {
  const char* name;
  const char* schema;
  const char* start_type;
  WalkOptions options;
};

std::vector<Config> Configs() {
  std::vector<Config> c;
  WalkOptions o;
  o.walk_length = 12;
  o.walks_per_node = 2;
  c.push_back({"uniform", "user -listened-> song -by_artist-> artist -by_artist^-1-> song -listened^-1-> user",
               "user", o});
  o.weighted = true;
  o.p = 0.5;
  o.q = 2.0;
  c.push_back({"weighted node2vec", "user -listened-> song -in_album-> album -rev_in_album-> song -rev_listened-> user",
               "user", o});
  o.weighted = false;
  o.p = 2.0;
  o.q = 0.25;
  o.walk_length = 10;
  c.push_back({"unrestricted node2vec", "", "user", o});
  WalkOptions r;
  r.walk_length = 30;
  r.walks_per_node = 3;
  r.restart = 0.3;
  r.epoch = 4;
  c.push_back({"restart", "song -rev_listened-> user -listened-> song", "song", r});
  r.restart = 0.2;
  r.walk_length = 9;
  c.push_back({"acyclic restart", "user -listened-> song -in_album-> album", "user", r});
  return c;
}

TEST(DistRandomWalk, equals_serial_reference_for_hash_and_metis_partitions) {
  WalkWorld& w = World();
  Communicator comm;
  const Graph& g = *w.graph;
  for (const char* method : {"hash", "metis", "metis_replicas"}) {
    const OpenedWalkShard opened = OpenWalkShard(w.Partition(method), comm.rank());
    const WalkShard view = opened.view();
    for (const Config& c : Configs()) {
      SCOPED_TRACE(std::string(method) + " " + c.name);
      const Metapath m = ParseMetapath(c.schema, opened.node_types, opened.relations);
      const TypeId start_type = *g.FindType(c.start_type);
      const std::vector<NodeId> starts = OwnedNodesOfType(view, start_type);
      DistWalkStats st;
      const Walks dist = DistributedRandomWalks(comm, view, m, starts, c.options, &st);
      const Walks ref = RandomWalksReference(g, ParseMetapath(c.schema, g), starts, c.options);
      EXPECT_EQ(dist, ref);
      if (c.options.restart > 0) {
        EXPECT_EQ(TopVisited(dist, opened.node_types, 5), TopVisited(ref, g.node_types(), 5));
      }
      // Every start node of the type is walked exactly once across the ranks.
      EXPECT_EQ(comm.Allreduce(dist.num_walks(), ReduceOp::kSum),
                int64_t{g.node_types()[start_type].count} * c.options.walks_per_node);
      EXPECT_EQ(comm.Allreduce(st.hops, ReduceOp::kSum), comm.Allreduce(dist.hops(), ReduceOp::kSum));
      const int64_t moves = comm.Allreduce(st.walkers_sent, ReduceOp::kSum);
      const int64_t bytes = comm.Allreduce(st.walker_bytes_sent, ReduceOp::kSum);
      if (comm.size() == 1) {
        EXPECT_EQ(moves, 0);
        EXPECT_EQ(bytes, 0);
      } else {
        EXPECT_GT(moves, 0);
        // 32-byte walker headers, plus the previous node's neighbour set on node2vec hops.
        if (c.options.second_order()) {
          EXPECT_GT(bytes, 32 * moves);
        } else {
          EXPECT_EQ(bytes, 32 * moves);
        }
      }
      EXPECT_LE(st.rounds, c.options.walk_length + 1);
    }
  }
}

TEST(DistRandomWalk, metis_keeps_more_hops_local_than_hash) {
  WalkWorld& w = World();
  Communicator comm;
  std::vector<int64_t> moves;
  for (const char* method : {"hash", "metis"}) {
    const OpenedWalkShard opened = OpenWalkShard(w.Partition(method), comm.rank());
    const Config c = Configs()[0];
    const Metapath m = ParseMetapath(c.schema, opened.node_types, opened.relations);
    DistWalkStats st;
    DistributedRandomWalks(comm, opened.view(), m, OwnedNodesOfType(opened.view(), m.types[0]), c.options, &st);
    moves.push_back(comm.Allreduce(st.walkers_sent, ReduceOp::kSum));
  }
  if (comm.size() > 1) {
    EXPECT_LT(moves[1], moves[0]);
  }
}

TEST(DistRandomWalk, hub_replicas_keep_walkers_in_place_with_the_same_walks) {
  WalkWorld& w = World();
  Communicator comm;
  const OpenedWalkShard opened = OpenWalkShard(w.Partition("metis_replicas"), comm.rank());
  EXPECT_EQ(opened.shard.replica_ids().empty(), comm.size() == 1);  // K = 1: nothing is remote
  WalkShard without = opened.view();
  without.use_replicas = false;
  for (const Config& c : Configs()) {
    SCOPED_TRACE(c.name);
    const Metapath m = ParseMetapath(c.schema, opened.node_types, opened.relations);
    const std::vector<NodeId> starts = OwnedNodesOfType(opened.view(), *w.graph->FindType(c.start_type));
    DistWalkStats a, b;
    EXPECT_EQ(DistributedRandomWalks(comm, opened.view(), m, starts, c.options, &a),
              DistributedRandomWalks(comm, without, m, starts, c.options, &b));
    const int64_t with_moves = comm.Allreduce(a.walkers_sent, ReduceOp::kSum);
    const int64_t without_moves = comm.Allreduce(b.walkers_sent, ReduceOp::kSum);
    if (comm.size() > 1) {
      EXPECT_LT(with_moves, without_moves);
    } else {
      EXPECT_EQ(with_moves, 0);
    }
  }
}

TEST(DistRandomWalk, rejects_foreign_starts_and_a_wrong_rank_count) {
  WalkWorld& w = World();
  Communicator comm;
  const OpenedWalkShard opened = OpenWalkShard(w.Partition("hash"), comm.rank());
  const Metapath m = ParseMetapath("", opened.node_types, opened.relations);
  WalkOptions o;
  if (comm.size() > 1) {  // the same decision on every rank: nobody enters a collective
    std::vector<NodeId> starts;
    for (NodeId v = 0; v < w.graph->num_nodes() && starts.empty(); ++v)
      if (!opened.shard.owns(opened.old_to_new[static_cast<size_t>(v)])) starts.push_back(v);
    EXPECT_THROW(DistributedRandomWalks(comm, opened.view(), m, starts, o), UsageError);
  }
  if (comm.rank() < 3) {
    const OpenedWalkShard three = OpenWalkShard(w.Partition("three"), comm.rank());
    EXPECT_THROW(DistributedRandomWalks(comm, three.view(), m, std::vector<NodeId>{}, o), UsageError);
  }
}

}  // namespace
}  // namespace melograph
