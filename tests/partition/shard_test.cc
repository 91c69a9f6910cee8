#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "common/error.h"
#include "common/file_util.h"
#include "partition/partition_pipeline.h"
#include "partition/partition_view.h"
#include "partition/renumbering.h"
#include "tests/partition/partition_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::PlantedCommunities;
using testing::TempDir;
using testing::TwoCommunities;

PartitionOptions ShardOptions(int32_t k, PartitionMethod method) {
  PartitionOptions o;
  o.num_parts = k;
  o.method = method;
  o.sample_roots = 200;
  return o;
}

using Entry = std::tuple<NodeId, RelationId, NodeId, float>;  // (old head, rel, old tail, weight)

std::multiset<Entry> GraphEntries(const Graph& g) {
  std::multiset<Entry> s;
  for (NodeId v = 0; v < g.num_nodes(); ++v)
    for (EdgeIdx e = g.row_ptr()[v]; e < g.row_ptr()[v + 1]; ++e)
      s.insert({v, g.edge_relation()[e], g.col_idx()[e], g.edge_weight()[e]});
  return s;
}

// Checks every invariant of a partition directory against its graph.
void CheckPartition(const Graph& g, const std::string& dir, int32_t k) {
  const proto::PartitionManifest m = LoadPartitionManifest(dir);
  ASSERT_EQ(m.num_parts(), static_cast<uint32_t>(k));
  const ArrayRef<NodeId> old_to_new = LoadOldToNew(dir, m);
  std::vector<NodeId> new_to_old(static_cast<size_t>(g.num_nodes()), -1);
  for (NodeId v = 0; v < g.num_nodes(); ++v) new_to_old[old_to_new[v]] = v;
  const RelationId listened = g.FindRelations("listened").at(0);
  std::vector<int> owned_count(static_cast<size_t>(g.num_nodes()), 0);
  std::multiset<Entry> entries;
  for (int32_t p = 0; p < k; ++p) {
    const PartitionShard s = LoadShard(dir, p);
    EXPECT_EQ(s.begin(), m.offsets(p));
    EXPECT_EQ(s.end(), m.offsets(p + 1));
    std::set<NodeId> expected_halo;
    for (NodeId gid = s.begin(); gid < s.end(); ++gid) {
      const NodeId old = s.original_id(gid);
      ++owned_count[old];
      EXPECT_EQ(old_to_new[old], gid);                 // renumbering round-trips
      EXPECT_EQ(s.Key(gid), g.Key(old));               // keys follow their nodes
      EXPECT_EQ(s.owner(gid), p);
      EXPECT_EQ(s.degree(gid), g.degree(old));
      const auto nbrs = s.out_neighbors(gid);
      const EdgeIdx base = s.row_ptr()[gid - s.begin()];
      for (size_t i = 0; i < nbrs.size(); ++i) {
        const NodeId u = nbrs[i];
        const int32_t owner = s.owner(u);
        EXPECT_EQ(owner, OwnerOf(s.offsets(), u));
        if (owner != p) expected_halo.insert(u);
        const NodeId old_u = new_to_old[u];
        entries.insert({old, s.edge_relation()[base + i], old_u, s.edge_weight()[base + i]});
        if (i > 0) {  // rows in graph order: (relation, ORIGINAL neighbour id)
          EXPECT_LE(std::tie(s.edge_relation()[base + i - 1], new_to_old[nbrs[i - 1]]),
                    std::tie(s.edge_relation()[base + i], old_u));
        }
      }
      const bool is_seed = std::binary_search(s.seeds().begin(), s.seeds().end(), gid);
      const auto [lo, hi] = g.RelationRange(old, listened);
      EXPECT_EQ(is_seed, hi > lo) << g.Key(old);
    }
    EXPECT_EQ(std::vector<NodeId>(s.halo().begin(), s.halo().end()),
              std::vector<NodeId>(expected_halo.begin(), expected_halo.end()))
        << "part " << p;
  }
  for (NodeId v = 0; v < g.num_nodes(); ++v) EXPECT_EQ(owned_count[v], 1) << "node " << v;
  EXPECT_EQ(entries, GraphEntries(g));  // union of shards == graph (edges, relations, weights)
}

TEST(ShardWriter, metis_shards_reassemble_the_graph_with_exact_halos) {
  TempDir tmp;
  const Graph g = TwoCommunities();
  const proto::PartitionManifest m = PartitionGraph(g, ShardOptions(2, PartitionMethod::kMetis), tmp.File("p"));
  CheckPartition(g, tmp.File("p"), 2);
  // Bridge b -- c: each part's halo is exactly the other end.
  EXPECT_EQ(m.quality().halo_nodes(), 2);
  EXPECT_EQ(m.quality().edge_cut(), 1);
  const PartitionShard s0 = LoadShard(tmp.File("p"), 0);
  ASSERT_EQ(s0.halo().size(), 1u);
  const int32_t halo_owner = s0.owner(s0.halo()[0]);
  EXPECT_EQ(halo_owner, 1);
}

TEST(ShardWriter, hash_renumbering_is_contiguous_and_keeps_order) {
  TempDir tmp;
  const Graph g = TwoCommunities();
  PartitionGraph(g, ShardOptions(2, PartitionMethod::kHash), tmp.File("p"));
  const proto::PartitionManifest m = LoadPartitionManifest(tmp.File("p"));
  EXPECT_EQ(std::vector<int64_t>(m.offsets().begin(), m.offsets().end()), (std::vector<int64_t>{0, 3, 6}));
  const PartitionShard s1 = LoadShard(tmp.File("p"), 1);
  // part 1 owns old ids 1 (y), 3 (b), 5 (d) as new ids 3, 4, 5.
  EXPECT_EQ(s1.original_id(3), 1);
  EXPECT_EQ(s1.original_id(5), 5);
  EXPECT_EQ(s1.Key(4), "user:b");
  EXPECT_EQ(std::vector<NodeId>(s1.seeds().begin(), s1.seeds().end()), (std::vector<NodeId>{4, 5}));
  CheckPartition(g, tmp.File("p"), 2);
}

TEST(ShardWriter, every_method_and_k_reassembles_a_planted_graph) {
  TempDir tmp;
  const Graph g = PlantedCommunities(3, 20, 10, 5);
  for (const auto method : {PartitionMethod::kMetis, PartitionMethod::kHash, PartitionMethod::kLdg}) {
    for (const int32_t k : {1, 3, 4}) {
      SCOPED_TRACE(std::string(ToString(method)) + " K=" + std::to_string(k));
      const std::string dir = tmp.File(std::string(ToString(method)) + std::to_string(k));
      PartitionGraph(g, ShardOptions(k, method), dir);
      CheckPartition(g, dir, k);
    }
  }
}

TEST(ShardWriter, same_seed_writes_identical_manifests_modulo_timing) {
  TempDir tmp;
  const Graph g = PlantedCommunities(3, 30, 10, 9);
  for (const auto method : {PartitionMethod::kMetis, PartitionMethod::kLdg}) {
    auto a = PartitionGraph(g, ShardOptions(3, method), tmp.File("a"));
    auto b = PartitionGraph(g, ShardOptions(3, method), tmp.File("b"));
    for (auto* m : {&a, &b}) {
      m->mutable_quality()->clear_partition_seconds();
      m->mutable_quality()->clear_total_seconds();
      m->mutable_quality()->clear_peak_rss_bytes();
    }
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString()) << ToString(method);
  }
}

TEST(PartitionView, owner_is_a_binary_search_over_offsets_with_empty_ranges) {
  const std::vector<int64_t> offsets = {0, 2, 2, 5};
  EXPECT_EQ(OwnerOf(offsets, 0), 0);
  EXPECT_EQ(OwnerOf(offsets, 1), 0);
  EXPECT_EQ(OwnerOf(offsets, 2), 2);
  EXPECT_EQ(OwnerOf(offsets, 4), 2);
}

TEST(PartitionView, missing_directory_is_an_io_error) {
  TempDir tmp;
  EXPECT_THROW(LoadPartitionManifest(tmp.File("nope")), IoError);
  EXPECT_THROW(LoadPartitionManifest(tmp.path()), IoError);  // a directory without manifest
}

TEST(PartitionView, corrupt_manifest_is_a_format_error_naming_the_file) {
  TempDir tmp;
  PartitionGraph(TwoCommunities(), ShardOptions(2, PartitionMethod::kHash), tmp.File("p"));
  testing::WriteFile(tmp.File("p/manifest.pb"), "this is not a protobuf \xff\xff\xff");
  try {
    LoadPartitionManifest(tmp.File("p"));
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.pb"), std::string::npos) << e.what();
  }
}

TEST(PartitionView, inconsistent_offsets_are_a_format_error) {
  TempDir tmp;
  auto m = PartitionGraph(TwoCommunities(), ShardOptions(2, PartitionMethod::kHash), tmp.File("p"));
  m.set_offsets(1, 4);  // part counts no longer match
  testing::WriteFile(tmp.File("p/manifest.pb"), m.SerializeAsString());
  try {
    LoadPartitionManifest(tmp.File("p"));
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("part 0 node count disagrees"), std::string::npos) << e.what();
  }
  m.set_num_parts(0);
  testing::WriteFile(tmp.File("p/manifest.pb"), m.SerializeAsString());
  EXPECT_THROW(LoadPartitionManifest(tmp.File("p")), FormatError);
}

TEST(PartitionView, truncated_or_altered_shard_files_are_format_errors) {
  TempDir tmp;
  PartitionGraph(TwoCommunities(), ShardOptions(2, PartitionMethod::kHash), tmp.File("p"));
  const std::string col = tmp.File("p/part-00001/col_idx.bin");
  std::string bytes = testing::ReadFile(col);
  testing::WriteFile(col, bytes.substr(0, bytes.size() - 4));
  try {
    LoadShard(tmp.File("p"), 1);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("part-00001/col_idx.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("manifest says"), std::string::npos) << e.what();
  }
  bytes[0] = static_cast<char>(bytes[0] ^ 1);
  testing::WriteFile(col, bytes);
  try {
    LoadShard(tmp.File("p"), 1);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("CRC-32"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(LoadShard(tmp.File("p"), 0));
  EXPECT_THROW(LoadShard(tmp.File("p"), 2), UsageError);
}

}  // namespace
}  // namespace melograph
