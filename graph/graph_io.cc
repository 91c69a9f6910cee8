// Graph directories (docs/GRAPH.md): one flat little-endian file per array plus manifest.pb.
//
//   manifest.pb             proto::GraphManifest (binary); manifest.txt is a text copy for people
//   row_ptr.i64             num_nodes + 1 offsets
//   col_idx.i32             num_edges neighbour ids
//   edge_relation.u16       num_edges relation ids
//   edge_weight.f32         num_edges weights
//   nodes/<type>.ids        ids of the type back to back (local-id order)
//   nodes/<type>.offsets.i64  count + 1 offsets into .ids
//   nodes/<type>.sorted.i32   local ids ordered by id bytes
//
// Save: O(nodes + edges) sequential writes, CRC computed while writing. Load: O(1) per array
// (mmap) plus one pass over the dictionaries and the CSR checks of Graph's constructor, plus a
// CRC pass per file when verify_checksums.
#include "graph/graph_io.h"

#include <google/protobuf/text_format.h>

#include <map>
#include <utility>

#include "common/error.h"
#include "common/file_util.h"
#include "graph/graph_files.h"

namespace melograph {
namespace {

constexpr char kTool[] = "melograph";
constexpr char kKind[] = "graph";
constexpr uint32_t kMajor = 1;
constexpr uint32_t kMinor = 0;
constexpr char kManifest[] = "manifest.pb";

// Node type names become file names: allow only [a-z0-9_] (the triple format's type rule).
bool IsSafeTypeName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string IdsFile(const std::string& type) { return "nodes/" + type + ".ids"; }
std::string OffsetsFile(const std::string& type) { return "nodes/" + type + ".offsets.i64"; }
std::string SortedFile(const std::string& type) { return "nodes/" + type + ".sorted.i32"; }

proto::GraphManifest ReadManifest(const std::string& dir) {
  const std::string path = JoinPath(dir, kManifest);
  if (!PathExists(path))
    throw FormatError(path + ": manifest is missing (not a graph directory, or an unfinished build)");
  const std::string bytes = ReadWholeFile(path);
  proto::GraphManifest m;
  if (!m.ParseFromString(bytes))
    throw FormatError(path + ": manifest is corrupt (not a valid GraphManifest protobuf)");
  if (m.version().tool() != kTool || m.kind() != kKind)
    throw FormatError(path + ": not a melograph graph manifest (tool '" + m.version().tool() + "', kind '" +
                      m.kind() + "')");
  if (m.version().major() != kMajor)
    throw FormatError(path + ": graph format version " + std::to_string(m.version().major()) + "." +
                      std::to_string(m.version().minor()) + " is not supported (this build reads " +
                      std::to_string(kMajor) + ".x)");
  if (m.byte_order() != "little")
    throw FormatError(path + ": byte order '" + m.byte_order() + "' is not supported");
  return m;
}

// Structural checks of the manifest itself, before any file is mapped.
void CheckManifest(const std::string& path, const proto::GraphManifest& m) {
  auto bad = [&](const std::string& what) { throw FormatError(path + ": " + what); };
  if (m.num_nodes() < 0 || m.num_nodes() > kMaxNodes) bad("node count " + std::to_string(m.num_nodes()) + " is out of range");
  if (m.num_edges() < 0) bad("edge count is negative");
  int64_t next = 0;
  for (const auto& t : m.node_types()) {
    if (!IsSafeTypeName(t.name())) bad("node type name '" + t.name() + "' is not [a-z0-9_]+");
    if (t.begin() != next || t.count() < 0 || t.key_bytes() < 0)
      bad("node type '" + t.name() + "' range [" + std::to_string(t.begin()) + ", +" + std::to_string(t.count()) +
          ") does not follow the previous type");
    next += t.count();
  }
  if (next != m.num_nodes()) bad("node types cover " + std::to_string(next) + " nodes, manifest says " + std::to_string(m.num_nodes()));
  if (m.relations_size() > kMaxRelations) bad("too many relations");
  int64_t entries = 0;
  for (const auto& r : m.relations()) {
    if (r.head_type() >= static_cast<uint32_t>(m.node_types_size()) ||
        r.tail_type() >= static_cast<uint32_t>(m.node_types_size()) ||
        r.inverse() >= static_cast<uint32_t>(m.relations_size()) || r.edge_count() < 0)
      bad("relation '" + r.name() + "' refers to an unknown node type or inverse");
    entries += r.edge_count();
  }
  if (entries != m.num_edges()) bad("relation edge counts sum to " + std::to_string(entries) + ", manifest says " + std::to_string(m.num_edges()));
}

void CheckDictionary(const std::string& dir, const std::string& type, const TypeDictionary& d, int64_t key_bytes) {
  const NodeId n = d.count();
  const int64_t* off = d.offsets.data();
  if (off[0] != 0 || off[n] != key_bytes)
    throw FormatError(JoinPath(dir, OffsetsFile(type)) + ": offsets do not span the ids file");
  for (NodeId i = 0; i < n; ++i)
    if (off[i + 1] < off[i]) throw FormatError(JoinPath(dir, OffsetsFile(type)) + ": offsets decrease at entry " + std::to_string(i));
  for (NodeId i = 0; i < n; ++i)
    if (d.sorted[i] < 0 || d.sorted[i] >= n)
      throw FormatError(JoinPath(dir, SortedFile(type)) + ": entry " + std::to_string(i) + " is out of range");
}

}  // namespace

namespace {

// `release`: the arrays to discard behind their writes (all nullptr: keep them).
void Save(const Graph& graph, const std::string& dir, const GraphBuildInfo& info,
          Graph::SoleArrays release) {
  for (const NodeType& t : graph.node_types())
    if (!IsSafeTypeName(t.name))
      throw UsageError("node type '" + t.name + "' cannot be saved: type names must match [a-z0-9_]+");
  AtomicDirectory out(dir);
  MakeDirectories(out.File("nodes"));

  proto::GraphManifest m;
  m.mutable_version()->set_tool(kTool);
  m.mutable_version()->set_major(kMajor);
  m.mutable_version()->set_minor(kMinor);
  m.set_kind(kKind);
  m.set_byte_order("little");
  m.set_num_nodes(graph.num_nodes());
  m.set_num_edges(graph.num_edges());
  for (size_t t = 0; t < graph.node_types().size(); ++t) {
    const NodeType& nt = graph.node_types()[t];
    const TypeDictionary& d = graph.dictionary().type(static_cast<TypeId>(t));
    auto* pt = m.add_node_types();
    pt->set_name(nt.name);
    pt->set_begin(nt.begin);
    pt->set_count(nt.count);
    pt->set_key_bytes(static_cast<int64_t>(d.blob.size()));
  }
  for (const Relation& r : graph.relations()) {
    auto* pr = m.add_relations();
    pr->set_name(r.name);
    pr->set_head_type(r.head_type);
    pr->set_tail_type(r.tail_type);
    pr->set_head_type_name(graph.node_types()[r.head_type].name);
    pr->set_tail_type_name(graph.node_types()[r.tail_type].name);
    pr->set_is_reverse(r.is_reverse);
    pr->set_symmetric(r.symmetric);
    pr->set_inverse(r.inverse);
    pr->set_edge_count(r.edge_count);
  }

  auto add = [&](const proto::GraphFile& f) { *m.add_files() = f; };
  add(WriteArrayFile(out, "row_ptr.i64", "int64", graph.row_ptr(), release.row_ptr));
  add(WriteArrayFile(out, "col_idx.i32", "int32", graph.col_idx(), release.col_idx));
  add(WriteArrayFile(out, "edge_relation.u16", "uint16", graph.edge_relation(),
                     release.edge_relation));
  add(WriteArrayFile(out, "edge_weight.f32", "float32", graph.edge_weight(), release.edge_weight));
  for (size_t t = 0; t < graph.node_types().size(); ++t) {
    const std::string& name = graph.node_types()[t].name;
    const TypeDictionary& d = graph.dictionary().type(static_cast<TypeId>(t));
    add(WriteArrayFile(out, IdsFile(name), "bytes", d.blob.span()));
    add(WriteArrayFile(out, OffsetsFile(name), "int64", d.offsets.span()));
    add(WriteArrayFile(out, SortedFile(name), "int32", d.sorted.span()));
  }

  auto* build = m.mutable_build();
  for (const auto& s : info.inputs) build->add_inputs(s);
  for (const auto& s : info.symmetric_relations) build->add_symmetric_relations(s);
  build->set_duplicate_policy(info.duplicate_policy);
  build->set_triples_read(info.triples_read);
  build->set_bad_lines_skipped(info.bad_lines_skipped);

  std::string text;
  google::protobuf::TextFormat::PrintToString(m, &text);
  WriteWholeFile(out, "manifest.txt", text);
  // The binary manifest is written last: a directory without it is never a graph.
  WriteWholeFile(out, kManifest, m.SerializeAsString());
  out.Commit();
}

}  // namespace

void SaveGraph(const Graph& graph, const std::string& dir, const GraphBuildInfo& info) {
  Save(graph, dir, info, {});
}

void SaveGraph(Graph&& graph, const std::string& dir, const GraphBuildInfo& info) {
  Graph consumed = std::exchange(graph, Graph());  // empty from here, whatever happens
  Save(consumed, dir, info, consumed.sole_arrays());
}

Graph LoadGraph(const std::string& dir, bool verify_checksums) {
  if (!IsDirectory(dir)) throw IoError("cannot open graph directory " + dir + ": no such directory");
  const proto::GraphManifest m = ReadManifest(dir);
  const std::string manifest_path = JoinPath(dir, kManifest);
  CheckManifest(manifest_path, m);

  std::map<std::string, const proto::GraphFile*> files;
  for (const auto& f : m.files()) files[f.name()] = &f;
  auto record = [&](const std::string& name) -> const proto::GraphFile& {
    const auto it = files.find(name);
    if (it == files.end()) throw FormatError(manifest_path + ": file '" + name + "' is not listed in the manifest");
    return *it->second;
  };

  const int64_t n = m.num_nodes();
  const int64_t e = m.num_edges();
  auto row_ptr = MapArrayFile<EdgeIdx>(dir, record("row_ptr.i64"), n + 1, verify_checksums);
  auto col_idx = MapArrayFile<NodeId>(dir, record("col_idx.i32"), e, verify_checksums);
  auto edge_relation = MapArrayFile<RelationId>(dir, record("edge_relation.u16"), e, verify_checksums);
  auto edge_weight = MapArrayFile<float>(dir, record("edge_weight.f32"), e, verify_checksums);

  std::vector<NodeType> node_types;
  std::vector<TypeDictionary> dictionaries;
  for (const auto& t : m.node_types()) {
    node_types.push_back(NodeType{t.name(), static_cast<NodeId>(t.begin()), static_cast<NodeId>(t.count())});
    TypeDictionary d;
    d.blob = MapArrayFile<char>(dir, record(IdsFile(t.name())), t.key_bytes(), verify_checksums);
    d.offsets = MapArrayFile<int64_t>(dir, record(OffsetsFile(t.name())), t.count() + 1, verify_checksums);
    d.sorted = MapArrayFile<NodeId>(dir, record(SortedFile(t.name())), t.count(), verify_checksums);
    CheckDictionary(dir, t.name(), d, t.key_bytes());
    dictionaries.push_back(std::move(d));
  }
  std::vector<Relation> relations;
  for (const auto& r : m.relations())
    relations.push_back(Relation{r.name(), static_cast<TypeId>(r.head_type()), static_cast<TypeId>(r.tail_type()),
                                 r.is_reverse(), r.symmetric(), static_cast<RelationId>(r.inverse()), r.edge_count()});
  if (row_ptr[0] != 0 || row_ptr[static_cast<size_t>(n)] != e)
    throw FormatError(JoinPath(dir, "row_ptr.i64") + ": offsets do not span the " + std::to_string(e) + " edges");
  return Graph(std::move(node_types), std::move(relations), std::move(row_ptr), std::move(col_idx),
               std::move(edge_relation), std::move(edge_weight), NodeDictionary(std::move(dictionaries)));
}

}  // namespace melograph
