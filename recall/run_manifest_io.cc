// Run manifest conversions (see recall/run_manifest_io.h).
#include "recall/run_manifest_io.h"

#include "common/error.h"

namespace melograph::run_io {

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
  if (!message.ParseFromString(bytes))
    throw FormatError(path + ": not a valid " + message.GetTypeName());
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
                      std::to_string(h.version().major()) + "." +
                      std::to_string(h.version().minor()) +
                      " is not readable by this melograph (expects major " +
                      std::to_string(kRunFormatMajor) + ")");
  }
  if (h.dim() <= 0)
    throw FormatError(path + ": dimension " + std::to_string(h.dim()) + " is not positive");
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
  for (const auto& t : h.graph_node_types())
    info.node_types.push_back({t.name(), t.begin(), t.count()});
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

}  // namespace melograph::run_io
