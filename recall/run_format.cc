// Run directories, write side: graph fingerprint, RunShardWriter and FinalizeRun (contract in
// recall/run_format.h, file list in docs/RUN_FORMAT.md). The read side is recall/run_reader.cc.
#include "recall/run_format.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/error.h"
#include "common/hash.h"
#include "recall/run_manifest_io.h"

namespace melograph {
namespace {

using run_io::FillHeader;
using run_io::Hex;
using run_io::InfoFromHeader;
using run_io::ReadProto;
using run_io::ShardFromProto;
using run_io::ShardName;
using run_io::WriteProto;

static_assert(std::endian::native == std::endian::little, "run files are little-endian");

// Index of the type owning `node` in a begin-ordered type table, or -1.
int TypeIndexOf(const std::vector<NodeType>& types, NodeId node) {
  for (size_t t = 0; t < types.size(); ++t) {
    if (node >= types[t].begin && node - types[t].begin < types[t].count)
      return static_cast<int>(t);
  }
  return -1;
}

}  // namespace

int64_t RunShardInfo::RowsOf(const std::string& node_type) const {
  for (const auto& [name, rows] : type_rows) {
    if (name == node_type) return rows;
  }
  return 0;
}

uint64_t GraphFingerprint(const Graph& graph) {
  uint64_t h = HashCombine(0x6d656c6f67726170ULL, static_cast<uint64_t>(graph.num_nodes()),
                           static_cast<uint64_t>(graph.num_edges()));
  for (const NodeType& t : graph.node_types()) {
    h = HashCombine(h, HashBytes(t.name), static_cast<uint64_t>(t.begin),
                    static_cast<uint64_t>(t.count));
    const int64_t samples = std::min<int64_t>(t.count, 64);
    for (int64_t j = 0; j < samples; ++j) {
      const int64_t local =
          samples == 1 ? 0 : (static_cast<int64_t>(t.count) - 1) * j / (samples - 1);
      h = HashCombine(h, HashBytes(graph.KeyId(t.begin + static_cast<NodeId>(local))));
    }
  }
  for (const Relation& r : graph.relations()) {
    h = HashCombine(h, HashBytes(r.name), r.head_type, r.tail_type,
                    static_cast<uint64_t>(r.edge_count));
  }
  return h;
}

uint32_t GraphManifestCrc32(const std::string& graph_dir) {
  if (graph_dir.empty()) return 0;
  const std::string path = JoinPath(graph_dir, "manifest.pb");
  return PathExists(path) ? Crc32File(path) : 0;
}

RunInfo RunInfo::ForGraph(const Graph& graph, const std::string& graph_dir, int dim,
                          int num_shards) {
  RunInfo info;
  info.dim = dim;
  info.num_shards = num_shards;
  info.graph_dir = graph_dir;
  info.graph_manifest_crc32 = GraphManifestCrc32(graph_dir);
  info.graph_fingerprint = GraphFingerprint(graph);
  info.graph_num_nodes = graph.num_nodes();
  info.graph_num_edges = graph.num_edges();
  info.node_types = graph.node_types();
  return info;
}

// ---------------------------------------------------------------- writer

RunShardWriter::RunShardWriter(std::string run_dir, int shard, const RunInfo& info, int rank)
    : run_dir_(std::move(run_dir)), shard_(shard), rank_(rank < 0 ? shard : rank), info_(info) {
  if (info_.dim <= 0) throw UsageError("run shard writer: dimension must be positive");
  if (shard < 0 || shard >= info_.num_shards) {
    throw UsageError("run shard writer: shard " + std::to_string(shard) + " outside [0, " +
                     std::to_string(info_.num_shards) + ")");
  }
  MakeDirectories(JoinPath(run_dir_, "embeddings"));
  type_rows_.assign(info_.node_types.size(), 0);
  ids_ = std::make_unique<AtomicFile>(JoinPath(run_dir_, ShardName(shard_, ".ids")));
  values_ = std::make_unique<AtomicFile>(JoinPath(run_dir_, ShardName(shard_, ".f32")));
}

RunShardWriter::~RunShardWriter() = default;

void RunShardWriter::Add(NodeId node, std::span<const float> row) {
  if (committed_) throw UsageError("run shard writer: Add after Commit");
  if (static_cast<int64_t>(row.size()) != info_.dim) {
    throw UsageError("run shard writer: row of node " + std::to_string(node) + " has " +
                     std::to_string(row.size()) + " values, dimension is " +
                     std::to_string(info_.dim));
  }
  const int t = TypeIndexOf(info_.node_types, node);
  if (node < 0 || node >= info_.graph_num_nodes || t < 0) {
    throw UsageError("run shard writer: node id " + std::to_string(node) + " outside the graph");
  }
  for (float x : row) {
    if (!std::isfinite(x))
      throw UsageError("run shard writer: non-finite value in row of node " + std::to_string(node));
  }
  ids_->Write(&node, sizeof node);
  values_->Write(row.data(), row.size() * sizeof(float));
  ++type_rows_[static_cast<size_t>(t)];
  ++rows_;
}

void RunShardWriter::Commit() {
  if (committed_) return;
  ids_->Commit();  // flushes: sizes and CRC-32s are final only now
  values_->Commit();
  proto::RunShardManifest m;
  FillHeader(info_, *m.mutable_header());
  auto* s = m.mutable_shard();
  s->set_index(shard_);
  s->set_rank(rank_);
  s->set_rows(rows_);
  s->mutable_ids()->set_name(ShardName(shard_, ".ids"));
  s->mutable_ids()->set_bytes(ids_->bytes_written());
  s->mutable_ids()->set_crc32(ids_->crc32());
  s->mutable_values()->set_name(ShardName(shard_, ".f32"));
  s->mutable_values()->set_bytes(values_->bytes_written());
  s->mutable_values()->set_crc32(values_->crc32());
  std::vector<size_t> order(info_.node_types.size());
  for (size_t t = 0; t < order.size(); ++t) order[t] = t;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return info_.node_types[a].name < info_.node_types[b].name;
  });
  for (size_t t : order) {
    if (type_rows_[t] == 0) continue;
    auto* tr = s->add_type_rows();
    tr->set_node_type(info_.node_types[t].name);
    tr->set_rows(type_rows_[t]);
  }
  WriteProto(JoinPath(run_dir_, ShardName(shard_, ".pb")), m);
  committed_ = true;
}

void FinalizeRun(const std::string& run_dir, const RunInfo& info) {
  proto::RunManifest manifest;
  FillHeader(info, *manifest.mutable_header());
  std::vector<std::pair<std::string, int64_t>> totals;
  int64_t total_rows = 0;
  for (int k = 0; k < info.num_shards; ++k) {
    const std::string path = JoinPath(run_dir, ShardName(k, ".pb"));
    if (!PathExists(path)) {
      throw FormatError(path + ": missing (shard " + std::to_string(k) + " of " +
                        std::to_string(info.num_shards) + " was not written)");
    }
    proto::RunShardManifest sm;
    ReadProto(path, sm);
    const RunInfo shard_info = InfoFromHeader(sm.header(), path);
    if (shard_info.dim != info.dim) {
      throw FormatError(path + ": dimension " + std::to_string(shard_info.dim) +
                        " but the run has " + std::to_string(info.dim));
    }
    if (shard_info.graph_fingerprint != info.graph_fingerprint ||
        shard_info.num_shards != info.num_shards || sm.shard().index() != k) {
      throw FormatError(path + ": written for another run (graph, shard count or index differ)");
    }
    const int64_t rows = sm.shard().rows();
    for (const auto& [name, bytes] : {std::pair{sm.shard().ids().name(), rows * 4},
                                      std::pair{sm.shard().values().name(), rows * info.dim * 4}}) {
      const std::string data_path = JoinPath(run_dir, name);
      if (!PathExists(data_path)) throw FormatError(data_path + ": missing");
      if (FileSize(data_path) != bytes) {
        throw FormatError(data_path + ": size " + std::to_string(FileSize(data_path)) +
                          " bytes, expected " + std::to_string(bytes) +
                          ": truncated or wrong dimension");
      }
    }
    for (const auto& tr : sm.shard().type_rows()) {
      auto it = std::find_if(totals.begin(), totals.end(),
                             [&](const auto& p) { return p.first == tr.node_type(); });
      if (it == totals.end())
        totals.emplace_back(tr.node_type(), tr.rows());
      else
        it->second += tr.rows();
    }
    total_rows += rows;
    *manifest.add_shards() = sm.shard();
  }
  std::sort(totals.begin(), totals.end());
  for (const auto& [name, rows] : totals) {
    auto* tr = manifest.add_type_rows();
    tr->set_node_type(name);
    tr->set_rows(rows);
  }
  manifest.set_total_rows(total_rows);
  WriteProto(JoinPath(run_dir, "manifest.pb"), manifest);
}

}  // namespace melograph
