// Partition directory reader (see partition_view.h).
#include "partition/partition_view.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "common/file_util.h"
#include "partition/renumbering.h"
#include "partition/shard_writer.h"

namespace melograph {
namespace {

[[noreturn]] void Corrupt(const std::string& file, const std::string& why) {
  throw FormatError(file + ": corrupt partition: " + why);
}

// Maps one listed file, checking its size against the manifest entry and `elem` bytes each.
template <typename T>
ArrayRef<T> MapArray(const std::string& dir, const proto::PartitionFile& entry, int64_t expected_count,
                     bool verify) {
  const std::string path = JoinPath(dir, entry.name());
  if (!PathExists(path)) Corrupt(path, "file listed in the manifest is missing");
  auto file = std::make_shared<MappedFile>(path);
  if (static_cast<int64_t>(file->size()) != entry.bytes())
    Corrupt(path, "size " + std::to_string(file->size()) + " bytes, manifest says " + std::to_string(entry.bytes()));
  if (expected_count >= 0 && static_cast<int64_t>(file->size()) != expected_count * static_cast<int64_t>(sizeof(T)))
    Corrupt(path, "size " + std::to_string(file->size()) + " bytes, expected " + std::to_string(expected_count) +
                      " elements of " + std::to_string(sizeof(T)) + " bytes");
  if (file->size() % sizeof(T) != 0) Corrupt(path, "size is not a multiple of " + std::to_string(sizeof(T)));
  if (verify && Crc32(file->data(), file->size()) != entry.crc32()) Corrupt(path, "CRC-32 mismatch");
  const T* data = static_cast<const T*>(file->data());
  std::span<const T> view(data, file->size() / sizeof(T));
  return ArrayRef<T>(view, std::shared_ptr<const void>(file, file.get()));
}

const proto::PartitionFile& FindFile(const std::string& dir, const proto::PartitionPart& part,
                                     const std::string& name) {
  for (const auto& f : part.files())
    if (f.name() == name) return f;
  Corrupt(JoinPath(dir, kPartitionManifestName), "no entry for " + name);
}

const proto::PartitionFile& FindSharedFile(const std::string& dir, const proto::PartitionManifest& m,
                                           const std::string& name) {
  for (const auto& f : m.files())
    if (f.name() == name) return f;
  Corrupt(JoinPath(dir, kPartitionManifestName), "no entry for " + name);
}

}  // namespace

proto::PartitionManifest LoadPartitionManifest(const std::string& dir) {
  if (!IsDirectory(dir)) throw IoError("cannot read partition directory " + dir + ": not a directory");
  const std::string path = JoinPath(dir, kPartitionManifestName);
  if (!PathExists(path)) throw IoError("cannot read " + path + ": no such file (not a partition directory?)");
  const std::string bytes = ReadWholeFile(path);
  proto::PartitionManifest m;
  if (!m.ParseFromString(bytes)) Corrupt(path, "manifest is not a valid PartitionManifest message");
  if (m.version().tool() != "melograph") Corrupt(path, "manifest was not written by melograph");
  if (m.version().major() != kPartitionFormatMajor)
    Corrupt(path, "format version " + std::to_string(m.version().major()) + " is not supported (expected " +
                      std::to_string(kPartitionFormatMajor) + ")");
  const int64_t k = m.num_parts();
  if (k < 1) Corrupt(path, "num_parts is 0");
  if (m.offsets_size() != k + 1)
    Corrupt(path, std::to_string(m.offsets_size()) + " offsets for " + std::to_string(k) + " parts");
  if (m.offsets(0) != 0 || m.offsets(static_cast<int>(k)) != m.num_nodes())
    Corrupt(path, "offsets do not run from 0 to num_nodes " + std::to_string(m.num_nodes()));
  if (m.parts_size() != k) Corrupt(path, std::to_string(m.parts_size()) + " part entries for " + std::to_string(k) + " parts");
  for (int p = 0; p < k; ++p) {
    if (m.offsets(p + 1) < m.offsets(p)) Corrupt(path, "offsets decrease at part " + std::to_string(p));
    if (m.parts(p).nodes() != m.offsets(p + 1) - m.offsets(p))
      Corrupt(path, "part " + std::to_string(p) + " node count disagrees with its offsets");
  }
  return m;
}

int32_t PartitionShard::owner(NodeId g) const { return OwnerOf(offsets(), g); }

int64_t PartitionShard::ReplicaIndex(NodeId g) const {
  const std::span<const NodeId> ids = replica_ids_.span();
  const auto it = std::lower_bound(ids.begin(), ids.end(), g);
  return it != ids.end() && *it == g ? it - ids.begin() : -1;
}

PartitionShard LoadShard(const std::string& dir, int32_t part, bool verify_checksums) {
  auto manifest = std::make_shared<proto::PartitionManifest>(LoadPartitionManifest(dir));
  if (part < 0 || part >= static_cast<int64_t>(manifest->num_parts()))
    throw UsageError("part " + std::to_string(part) + " out of range: the partition in " + dir + " has " +
                     std::to_string(manifest->num_parts()) + " parts");
  const proto::PartitionPart& pp = manifest->parts(part);
  const std::string sub = ShardDirName(part) + "/";
  auto file = [&](const char* name) -> const proto::PartitionFile& { return FindFile(dir, pp, sub + name); };
  PartitionShard s;
  s.part_ = part;
  s.begin_ = static_cast<NodeId>(manifest->offsets(part));
  s.end_ = static_cast<NodeId>(manifest->offsets(part + 1));
  const int64_t owned = s.end_ - s.begin_;
  s.row_ptr_ = MapArray<EdgeIdx>(dir, file("row_ptr.bin"), owned + 1, verify_checksums);
  s.col_idx_ = MapArray<NodeId>(dir, file("col_idx.bin"), pp.edges(), verify_checksums);
  s.edge_relation_ = MapArray<RelationId>(dir, file("edge_relation.bin"), pp.edges(), verify_checksums);
  s.edge_weight_ = MapArray<float>(dir, file("edge_weight.bin"), pp.edges(), verify_checksums);
  s.original_id_ = MapArray<NodeId>(dir, file("original_id.bin"), owned, verify_checksums);
  s.key_offsets_ = MapArray<int64_t>(dir, file("key_offsets.bin"), owned + 1, verify_checksums);
  s.keys_ = MapArray<char>(dir, file("keys.bin"), -1, verify_checksums);
  s.halo_ = MapArray<NodeId>(dir, file("halo.bin"), pp.halo_nodes(), verify_checksums);
  s.seeds_ = MapArray<NodeId>(dir, file("seeds.bin"), pp.seeds(), verify_checksums);

  const std::string where = JoinPath(dir, sub);
  const int64_t n = manifest->num_nodes();
  if (s.row_ptr_[0] != 0 || s.row_ptr_[static_cast<size_t>(owned)] != pp.edges())
    Corrupt(where + "row_ptr.bin", "does not run from 0 to the entry count");
  for (int64_t i = 0; i < owned; ++i)
    if (s.row_ptr_[i + 1] < s.row_ptr_[i]) Corrupt(where + "row_ptr.bin", "decreases at row " + std::to_string(i));
  for (const NodeId u : s.col_idx_)
    if (u < 0 || u >= n) Corrupt(where + "col_idx.bin", "neighbour id " + std::to_string(u) + " out of range");
  for (const RelationId r : s.edge_relation_)
    if (r >= manifest->relations_size()) Corrupt(where + "edge_relation.bin", "relation id " + std::to_string(r) + " out of range");
  for (const NodeId v : s.original_id_)
    if (v < 0 || v >= n) Corrupt(where + "original_id.bin", "node id " + std::to_string(v) + " out of range");
  if (s.key_offsets_[0] != 0 || s.key_offsets_[static_cast<size_t>(owned)] != static_cast<int64_t>(s.keys_.size()))
    Corrupt(where + "key_offsets.bin", "does not run from 0 to the size of keys.bin");
  for (int64_t i = 0; i < owned; ++i)
    if (s.key_offsets_[i + 1] < s.key_offsets_[i]) Corrupt(where + "key_offsets.bin", "decreases at node " + std::to_string(i));
  for (size_t i = 0; i < s.halo_.size(); ++i) {
    const NodeId u = s.halo_[i];
    if (u < 0 || u >= n || (u >= s.begin_ && u < s.end_) || (i > 0 && s.halo_[i - 1] >= u))
      Corrupt(where + "halo.bin", "entry " + std::to_string(i) + " is not a sorted remote node id");
  }
  for (const NodeId g : s.seeds_)
    if (g < s.begin_ || g >= s.end_) Corrupt(where + "seeds.bin", "seed " + std::to_string(g) + " is not owned");

  // Hub replicas, shared by all parts.
  const int64_t r = manifest->replication().nodes(), re = manifest->replication().entries();
  if (r < 0 || r > n || re < 0 || re > manifest->num_edges())
    Corrupt(JoinPath(dir, kPartitionManifestName), "replication counts out of range");
  if (r > 0) {
    const std::string rsub = std::string(kReplicaDirName) + "/";
    auto shared = [&](const char* name) -> const proto::PartitionFile& {
      return FindSharedFile(dir, *manifest, rsub + name);
    };
    s.replica_ids_ = MapArray<NodeId>(dir, shared("ids.bin"), r, verify_checksums);
    s.replica_original_id_ = MapArray<NodeId>(dir, shared("original_id.bin"), r, verify_checksums);
    s.replica_row_ptr_ = MapArray<EdgeIdx>(dir, shared("row_ptr.bin"), r + 1, verify_checksums);
    s.replica_col_idx_ = MapArray<NodeId>(dir, shared("col_idx.bin"), re, verify_checksums);
    s.replica_edge_relation_ = MapArray<RelationId>(dir, shared("edge_relation.bin"), re, verify_checksums);
    s.replica_edge_weight_ = MapArray<float>(dir, shared("edge_weight.bin"), re, verify_checksums);
    const std::string rwhere = JoinPath(dir, rsub);
    for (int64_t i = 0; i < r; ++i) {
      const NodeId g = s.replica_ids_[i];
      if (g < 0 || g >= n || (i > 0 && s.replica_ids_[i - 1] >= g))
        Corrupt(rwhere + "ids.bin", "entry " + std::to_string(i) + " is not a sorted node id");
      const NodeId v = s.replica_original_id_[i];
      if (v < 0 || v >= n) Corrupt(rwhere + "original_id.bin", "node id " + std::to_string(v) + " out of range");
    }
    if (s.replica_row_ptr_[0] != 0 || s.replica_row_ptr_[static_cast<size_t>(r)] != re)
      Corrupt(rwhere + "row_ptr.bin", "does not run from 0 to the entry count");
    for (int64_t i = 0; i < r; ++i)
      if (s.replica_row_ptr_[i + 1] < s.replica_row_ptr_[i])
        Corrupt(rwhere + "row_ptr.bin", "decreases at row " + std::to_string(i));
    for (const NodeId u : s.replica_col_idx_)
      if (u < 0 || u >= n) Corrupt(rwhere + "col_idx.bin", "neighbour id " + std::to_string(u) + " out of range");
    for (const RelationId rel : s.replica_edge_relation_)
      if (rel >= manifest->relations_size())
        Corrupt(rwhere + "edge_relation.bin", "relation id " + std::to_string(rel) + " out of range");
  }
  s.manifest_ = std::move(manifest);
  return s;
}

ArrayRef<NodeId> LoadOldToNew(const std::string& dir, const proto::PartitionManifest& manifest) {
  return MapArray<NodeId>(dir, FindSharedFile(dir, manifest, "old_to_new.bin"), manifest.num_nodes(), true);
}

}  // namespace melograph
