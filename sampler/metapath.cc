#include "sampler/metapath.h"

#include <algorithm>
#include <cctype>

#include "common/error.h"

namespace melograph {
namespace {

class SchemaError {
 public:
  SchemaError(std::string_view text) : text_(text) {}
  [[noreturn]] void Throw(size_t pos, const std::string& reason) const {
    throw UsageError("metapath '" + text_ + "' column " + std::to_string(pos + 1) + ": " + reason);
  }

 private:
  std::string text_;
};

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string KnownTypes(std::span<const NodeType> types) {
  std::string s;
  for (const auto& t : types) s += (s.empty() ? "" : ", ") + t.name;
  return s;
}

std::string KnownRelations(std::span<const Relation> relations) {
  std::vector<std::string_view> seen;
  std::string s;
  for (const auto& r : relations) {
    if (std::find(seen.begin(), seen.end(), r.name) != seen.end()) continue;
    seen.push_back(r.name);
    s += (s.empty() ? "" : ", ") + r.name;
  }
  return s;
}

}  // namespace

Metapath ParseMetapath(std::string_view text, std::span<const NodeType> node_types,
                       std::span<const Relation> relations) {
  Metapath m;
  m.text = std::string(text);
  const SchemaError err(text);
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
  };
  skip_space();
  if (pos == text.size()) return m;  // unrestricted

  auto parse_type = [&]() -> TypeId {
    skip_space();
    const size_t start = pos;
    while (pos < text.size() && !IsSpace(text[pos]) && text[pos] != '-') ++pos;
    const std::string_view name = text.substr(start, pos - start);
    if (name.empty()) err.Throw(start, "expected a node type");
    for (size_t t = 0; t < node_types.size(); ++t)
      if (node_types[t].name == name) return static_cast<TypeId>(t);
    err.Throw(start, "unknown node type '" + std::string(name) + "' (known: " + KnownTypes(node_types) + ")");
  };
  std::vector<size_t> relation_pos;
  std::vector<std::string> relation_names;
  std::vector<bool> inverse;
  m.types.push_back(parse_type());
  skip_space();
  while (pos < text.size()) {
    if (text[pos] != '-') err.Throw(pos, "expected '-RELATION->' after a node type");
    const size_t start = ++pos;
    const size_t arrow = text.find("->", pos);
    if (arrow == std::string_view::npos) err.Throw(start - 1, "relation arrow without '->'");
    std::string_view name = text.substr(start, arrow - start);
    bool inv = false;
    if (name.size() > 3 && name.substr(name.size() - 3) == "^-1") {
      inv = true;
      name.remove_suffix(3);
    }
    if (name.empty()) err.Throw(start, "empty relation name");
    for (char c : name)
      if (IsSpace(c)) err.Throw(start, "relation name '" + std::string(name) + "' contains a space");
    relation_pos.push_back(start);
    relation_names.emplace_back(name);
    inverse.push_back(inv);
    pos = arrow + 2;
    m.types.push_back(parse_type());
    skip_space();
  }
  if (relation_names.empty()) err.Throw(pos, "a schema needs at least one '-RELATION->' hop");

  for (size_t h = 0; h < relation_names.size(); ++h) {
    const TypeId from = m.types[h], to = m.types[h + 1];
    const std::string& name = relation_names[h];
    // For NAME^-1 look for NAME joining to -> from and take its inverse.
    const TypeId want_head = inverse[h] ? to : from, want_tail = inverse[h] ? from : to;
    bool known = false;
    std::string joins;
    std::optional<RelationId> found;
    for (size_t r = 0; r < relations.size(); ++r) {
      if (relations[r].name != name) continue;
      known = true;
      joins += (joins.empty() ? "" : ", ") + node_types[relations[r].head_type].name + " -> " +
               node_types[relations[r].tail_type].name;
      if (relations[r].head_type == want_head && relations[r].tail_type == want_tail)
        found = inverse[h] ? relations[r].inverse : static_cast<RelationId>(r);
    }
    const std::string hop = "hop " + std::to_string(h + 1) + ": ";
    if (!known)
      err.Throw(relation_pos[h], hop + "unknown relation '" + name + "' (known: " + KnownRelations(relations) + ")");
    if (!found)
      err.Throw(relation_pos[h], hop + "relation '" + name + "' joins " + joins + ", not " +
                                     node_types[want_head].name + " -> " + node_types[want_tail].name +
                                     (inverse[h] ? " (inverted by ^-1)" : ""));
    if (*found >= relations.size())
      err.Throw(relation_pos[h], hop + "relation '" + name + "' has no inverse in the relation table");
    m.relations.push_back(*found);
  }
  m.cyclic = m.types.front() == m.types.back();
  return m;
}

Metapath ParseMetapath(std::string_view text, const Graph& graph) {
  return ParseMetapath(text, graph.node_types(), graph.relations());
}

std::vector<NodeType> NodeTypesOf(const proto::PartitionManifest& manifest) {
  std::vector<NodeType> out;
  for (const auto& t : manifest.node_types()) out.push_back({t.name(), t.begin(), t.count()});
  return out;
}

std::vector<Relation> RelationsOf(const proto::PartitionManifest& manifest) {
  std::vector<Relation> out;
  for (const auto& r : manifest.relations()) {
    Relation rel;
    rel.name = r.name();
    rel.head_type = static_cast<TypeId>(r.head_type());
    rel.tail_type = static_cast<TypeId>(r.tail_type());
    rel.is_reverse = r.is_reverse();
    rel.symmetric = r.symmetric();
    rel.inverse = static_cast<RelationId>(r.inverse());
    rel.edge_count = r.edge_count();
    out.push_back(std::move(rel));
  }
  return out;
}

TypeId TypeOfNode(std::span<const NodeType> node_types, NodeId v) {
  for (size_t t = node_types.size(); t-- > 0;)
    if (v >= node_types[t].begin) return static_cast<TypeId>(t);
  return 0;
}

}  // namespace melograph
