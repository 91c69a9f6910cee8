// Run directories, read side: RunReader (manifest, graph check, id check, mapped shards) and
// LoadEmbeddings (contract in recall/run_format.h, checks listed in docs/RUN_FORMAT.md).
#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "recall/run_format.h"
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

// Checks a data file's size against the manifest and, when asked, its CRC-32; maps it.
MappedFile MapChecked(const std::string& path, int64_t expected_bytes, int64_t recorded_bytes,
                      uint32_t crc32, bool verify, const std::string& what) {
  if (!PathExists(path)) throw FormatError(path + ": missing");
  if (recorded_bytes != expected_bytes) {
    throw FormatError(path + ": manifest records " + std::to_string(recorded_bytes) +
                      " bytes but " + what + " needs " + std::to_string(expected_bytes) +
                      " (dimension or row count mismatch)");
  }
  const int64_t size = FileSize(path);
  if (size != expected_bytes) {
    throw FormatError(path + ": size " + std::to_string(size) + " bytes, expected " +
                      std::to_string(expected_bytes) + " (" + what +
                      "): truncated or wrong dimension");
  }
  MappedFile file(path);
  if (verify) {
    const uint32_t actual = Crc32(file.data(), file.size());
    if (actual != crc32) {
      throw FormatError(path + ": CRC-32 " + Hex(actual) + " does not match the manifest's " +
                        Hex(crc32) + " (corrupt file)");
    }
  }
  return file;
}

}  // namespace

// ---------------------------------------------------------------- reader

RunReader::RunReader(std::string run_dir) : run_dir_(std::move(run_dir)) {
  const std::string path = ManifestPath();
  if (!IsDirectory(run_dir_)) throw FormatError(run_dir_ + ": not a run directory (missing)");
  proto::RunManifest m;
  ReadProto(path, m);
  manifest_crc32_ = Crc32File(path);
  info_ = InfoFromHeader(m.header(), path);
  if (m.shards_size() != info_.num_shards) {
    throw FormatError(path + ": lists " + std::to_string(m.shards_size()) +
                      " shards, header says " + std::to_string(info_.num_shards));
  }
  for (int k = 0; k < m.shards_size(); ++k) {
    if (m.shards(k).index() != k)
      throw FormatError(path + ": shard " + std::to_string(k) + " is out of order");
    shards_.push_back(ShardFromProto(m.shards(k)));
  }
  for (const auto& tr : m.type_rows()) type_rows_.emplace_back(tr.node_type(), tr.rows());
}

std::string RunReader::ManifestPath() const { return JoinPath(run_dir_, "manifest.pb"); }

int64_t RunReader::RowsOf(const std::string& node_type) const {
  for (const auto& [name, rows] : type_rows_) {
    if (name == node_type) return rows;
  }
  return 0;
}

void RunReader::CheckGraph(const Graph& graph, const std::string& graph_dir) const {
  const uint32_t crc = GraphManifestCrc32(graph_dir);
  if (crc != 0 && info_.graph_manifest_crc32 != 0 && crc != info_.graph_manifest_crc32) {
    throw FormatError(ManifestPath() + ": run was trained on graph '" + info_.graph_dir +
                      "' (manifest CRC-32 " + Hex(info_.graph_manifest_crc32) + "), not on '" +
                      graph_dir + "' (manifest CRC-32 " + Hex(crc) + ")");
  }
  const uint64_t fingerprint = GraphFingerprint(graph);
  if (fingerprint != info_.graph_fingerprint) {
    throw FormatError(
        ManifestPath() + ": run was trained on a different graph ('" + info_.graph_dir + "', " +
        std::to_string(info_.graph_num_nodes) + " nodes, " + std::to_string(info_.graph_num_edges) +
        " edges, fingerprint " + Hex(info_.graph_fingerprint) + ") than the one given (" +
        std::to_string(graph.num_nodes()) + " nodes, " + std::to_string(graph.num_edges()) +
        " edges, fingerprint " + Hex(fingerprint) + ")");
  }
}

RunReader::Shard RunReader::OpenShard(int k, bool verify_checksums) const {
  const RunShardInfo& s = shards_.at(static_cast<size_t>(k));
  Shard shard;
  shard.dim = info_.dim;
  shard.ids_file = MapChecked(JoinPath(run_dir_, s.ids_name), s.rows * 4, s.ids_bytes, s.ids_crc32,
                              verify_checksums, std::to_string(s.rows) + " rows x 4 bytes");
  shard.values_file = MapChecked(
      JoinPath(run_dir_, s.values_name), s.rows * info_.dim * 4, s.values_bytes, s.values_crc32,
      verify_checksums,
      std::to_string(s.rows) + " rows x dim " + std::to_string(info_.dim) + " x 4 bytes");
  shard.ids = {static_cast<const NodeId*>(shard.ids_file.data()), static_cast<size_t>(s.rows)};
  shard.values = {static_cast<const float*>(shard.values_file.data()),
                  static_cast<size_t>(s.rows * info_.dim)};
  return shard;
}

void RunReader::CheckIds(const Graph& graph) const {
  std::vector<uint64_t> seen(static_cast<size_t>(graph.num_nodes()) / 64 + 1, 0);
  const auto& types = graph.node_types();
  for (const RunShardInfo& s : shards_) {
    const std::string path = JoinPath(run_dir_, s.ids_name);
    const MappedFile file = MapChecked(path, s.rows * 4, s.ids_bytes, s.ids_crc32, true,
                                       std::to_string(s.rows) + " rows x 4 bytes");
    const auto* ids = static_cast<const NodeId*>(file.data());
    std::vector<int64_t> per_type(types.size(), 0);
    for (int64_t i = 0; i < s.rows; ++i) {
      const NodeId v = ids[i];
      if (v < 0 || v >= graph.num_nodes()) {
        throw FormatError(path + ": row " + std::to_string(i) + ": node id " + std::to_string(v) +
                          " outside the graph's [0, " + std::to_string(graph.num_nodes()) + ")");
      }
      uint64_t& word = seen[static_cast<size_t>(v) / 64];
      const uint64_t bit = uint64_t{1} << (v % 64);
      if (word & bit) {
        throw FormatError(path + ": row " + std::to_string(i) + ": node " + graph.Key(v) + " (id " +
                          std::to_string(v) + ") already has a row in this or an earlier shard");
      }
      word |= bit;
      ++per_type[graph.TypeOf(v)];
    }
    for (size_t t = 0; t < types.size(); ++t) {
      if (per_type[t] != s.RowsOf(types[t].name)) {
        throw FormatError(path + ": holds " + std::to_string(per_type[t]) + " rows of node type '" +
                          types[t].name + "', the manifest says " +
                          std::to_string(s.RowsOf(types[t].name)));
      }
    }
  }
}

EmbeddingMatrix LoadEmbeddings(const std::string& run_dir, const Graph& graph,
                               const std::string& node_type) {
  const RunReader reader(run_dir);
  reader.CheckGraph(graph);
  const auto type = graph.FindType(node_type);
  if (!type) throw UsageError("graph has no node type '" + node_type + "'");
  const NodeType& t = graph.node_types()[*type];
  EmbeddingMatrix m;
  m.node_type = node_type;
  m.first_node = t.begin;
  m.rows = t.count;
  m.dim = reader.dim();
  if (reader.RowsOf(node_type) == 0) {
    std::string present;
    for (const auto& [name, rows] : reader.type_rows())
      present += (present.empty() ? "" : ", ") + name;
    throw FormatError(reader.ManifestPath() + ": run has no rows of node type '" + node_type +
                      "' (types present: " + present + ")");
  }
  m.values.assign(static_cast<size_t>(m.rows) * static_cast<size_t>(m.dim), 0.0f);
  std::vector<uint8_t> filled(static_cast<size_t>(m.rows), 0);
  for (int k = 0; k < static_cast<int>(reader.shards().size()); ++k) {
    const RunReader::Shard shard = reader.OpenShard(k);
    const std::string path = JoinPath(run_dir, reader.shards()[static_cast<size_t>(k)].ids_name);
    for (size_t i = 0; i < shard.ids.size(); ++i) {
      const NodeId v = shard.ids[i];
      if (v < 0 || v >= graph.num_nodes()) {
        throw FormatError(path + ": row " + std::to_string(i) + ": node id " + std::to_string(v) +
                          " outside the graph's [0, " + std::to_string(graph.num_nodes()) + ")");
      }
      if (v < t.begin || v - t.begin >= t.count) continue;
      const size_t local = static_cast<size_t>(v - t.begin);
      if (filled[local]) {
        throw FormatError(path + ": row " + std::to_string(i) + ": node " + graph.Key(v) + " (id " +
                          std::to_string(v) + ") already has a row in this or an earlier shard");
      }
      filled[local] = 1;
      std::memcpy(m.values.data() + local * static_cast<size_t>(m.dim),
                  shard.row(static_cast<int64_t>(i)), static_cast<size_t>(m.dim) * sizeof(float));
    }
  }
  const auto missing = std::find(filled.begin(), filled.end(), 0);
  if (missing != filled.end()) {
    const int64_t count = std::count(filled.begin(), filled.end(), 0);
    throw FormatError(reader.ManifestPath() + ": node type '" + node_type +
                      "': " + std::to_string(count) + " of " + std::to_string(m.rows) +
                      " rows missing (first: " +
                      graph.Key(t.begin + static_cast<NodeId>(missing - filled.begin())) + ")");
  }
  return m;
}

}  // namespace melograph
