// Run directories: writer, finaliser and validating reader (contract in recall/run_format.h,
// file list in docs/RUN_FORMAT.md).
#include "recall/run_format.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "common/hash.h"
#include "proto/run_manifest.pb.h"

namespace melograph {
namespace {

static_assert(std::endian::native == std::endian::little, "run files are little-endian");

std::string Hex(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const int d = static_cast<int>((v >> shift) & 0xf);
    if (d != 0 || started || shift == 0) {
      s += digits[d];
      started = true;
    }
  }
  return s;
}

std::string ShardName(int k, const char* ext) {
  return "embeddings/shard-" + std::to_string(k) + ext;
}

void ReadProto(const std::string& path, google::protobuf::Message& message) {
  if (!PathExists(path)) throw FormatError(path + ": missing (the run is incomplete or not a run)");
  const std::string bytes = ReadWholeFile(path);
  if (!message.ParseFromString(bytes)) throw FormatError(path + ": not a valid " + message.GetTypeName());
}

void WriteProto(const std::string& path, const google::protobuf::Message& message) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) throw IoError(path + ": cannot serialize manifest");
  WriteWholeFile(path, bytes);
}

void FillHeader(const RunInfo& info, proto::RunHeader& h) {
  auto* v = h.mutable_version();
  v->set_tool("melograph");
  v->set_major(kRunFormatMajor);
  v->set_minor(kRunFormatMinor);
  h.set_model(info.model);
  h.set_dim(info.dim);
  auto* g = h.mutable_graph();
  g->set_dir(info.graph_dir);
  g->set_manifest_crc32(info.graph_manifest_crc32);
  g->set_fingerprint(info.graph_fingerprint);
  g->set_num_nodes(info.graph_num_nodes);
  g->set_num_edges(info.graph_num_edges);
  for (const NodeType& t : info.node_types) {
    auto* r = h.add_graph_node_types();
    r->set_name(t.name);
    r->set_begin(t.begin);
    r->set_count(t.count);
  }
  h.set_epoch(info.epoch);
  h.set_step(info.step);
  h.set_seed(info.seed);
  h.set_num_shards(info.num_shards);
}

RunInfo InfoFromHeader(const proto::RunHeader& h, const std::string& path) {
  if (h.version().tool() != "melograph" || h.version().major() != kRunFormatMajor) {
    throw FormatError(path + ": run format " + h.version().tool() + " " +
                      std::to_string(h.version().major()) + "." + std::to_string(h.version().minor()) +
                      " is not readable by this melograph (expects major " +
                      std::to_string(kRunFormatMajor) + ")");
  }
  if (h.dim() <= 0) throw FormatError(path + ": dimension " + std::to_string(h.dim()) + " is not positive");
  if (h.num_shards() <= 0) throw FormatError(path + ": shard count is not positive");
  RunInfo info;
  info.model = h.model();
  info.dim = h.dim();
  info.epoch = h.epoch();
  info.step = h.step();
  info.seed = h.seed();
  info.num_shards = h.num_shards();
  info.graph_dir = h.graph().dir();
  info.graph_manifest_crc32 = h.graph().manifest_crc32();
  info.graph_fingerprint = h.graph().fingerprint();
  info.graph_num_nodes = h.graph().num_nodes();
  info.graph_num_edges = h.graph().num_edges();
  for (const auto& t : h.graph_node_types()) info.node_types.push_back({t.name(), t.begin(), t.count()});
  return info;
}

RunShardInfo ShardFromProto(const proto::RunShard& s) {
  RunShardInfo r;
  r.index = s.index();
  r.rank = s.rank();
  r.rows = s.rows();
  r.ids_name = s.ids().name();
  r.ids_bytes = s.ids().bytes();
  r.ids_crc32 = s.ids().crc32();
  r.values_name = s.values().name();
  r.values_bytes = s.values().bytes();
  r.values_crc32 = s.values().crc32();
  for (const auto& t : s.type_rows()) r.type_rows.emplace_back(t.node_type(), t.rows());
  return r;
}

// Index of the type owning `node` in a begin-ordered type table, or -1.
int TypeIndexOf(const std::vector<NodeType>& types, NodeId node) {
  for (size_t t = 0; t < types.size(); ++t) {
    if (node >= types[t].begin && node - types[t].begin < types[t].count) return static_cast<int>(t);
  }
  return -1;
}

// Checks a data file's size against the manifest and, when asked, its CRC-32; maps it.
MappedFile MapChecked(const std::string& path, int64_t expected_bytes, int64_t recorded_bytes,
                      uint32_t crc32, bool verify, const std::string& what) {
  if (!PathExists(path)) throw FormatError(path + ": missing");
  if (recorded_bytes != expected_bytes) {
    throw FormatError(path + ": manifest records " + std::to_string(recorded_bytes) + " bytes but " +
                      what + " needs " + std::to_string(expected_bytes) +
                      " (dimension or row count mismatch)");
  }
  const int64_t size = FileSize(path);
  if (size != expected_bytes) {
    throw FormatError(path + ": size " + std::to_string(size) + " bytes, expected " +
                      std::to_string(expected_bytes) + " (" + what + "): truncated or wrong dimension");
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
    h = HashCombine(h, HashBytes(t.name), static_cast<uint64_t>(t.begin), static_cast<uint64_t>(t.count));
    const int64_t samples = std::min<int64_t>(t.count, 64);
    for (int64_t j = 0; j < samples; ++j) {
      const int64_t local = samples == 1 ? 0 : (static_cast<int64_t>(t.count) - 1) * j / (samples - 1);
      h = HashCombine(h, HashBytes(graph.KeyId(t.begin + static_cast<NodeId>(local))));
    }
  }
  for (const Relation& r : graph.relations()) {
    h = HashCombine(h, HashBytes(r.name), r.head_type, r.tail_type, static_cast<uint64_t>(r.edge_count));
  }
  return h;
}

uint32_t GraphManifestCrc32(const std::string& graph_dir) {
  if (graph_dir.empty()) return 0;
  const std::string path = JoinPath(graph_dir, "manifest.pb");
  return PathExists(path) ? Crc32File(path) : 0;
}

RunInfo RunInfo::ForGraph(const Graph& graph, const std::string& graph_dir, int dim, int num_shards) {
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
                     std::to_string(row.size()) + " values, dimension is " + std::to_string(info_.dim));
  }
  const int t = TypeIndexOf(info_.node_types, node);
  if (node < 0 || node >= info_.graph_num_nodes || t < 0) {
    throw UsageError("run shard writer: node id " + std::to_string(node) + " outside the graph");
  }
  for (float x : row) {
    if (!std::isfinite(x)) throw UsageError("run shard writer: non-finite value in row of node " + std::to_string(node));
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
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return info_.node_types[a].name < info_.node_types[b].name; });
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
      throw FormatError(path + ": dimension " + std::to_string(shard_info.dim) + " but the run has " +
                        std::to_string(info.dim));
    }
    if (shard_info.graph_fingerprint != info.graph_fingerprint || shard_info.num_shards != info.num_shards ||
        sm.shard().index() != k) {
      throw FormatError(path + ": written for another run (graph, shard count or index differ)");
    }
    const int64_t rows = sm.shard().rows();
    for (const auto& [name, bytes] : {std::pair{sm.shard().ids().name(), rows * 4},
                                      std::pair{sm.shard().values().name(), rows * info.dim * 4}}) {
      const std::string data_path = JoinPath(run_dir, name);
      if (!PathExists(data_path)) throw FormatError(data_path + ": missing");
      if (FileSize(data_path) != bytes) {
        throw FormatError(data_path + ": size " + std::to_string(FileSize(data_path)) + " bytes, expected " +
                          std::to_string(bytes) + ": truncated or wrong dimension");
      }
    }
    for (const auto& tr : sm.shard().type_rows()) {
      auto it = std::find_if(totals.begin(), totals.end(), [&](const auto& p) { return p.first == tr.node_type(); });
      if (it == totals.end()) totals.emplace_back(tr.node_type(), tr.rows());
      else it->second += tr.rows();
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

// ---------------------------------------------------------------- reader

RunReader::RunReader(std::string run_dir) : run_dir_(std::move(run_dir)) {
  const std::string path = ManifestPath();
  if (!IsDirectory(run_dir_)) throw FormatError(run_dir_ + ": not a run directory (missing)");
  proto::RunManifest m;
  ReadProto(path, m);
  manifest_crc32_ = Crc32File(path);
  info_ = InfoFromHeader(m.header(), path);
  if (m.shards_size() != info_.num_shards) {
    throw FormatError(path + ": lists " + std::to_string(m.shards_size()) + " shards, header says " +
                      std::to_string(info_.num_shards));
  }
  for (int k = 0; k < m.shards_size(); ++k) {
    if (m.shards(k).index() != k) throw FormatError(path + ": shard " + std::to_string(k) + " is out of order");
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
                      "' (manifest CRC-32 " + Hex(info_.graph_manifest_crc32) + "), not on '" + graph_dir +
                      "' (manifest CRC-32 " + Hex(crc) + ")");
  }
  const uint64_t fingerprint = GraphFingerprint(graph);
  if (fingerprint != info_.graph_fingerprint) {
    throw FormatError(ManifestPath() + ": run was trained on a different graph ('" + info_.graph_dir +
                      "', " + std::to_string(info_.graph_num_nodes) + " nodes, " +
                      std::to_string(info_.graph_num_edges) + " edges, fingerprint " +
                      Hex(info_.graph_fingerprint) + ") than the one given (" +
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
  shard.values_file =
      MapChecked(JoinPath(run_dir_, s.values_name), s.rows * info_.dim * 4, s.values_bytes, s.values_crc32,
                 verify_checksums,
                 std::to_string(s.rows) + " rows x dim " + std::to_string(info_.dim) + " x 4 bytes");
  shard.ids = {static_cast<const NodeId*>(shard.ids_file.data()), static_cast<size_t>(s.rows)};
  shard.values = {static_cast<const float*>(shard.values_file.data()), static_cast<size_t>(s.rows * info_.dim)};
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
        throw FormatError(path + ": row " + std::to_string(i) + ": node " + graph.Key(v) +
                          " (id " + std::to_string(v) + ") already has a row in this or an earlier shard");
      }
      word |= bit;
      ++per_type[graph.TypeOf(v)];
    }
    for (size_t t = 0; t < types.size(); ++t) {
      if (per_type[t] != s.RowsOf(types[t].name)) {
        throw FormatError(path + ": holds " + std::to_string(per_type[t]) + " rows of node type '" +
                          types[t].name + "', the manifest says " + std::to_string(s.RowsOf(types[t].name)));
      }
    }
  }
}

EmbeddingMatrix LoadEmbeddings(const std::string& run_dir, const Graph& graph, const std::string& node_type) {
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
    for (const auto& [name, rows] : reader.type_rows()) present += (present.empty() ? "" : ", ") + name;
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
      std::memcpy(m.values.data() + local * static_cast<size_t>(m.dim), shard.row(static_cast<int64_t>(i)),
                  static_cast<size_t>(m.dim) * sizeof(float));
    }
  }
  const auto missing = std::find(filled.begin(), filled.end(), 0);
  if (missing != filled.end()) {
    const int64_t count = std::count(filled.begin(), filled.end(), 0);
    throw FormatError(reader.ManifestPath() + ": node type '" + node_type + "': " + std::to_string(count) +
                      " of " + std::to_string(m.rows) + " rows missing (first: " +
                      graph.Key(t.begin + static_cast<NodeId>(missing - filled.begin())) + ")");
  }
  return m;
}

}  // namespace melograph
