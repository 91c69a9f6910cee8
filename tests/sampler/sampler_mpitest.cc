// Distributed samplers under mpirun at 1, 2 and 4 ranks: every result must equal the serial
// reference on the original graph, for hash AND metis partitions. Rank 0 writes the partitions
// into its temporary directory and broadcasts the path; expectations never depend on the rank
// count. Collectives are guarded by EXPECT_* only (an early return on one rank would hang).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "partition/partition_pipeline.h"
#include "sampler/dist_graph.h"
#include "sampler/negative_sampler.h"
#include "sampler/neighbor_sampler.h"
#include "sampler/owner_compute.h"
#include "tests/sampler/sampler_fixtures.h"
#include "tests/test_util.h"
#include "worker/communicator.h"

namespace melograph {
namespace {

// The world and its partitions, made once per process (rank 0 writes, everybody reads).
struct Fixture {
  std::shared_ptr<const Graph> graph = testing::SmallMusicWorld(120, 11);
  std::unique_ptr<testing::TempDir> dir;  // rank 0 only
  std::string root;
  std::string Partition(const std::string& method, int parts) const {
    return root + "/" + method + "-" + std::to_string(parts);
  }
};

Fixture& World() {
  static Fixture f = [] {
    Fixture fx_value;
    Fixture* fx = &fx_value;
    Communicator comm;
    if (comm.rank() == 0) {
      fx->dir = std::make_unique<testing::TempDir>();
      fx->root = fx->dir->path();
      for (const char* method : {"hash", "metis"}) {
        PartitionOptions o;
        o.num_parts = comm.size();
        o.method = ParsePartitionMethod(method);
        o.sample_roots = 100;
        PartitionGraph(*fx->graph, o, fx->Partition(method, comm.size()));
      }
      {
        PartitionOptions o;  // METIS with hub replicas: 10% of the nodes copied to every part
        o.num_parts = comm.size();
        o.sample_roots = 100;
        o.replicate_fraction = 0.1;
        PartitionGraph(*fx->graph, o, fx->Partition("metis_replicas", comm.size()));
      }
      PartitionOptions o;  // a part count no test job runs with (1, 2, 4 ranks)
      o.num_parts = 3;
      o.method = PartitionMethod::kHash;
      o.sample_roots = 10;
      PartitionGraph(*fx->graph, o, fx->Partition("hash", 3));
    }
    comm.Bcast(fx->root, 0);
    comm.Barrier();
    return fx_value;
  }();
  return f;
}

std::vector<NodeId> Users(const Graph& g) {
  std::vector<NodeId> out;
  for (NodeId v = 0; v < g.num_nodes(); ++v)
    if (g.Key(v).rfind("user:", 0) == 0) out.push_back(v);
  return out;
}

struct Config {
  std::vector<int32_t> fanouts;
  std::string relations;
  bool weighted;
};

TEST(DistNeighborSampler, equals_serial_reference_for_hash_and_metis_partitions) {
  Fixture& w = World();
  Communicator comm;
  const SerialGraph serial(w.graph);
  for (const char* method : {"hash", "metis", "metis_replicas"}) {
    const DistGraph dist = DistGraph::Open(comm, w.Partition(method, comm.size()));
    CheckSameGraph(serial, dist);
    const std::vector<NodeId> my_seeds = dist.SeedGraphIds();
    for (const Config& c : {Config{{3, 2}, "", false}, Config{{4, 3}, "listened;by_artist|in_album", true},
                            Config{{5, 3, 2}, "", true}, Config{{-1}, "rejected|friend", false}}) {
      NeighborSamplerOptions o;
      o.fanouts = c.fanouts;
      o.relations = serial.relations().ParseHopRelations(c.relations, c.fanouts.size());
      o.weighted = c.weighted;
      o.seed = 17;
      DistNeighborSampler d(dist, o);
      SerialNeighborSampler s(serial, o);
      // The rank's own seeds in batches of 7, then a batch of nodes owned anywhere (every type).
      int64_t edges = 0;
      for (int64_t b = 0; b < 4; ++b) {
        std::vector<NodeId> batch;
        for (size_t i = static_cast<size_t>(b) * 7; i < my_seeds.size() && i < static_cast<size_t>(b + 1) * 7; ++i)
          batch.push_back(my_seeds[i]);
        if (b == 3)
          for (NodeId v = comm.rank(); v < serial.num_nodes(); v += 5) batch.push_back(v);
        // Ranks are at different (epoch, step): owners must use the requester's.
        const SampledSubgraph got = d.Sample(batch, 2 + comm.rank(), b + 3 * comm.rank());
        const SampledSubgraph expected = s.Sample(batch, 2 + comm.rank(), b + 3 * comm.rank());
        EXPECT_EQ(FirstDifference(expected, got), "") << method << " batch " << b << " rank " << comm.rank();
        for (const Block& bl : got.blocks) edges += bl.num_edges();
      }
      EXPECT_GT(edges, 0);
      const OwnerComputeStats& st = d.exchange_stats();
      EXPECT_EQ(st.rounds, 4 * static_cast<int64_t>(c.fanouts.size()));  // one round per hop per batch
      if (comm.size() == 1) {
        EXPECT_EQ(st.remote_requests, 0);
      } else {
        EXPECT_GT(comm.Allreduce(st.remote_requests, ReduceOp::kSum), 0);
      }
    }
  }
}

TEST(DistNeighborSampler, empty_batches_on_some_ranks_still_match) {
  Fixture& w = World();
  Communicator comm;
  const SerialGraph serial(w.graph);
  const DistGraph dist = DistGraph::Open(comm, w.Partition("metis", comm.size()));
  NeighborSamplerOptions o;
  o.fanouts = {2, 2};
  DistNeighborSampler d(dist, o);
  SerialNeighborSampler s(serial, o);
  std::vector<NodeId> batch;
  if (comm.rank() == 0) batch = {1, 2, 3, 50, 90};
  EXPECT_EQ(FirstDifference(s.Sample(batch, 0, 0), d.Sample(batch, 0, 0)), "");
}

TEST(DistNeighborSampler, hub_replicas_are_sampled_in_place_with_the_same_result) {
  Fixture& w = World();
  Communicator comm;
  const SerialGraph serial(w.graph);
  const std::string dir = w.Partition("metis_replicas", comm.size());
  const DistGraph with = DistGraph::Open(comm, dir);
  const DistGraph without = DistGraph::Open(comm, dir, true, /*use_replicas=*/false);
  EXPECT_EQ(with.uses_replicas(), comm.size() > 1);  // one part: nothing is remote, nothing copied
  EXPECT_FALSE(without.uses_replicas());
  int64_t replicated_remote = 0;
  for (const NodeId g : with.shard().replica_ids()) {
    EXPECT_TRUE(with.HasRowOfGlobal(g));
    EXPECT_EQ(with.RowRank(g), comm.rank());
    EXPECT_EQ(without.RowRank(g), with.shard().owner(g));
    if (!with.shard().owns(g)) ++replicated_remote;
    // The copy reads exactly like the owner's row in the serial graph.
    const RowSpans local = with.LocalRowOfGlobal(g);
    const RowSpans ref = serial.Row(with.GraphIdOfGlobal(g));
    ASSERT_EQ(local.size(), ref.size());
    for (int64_t i = 0; i < local.size(); ++i) {
      EXPECT_EQ(with.GraphIdOfGlobal(local.neighbor[static_cast<size_t>(i)]), ref.neighbor[static_cast<size_t>(i)]);
      EXPECT_EQ(local.relation[static_cast<size_t>(i)], ref.relation[static_cast<size_t>(i)]);
      EXPECT_EQ(local.weight[static_cast<size_t>(i)], ref.weight[static_cast<size_t>(i)]);
    }
  }
  const auto ids = with.shard().replica_ids();
  for (NodeId g = 0; g < with.num_nodes(); ++g) {
    const bool replicated = std::binary_search(ids.begin(), ids.end(), g);
    EXPECT_EQ(with.HasRowOfGlobal(g), with.shard().owns(g) || (comm.size() > 1 && replicated)) << g;
    EXPECT_EQ(without.HasRowOfGlobal(g), with.shard().owns(g)) << g;
  }
  NeighborSamplerOptions o;
  o.fanouts = {10, 10};
  o.seed = 5;
  DistNeighborSampler a(with, o), b(without, o);
  SerialNeighborSampler s(serial, o);
  const std::vector<NodeId> seeds = with.SeedGraphIds();
  for (int64_t step = 0; step < 3; ++step) {
    std::vector<NodeId> batch;
    for (size_t i = static_cast<size_t>(step) * 8; i < seeds.size() && i < static_cast<size_t>(step + 1) * 8; ++i)
      batch.push_back(seeds[i]);
    const SampledSubgraph expected = s.Sample(batch, 1, step);
    EXPECT_EQ(FirstDifference(expected, a.Sample(batch, 1, step)), "") << "step " << step;
    EXPECT_EQ(FirstDifference(expected, b.Sample(batch, 1, step)), "") << "step " << step;
  }
  // Same requests, fewer of them leave the rank: every frontier node with a local copy stays.
  EXPECT_EQ(a.exchange_stats().requests, b.exchange_stats().requests);
  const int64_t remote_with = comm.Allreduce(a.exchange_stats().remote_requests, ReduceOp::kSum);
  const int64_t remote_without = comm.Allreduce(b.exchange_stats().remote_requests, ReduceOp::kSum);
  if (comm.size() > 1) {
    EXPECT_GT(comm.Allreduce(replicated_remote, ReduceOp::kSum), 0);
    EXPECT_LT(remote_with, remote_without);
  } else {
    EXPECT_EQ(remote_with, 0);
    EXPECT_EQ(remote_without, 0);
  }
}

TEST(DistGraph, rank_count_different_from_part_count_is_a_usage_error) {
  Fixture& w = World();
  Communicator comm;
  try {
    DistGraph::Open(comm, w.Partition("hash", 3));
    ADD_FAILURE() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("has 3 parts but the job runs " + std::to_string(comm.size()) + " ranks"),
              std::string::npos)
        << e.what();
  }
}

TEST(DistGraph, id_maps_and_owner_agree_with_the_shard) {
  Fixture& w = World();
  Communicator comm;
  const DistGraph dist = DistGraph::Open(comm, w.Partition("metis", comm.size()));
  int64_t owned = 0;
  for (NodeId v = 0; v < dist.num_nodes(); ++v) {
    EXPECT_EQ(dist.GraphIdOfGlobal(dist.GlobalId(v)), v);
    if (dist.owns(v)) {
      ++owned;
      EXPECT_EQ(dist.owner(v), comm.rank());
      EXPECT_EQ(dist.OwnedRow(v).size(), w.graph->degree(v));
    }
  }
  EXPECT_EQ(comm.Allreduce(owned, ReduceOp::kSum), w.graph->num_nodes());
}

// Generic owner-compute: request x goes to rank x % size and is answered with x % 4 items
// (x, x+1, ...): every rank can compute the expected answer itself.
TEST(OwnerCompute, answers_return_in_request_order_from_every_owner) {
  Communicator comm;
  OwnerCompute<int64_t, int64_t, int32_t> oc;
  for (int round = 0; round < 3; ++round) {
    std::vector<int64_t> req;
    std::vector<int32_t> owner;
    for (int64_t i = 0; i < 20 + round * 7 + comm.rank(); ++i) {
      const int64_t x = i * 13 + comm.rank() * 5 + round;
      req.push_back(x);
      owner.push_back(static_cast<int32_t>(x % comm.size()));
    }
    // The context is the requester's rank: answers must use the requester's context.
    oc.Run(comm, comm.rank(), std::span<const int64_t>(req), std::span<const int32_t>(owner),
           [&](int32_t requester, int64_t x, std::vector<int64_t>& out) {
             EXPECT_EQ(x % comm.size(), comm.rank());
             for (int64_t j = 0; j < x % 4; ++j) out.push_back(x + j + 1000 * requester);
           });
    EXPECT_EQ(oc.num_requests(), req.size());
    for (size_t i = 0; i < req.size() && i < oc.num_requests(); ++i) {
      std::vector<int64_t> expected;
      for (int64_t j = 0; j < req[i] % 4; ++j) expected.push_back(req[i] + j + 1000 * comm.rank());
      const auto got = oc.items_of(i);
      EXPECT_EQ(std::vector<int64_t>(got.begin(), got.end()), expected) << "request " << i;
    }
  }
  EXPECT_EQ(oc.stats().rounds, 3);
  if (comm.size() == 1) {
    EXPECT_EQ(oc.stats().bytes_sent, 0);
  }
}

TEST(Negatives, tables_and_hard_negatives_equal_serial_at_any_rank_count) {
  Fixture& w = World();
  Communicator comm;
  const SerialGraph serial(w.graph);
  for (const char* method : {"hash", "metis", "metis_replicas"}) {
    const DistGraph dist = DistGraph::Open(comm, w.Partition(method, comm.size()));
    NegativeSamplerOptions o;
    o.seed = 23;
    const NegativeTables dt = NegativeTables::Build(dist, o);
    const NegativeTables st = NegativeTables::Build(serial, o);
    EXPECT_EQ(dt.degrees(), st.degrees());
    const TypeId song = static_cast<TypeId>(TypeIndexOf(st.node_types(), *w.graph->Find("song:0")));
    std::vector<int64_t> items;
    for (int64_t i = 0; i < 50; ++i) items.push_back(i * 31 + comm.rank());
    EXPECT_EQ(dt.Draw(song, items, 4, 1, 2), st.Draw(song, items, 4, 1, 2));
    // Hard negatives for users owned anywhere (exchange) equal the serial ones.
    const std::vector<NodeId> users = Users(*w.graph);
    std::vector<NodeId> batch;
    std::vector<int64_t> idx;
    for (size_t i = static_cast<size_t>(comm.rank()); i < users.size(); i += 3) {
      batch.push_back(users[i]);
      idx.push_back(users[i]);
    }
    DistHardNegativeSampler dh(dist, o);
    SerialHardNegativeSampler sh(serial, o);
    const HardNegatives got = dh.Sample(batch, idx, 2, comm.rank(), 5 + comm.rank());
    EXPECT_EQ(got, sh.Sample(batch, idx, 2, comm.rank(), 5 + comm.rank()));
    EXPECT_FALSE(got.nodes.empty());
  }
}

}  // namespace
}  // namespace melograph
