// Hub replication: which nodes are copied (exact on a drawable graph), what the partition
// directory holds for them (the owners' rows, byte for byte), what it does to the remote
// sample fraction, and how damaged replica files are reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "common/file_util.h"
#include "partition/hub_replication.h"
#include "partition/partition_pipeline.h"
#include "partition/partition_view.h"
#include "tests/partition/partition_fixtures.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::PlantedCommunities;
using testing::TempDir;
using testing::TwoCommunities;

PartitionOptions ReplicaOptions(int32_t k, PartitionMethod method, double fraction) {
  PartitionOptions o;
  o.num_parts = k;
  o.method = method;
  o.sample_roots = 300;
  o.replicate_fraction = fraction;
  return o;
}

// TwoCommunities ids: x=0 y=1 a=2 b=3 c=4 d=5; the bridge b -- c.
const Assignment kBridgeSplit = {0, 1, 0, 0, 1, 1};  // {x, a, b} | {y, c, d}

TEST(HubReplication, degree_order_is_exact_on_a_drawable_graph) {
  const Graph g = TwoCommunities();
  PartitionOptions o = ReplicaOptions(2, PartitionMethod::kMetis, 0.34);
  o.replicate_by = ReplicateBy::kDegree;
  // Degrees: b and c 3 (listened + two friends), every other node 2; ties by lower id.
  EXPECT_EQ(ReplicaOrder(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<NodeId>{3, 4, 0, 1, 2, 5}));
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<uint8_t>{0, 0, 0, 1, 1, 0}));
}

TEST(HubReplication, pick_order_counts_remote_picks_exactly) {
  // Every degree is below the fanout 10, so every sample takes every entry and the counts are
  // exact: per draw, c is picked remotely from a (hop 2) and b (hop 1); b from c (hop 1) and d
  // (hop 2); y and d from b (hop 2); x and a from c (hop 2). Five draws each.
  const Graph g = TwoCommunities();
  PartitionOptions o = ReplicaOptions(2, PartitionMethod::kMetis, 0.34);
  o.replicate_by = ReplicateBy::kPicks;
  EXPECT_EQ(ReplicaOrder(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<NodeId>{3, 4, 0, 1, 2, 5}));
  // Only root a: c (hop 2) is its only remote pick.
  EXPECT_EQ(ReplicaOrder(g, kBridgeSplit, {2}, o), (std::vector<NodeId>{4}));
  // One part: nothing is ever remote, nothing is replicated.
  EXPECT_TRUE(ReplicaOrder(g, Assignment(6, 0), {2, 3, 4, 5}, o).empty());
  EXPECT_EQ(ChooseReplicas(g, Assignment(6, 0), {2, 3, 4, 5}, o), std::vector<uint8_t>(6, 0));
  // The fraction is a share of all nodes, rounded down: 0.2 * 6 = 1.2 -> one node.
  PartitionOptions one = o;
  one.replicate_fraction = 0.2;
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, one), (std::vector<uint8_t>{0, 0, 0, 1, 0, 0}));
}

TEST(HubReplication, picks_per_entry_order_and_the_entry_budget) {
  const Graph g = TwoCommunities();  // 14 CSR entries; b and c have 3, the others 2
  PartitionOptions o = ReplicaOptions(2, PartitionMethod::kMetis, 0.0);
  EXPECT_EQ(o.replicate_by, ReplicateBy::kPicksPerEntry);  // the default
  // Remote picks per draw / degree: b and c 2/3, every other node 1/2 (see above).
  EXPECT_EQ(ReplicaOrder(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<NodeId>{3, 4, 0, 1, 2, 5}));
  // Roots c and d: b is picked remotely from both (2 picks / 3 entries), x and a from c
  // (1 / 2 each): per entry, b comes first.
  EXPECT_EQ(ReplicaOrder(g, kBridgeSplit, {4, 5}, o), (std::vector<NodeId>{3, 0, 2}));
  // Budget 0.5 * 14 = 7 entries: b (3) and c (3) fit, x (2) would make 8 and so does every
  // later candidate.
  o.replicate_entries = 0.5;
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<uint8_t>{0, 0, 0, 1, 1, 0}));
  // Budget 0.6 * 14 = 8.4 -> 8: b, c and x; a node limit on top (0.34 * 6 -> 2) stops at two.
  o.replicate_entries = 0.6;
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<uint8_t>{1, 0, 0, 1, 1, 0}));
  o.replicate_fraction = 0.34;
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<uint8_t>{0, 0, 0, 1, 1, 0}));
  // A budget below the smallest row copies nothing; a too-big candidate is skipped, not final.
  o.replicate_fraction = 0.0;
  o.replicate_entries = 0.1;  // 1 entry
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), std::vector<uint8_t>(6, 0));
  o.replicate_entries = 0.15;  // 2 entries: b and c (3) are skipped, x (2) fits
  EXPECT_EQ(ChooseReplicas(g, kBridgeSplit, {2, 3, 4, 5}, o), (std::vector<uint8_t>{1, 0, 0, 0, 0, 0}));
}

TEST(HubReplication, replicas_hold_the_owners_rows_and_cut_remote_picks) {
  TempDir tmp;
  const Graph g = PlantedCommunities(4, 30, 4, 3);  // 4 artists per block: hubs
  for (const auto method : {PartitionMethod::kMetis, PartitionMethod::kHash}) {
    SCOPED_TRACE(std::string(ToString(method)));
    const std::string plain_dir = tmp.File(std::string(ToString(method)) + "-plain");
    const std::string rep_dir = tmp.File(std::string(ToString(method)) + "-rep");
    const proto::PartitionManifest plain = PartitionGraph(g, ReplicaOptions(4, method, 0.0), plain_dir);
    PartitionOptions ro = ReplicaOptions(4, method, 0.1);
    ro.replicate_by = ReplicateBy::kPicks;
    const proto::PartitionManifest m = PartitionGraph(g, ro, rep_dir);
    // Same partition; replication only changes what is copied and how picks count.
    EXPECT_EQ(std::vector<int64_t>(m.offsets().begin(), m.offsets().end()),
              std::vector<int64_t>(plain.offsets().begin(), plain.offsets().end()));
    EXPECT_EQ(plain.replication().nodes(), 0);
    EXPECT_FALSE(PathExists(plain_dir + "/replicas"));
    const auto expected_nodes = static_cast<int64_t>(std::floor(0.1 * g.num_nodes()));
    EXPECT_EQ(m.replication().nodes(), expected_nodes);
    EXPECT_EQ(m.replication().by(), "picks");
    EXPECT_DOUBLE_EQ(m.quality().remote_sample_fraction_without_replicas(), plain.quality().remote_sample_fraction());
    EXPECT_DOUBLE_EQ(plain.quality().remote_sample_fraction_without_replicas(), plain.quality().remote_sample_fraction());
    EXPECT_LT(m.quality().remote_sample_fraction(), 0.9 * plain.quality().remote_sample_fraction());

    const ArrayRef<NodeId> old_to_new = LoadOldToNew(rep_dir, m);
    int64_t entries = 0;
    for (int32_t p = 0; p < 4; ++p) {
      const PartitionShard s = LoadShard(rep_dir, p);
      ASSERT_EQ(static_cast<int64_t>(s.replica_ids().size()), expected_nodes);
      for (size_t i = 0; i < s.replica_ids().size(); ++i) {
        const NodeId gid = s.replica_ids()[i];
        EXPECT_EQ(s.ReplicaIndex(gid), static_cast<int64_t>(i));
        EXPECT_TRUE(s.HasRow(gid));
        EXPECT_EQ(old_to_new[s.replica_original_ids()[i]], gid);
        // The copy is the owner's row, entry for entry.
        const PartitionShard owner = LoadShard(rep_dir, s.owner(gid));
        const EdgeIdx ob = owner.row_ptr()[gid - owner.begin()], oe = owner.row_ptr()[gid - owner.begin() + 1];
        const EdgeIdx rb = s.replica_row_ptr()[i], re = s.replica_row_ptr()[i + 1];
        ASSERT_EQ(re - rb, oe - ob);
        for (EdgeIdx k = 0; k < re - rb; ++k) {
          EXPECT_EQ(s.replica_col_idx()[rb + k], owner.col_idx()[ob + k]);
          EXPECT_EQ(s.replica_edge_relation()[rb + k], owner.edge_relation()[ob + k]);
          EXPECT_EQ(s.replica_edge_weight()[rb + k], owner.edge_weight()[ob + k]);
        }
        if (p == 0) entries += re - rb;
      }
      // Nodes neither owned nor replicated have no row here.
      for (NodeId gid = 0; gid < g.num_nodes(); ++gid)
        EXPECT_EQ(s.HasRow(gid), s.owns(gid) || std::binary_search(s.replica_ids().begin(), s.replica_ids().end(), gid));
    }
    EXPECT_EQ(m.replication().entries(), entries);
    const std::string report = testing::ReadFile(rep_dir + "/report.txt");
    EXPECT_NE(report.find("replicated_nodes: " + std::to_string(expected_nodes) + "\n"), std::string::npos) << report;
    EXPECT_NE(report.find("remote_sample_fraction_without_replicas: "), std::string::npos) << report;
    EXPECT_NE(report.find("hub replicas: "), std::string::npos) << report;
    // By memory: the default order under an entry budget stays within it and still helps.
    PartitionOptions eo = ReplicaOptions(4, method, 0.0);
    eo.replicate_entries = 0.2;
    const proto::PartitionManifest e = PartitionGraph(g, eo, tmp.File(std::string(ToString(method)) + "-entries"));
    EXPECT_GT(e.replication().nodes(), 0);
    EXPECT_LE(e.replication().entries(), static_cast<int64_t>(0.2 * static_cast<double>(g.num_edges())));
    EXPECT_EQ(e.replication().by(), "picks-per-entry");
    EXPECT_LT(e.quality().remote_sample_fraction(), plain.quality().remote_sample_fraction());
  }
}

TEST(HubReplication, one_part_has_nothing_to_replicate_and_bad_fractions_are_refused) {
  TempDir tmp;
  const Graph g = TwoCommunities();
  const proto::PartitionManifest m = PartitionGraph(g, ReplicaOptions(1, PartitionMethod::kMetis, 0.5), tmp.File("p"));
  EXPECT_EQ(m.replication().nodes(), 0);
  EXPECT_EQ(LoadShard(tmp.File("p"), 0).replica_ids().size(), 0u);
  for (const double bad : {-0.1, 1.0, 2.0}) {
    try {
      PartitionGraph(g, ReplicaOptions(2, PartitionMethod::kMetis, bad), tmp.File("q"));
      FAIL() << bad;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--replicate must"), std::string::npos) << e.what();
    }
    PartitionOptions o = ReplicaOptions(2, PartitionMethod::kMetis, 0.0);
    o.replicate_entries = bad;
    try {
      PartitionGraph(g, o, tmp.File("q"));
      FAIL() << bad;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--replicate-entries must"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(PathExists(tmp.File("q")));
}

TEST(HubReplication, damaged_replica_files_are_format_errors_naming_the_file) {
  TempDir tmp;
  const Graph g = PlantedCommunities(2, 20, 8, 7);
  PartitionGraph(g, ReplicaOptions(2, PartitionMethod::kHash, 0.1), tmp.File("p"));
  ASSERT_NO_THROW(LoadShard(tmp.File("p"), 1));
  const std::string ids = tmp.File("p/replicas/ids.bin");
  std::string bytes = testing::ReadFile(ids);
  bytes[0] = static_cast<char>(bytes[0] ^ 1);
  testing::WriteFile(ids, bytes);
  try {
    LoadShard(tmp.File("p"), 1);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("replicas/ids.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CRC-32"), std::string::npos) << e.what();
  }
  // Without the checksum pass, the structural check still catches an unsorted id list.
  bytes[0] = static_cast<char>(bytes[0] ^ 1);  // back to the written ids
  std::string swapped = bytes;
  std::swap_ranges(swapped.begin(), swapped.begin() + 4, swapped.begin() + 4);  // first two ids swapped
  testing::WriteFile(ids, swapped);
  try {
    LoadShard(tmp.File("p"), 0, /*verify_checksums=*/false);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("replicas/ids.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a sorted node id"), std::string::npos) << e.what();
  }
  std::filesystem::remove(tmp.File("p/replicas/row_ptr.bin"));
  try {
    LoadShard(tmp.File("p"), 0, false);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("replicas/row_ptr.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace melograph
