// Writes one shard per part (see shard_writer.h).
#include "partition/shard_writer.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "partition/partition_types.h"

namespace melograph {
namespace {

class FileSet {
 public:
  FileSet(AtomicDirectory& dir, std::string prefix) : dir_(dir), prefix_(std::move(prefix)) {}
  AtomicFile& Open(const std::string& name) {
    files_.push_back(std::make_unique<AtomicFile>(dir_, prefix_ + name));
    names_.push_back(prefix_ + name);
    return *files_.back();
  }
  template <typename T>
  void Put(AtomicFile& f, const T& value) {
    f.Write(&value, sizeof value);
  }
  // Commits all files and records them.
  void Commit(google::protobuf::RepeatedPtrField<proto::PartitionFile>* out) {
    for (size_t i = 0; i < files_.size(); ++i) {
      files_[i]->Commit();
      proto::PartitionFile* e = out->Add();
      e->set_name(names_[i]);
      e->set_bytes(files_[i]->bytes_written());
      e->set_crc32(files_[i]->crc32());
    }
  }

 private:
  AtomicDirectory& dir_;
  std::string prefix_;
  std::vector<std::unique_ptr<AtomicFile>> files_;
  std::vector<std::string> names_;
};

// Writes node v's row in global ids, in the graph's row order (relation, then ORIGINAL neighbour
// id): a row then reads the same under every partition and in every copy, so a sampler's
// positional picks are partition- and replica-invariant. Calls seen(u) per neighbour; returns
// the entry count.
template <typename Seen>
int64_t PutRow(const Graph& graph, const Renumbering& r, NodeId v, FileSet& files, AtomicFile& f_col,
               AtomicFile& f_rel, AtomicFile& f_wgt, Seen&& seen) {
  const auto row_ptr = graph.row_ptr();
  const auto col_idx = graph.col_idx();
  const auto relation = graph.edge_relation();
  const auto weight = graph.edge_weight();
  for (EdgeIdx e = row_ptr[v]; e < row_ptr[v + 1]; ++e) {
    const NodeId u = r.old_to_new[col_idx[e]];
    files.Put(f_col, u);
    files.Put(f_rel, relation[e]);
    files.Put(f_wgt, weight[e]);
    seen(u);
  }
  return row_ptr[v + 1] - row_ptr[v];
}

}  // namespace

std::string ShardDirName(int32_t part) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "part-%05d", part);
  return buf;
}

void WriteShards(const Graph& graph, const Renumbering& r, const std::vector<uint8_t>& seeds,
                 const std::vector<uint8_t>& replicated, AtomicDirectory& dir, proto::PartitionManifest* manifest) {
  const int32_t k = static_cast<int32_t>(r.offsets.size()) - 1;
  int64_t total_halo = 0;
  std::vector<NodeId> halo;
  std::vector<bool> in_halo(static_cast<size_t>(graph.num_nodes()), false);
  for (int32_t p = 0; p < k; ++p) {
    const std::string sub = ShardDirName(p);
    MakeDirectories(dir.File(sub));
    FileSet files(dir, sub + "/");
    AtomicFile& f_row = files.Open("row_ptr.bin");
    AtomicFile& f_col = files.Open("col_idx.bin");
    AtomicFile& f_rel = files.Open("edge_relation.bin");
    AtomicFile& f_wgt = files.Open("edge_weight.bin");
    AtomicFile& f_orig = files.Open("original_id.bin");
    AtomicFile& f_koff = files.Open("key_offsets.bin");
    AtomicFile& f_keys = files.Open("keys.bin");
    AtomicFile& f_halo = files.Open("halo.bin");
    AtomicFile& f_seed = files.Open("seeds.bin");
    const int64_t begin = r.offsets[p], end = r.offsets[p + 1];
    int64_t entries = 0, key_bytes = 0;
    files.Put(f_row, entries);
    files.Put(f_koff, key_bytes);
    halo.clear();
    for (int64_t g = begin; g < end; ++g) {
      const NodeId v = r.new_to_old[g];
      entries += PutRow(graph, r, v, files, f_col, f_rel, f_wgt, [&](NodeId u) {
        if ((u < begin || u >= end) && !in_halo[u]) {
          in_halo[u] = true;
          halo.push_back(u);
        }
      });
      files.Put(f_row, entries);
      files.Put(f_orig, v);
      const std::string key = graph.Key(v);
      f_keys.Write(key);
      key_bytes += static_cast<int64_t>(key.size());
      files.Put(f_koff, key_bytes);
      if (seeds[v]) files.Put(f_seed, static_cast<NodeId>(g));
    }
    std::sort(halo.begin(), halo.end());
    for (const NodeId u : halo) in_halo[u] = false;
    for (const NodeId u : halo) files.Put(f_halo, u);
    proto::PartitionPart* part = manifest->mutable_parts(p);
    part->set_halo_nodes(static_cast<int64_t>(halo.size()));
    part->clear_files();
    files.Commit(part->mutable_files());
    total_halo += static_cast<int64_t>(halo.size());
  }
  manifest->mutable_quality()->set_halo_nodes(total_halo);
  FileSet shared(dir, "");
  AtomicFile& f_map = shared.Open("old_to_new.bin");
  f_map.Write(r.old_to_new.data(), r.old_to_new.size() * sizeof(NodeId));
  // Hub replicas, one copy for all parts (every rank maps it), in global id order.
  int64_t replica_nodes = 0, replica_entries = 0;
  if (std::find(replicated.begin(), replicated.end(), uint8_t{1}) != replicated.end()) {
    MakeDirectories(dir.File(kReplicaDirName));
    const std::string sub = std::string(kReplicaDirName) + "/";
    AtomicFile& f_ids = shared.Open(sub + "ids.bin");
    AtomicFile& f_orig = shared.Open(sub + "original_id.bin");
    AtomicFile& f_row = shared.Open(sub + "row_ptr.bin");
    AtomicFile& f_col = shared.Open(sub + "col_idx.bin");
    AtomicFile& f_rel = shared.Open(sub + "edge_relation.bin");
    AtomicFile& f_wgt = shared.Open(sub + "edge_weight.bin");
    shared.Put(f_row, replica_entries);
    for (NodeId g = 0; g < static_cast<NodeId>(r.new_to_old.size()); ++g) {
      const NodeId v = r.new_to_old[g];
      if (!replicated[v]) continue;
      shared.Put(f_ids, g);
      shared.Put(f_orig, v);
      replica_entries += PutRow(graph, r, v, shared, f_col, f_rel, f_wgt, [](NodeId) {});
      shared.Put(f_row, replica_entries);
      ++replica_nodes;
    }
  }
  manifest->mutable_replication()->set_nodes(replica_nodes);
  manifest->mutable_replication()->set_entries(replica_entries);
  manifest->clear_files();
  shared.Commit(manifest->mutable_files());
}

}  // namespace melograph
