// Fuzz target: the partition directory loader (partition/partition_view.h) through its manifest.
//
// Input: the bytes of manifest.pb (binary proto::PartitionManifest). The shards beside it are
// the committed fixture fuzz/fixtures/partition (the graph fixture split into 2 parts by
// `melograph partition --method hash`), so a mutated manifest meets real shard files.
// Contract checked: LoadPartitionManifest returns or throws a melograph::Error; when it
// accepts, LoadShard (no CRC check, so sizes and array validation are what stands between a
// lying manifest and the accessors) and LoadOldToNew return or throw a melograph::Error, and an
// accepted shard is consistent: owned range inside [0, num_nodes), every neighbour's owner in
// [0, K), halo ids remote and in range, one key per owned node.
#include <algorithm>

#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "partition/partition_view.h"

namespace melograph::fuzz {
namespace {

void CheckShard(const PartitionShard& s) {
  if (s.begin() < 0 || s.begin() > s.end() || s.end() > s.num_nodes_total())
    Violation("partition: owned range outside the node count");
  for (NodeId g = s.begin(); g < s.end(); ++g) {
    for (const NodeId u : s.out_neighbors(g)) {
      if (u < 0 || u >= s.num_nodes_total()) Violation("partition: neighbour out of range");
      const int32_t owner = s.owner(u);
      if (owner < 0 || owner >= s.num_parts()) Violation("partition: owner out of range");
    }
    (void)s.Key(g);
    (void)s.original_id(g);
  }
  for (const NodeId h : s.halo())
    if (h < 0 || h >= s.num_nodes_total() || s.owns(h)) Violation("partition: bad halo id");
}

}  // namespace

void FuzzPartitionManifest(std::string_view data) {
  const std::string dir = FixtureCopy("partition");
  WriteScratch("fixture_partition/manifest.pb", data);
  proto::PartitionManifest manifest;
  if (!AcceptsOrRejects([&] { manifest = LoadPartitionManifest(dir); })) return;
  const int64_t parts = std::min<int64_t>(manifest.num_parts(), 4);
  for (int32_t p = 0; p < parts; ++p) {
    PartitionShard shard;
    if (AcceptsOrRejects([&] { shard = LoadShard(dir, p, /*verify_checksums=*/false); })) CheckShard(shard);
  }
  AcceptsOrRejects([&] {
    const ArrayRef<NodeId> old_to_new = LoadOldToNew(dir, manifest);
    for (const NodeId g : old_to_new.span())
      if (g < 0 || g >= static_cast<NodeId>(manifest.num_nodes())) Violation("partition: old_to_new out of range");
  });
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzPartitionManifest)
