#include "sampler/relation_table.h"

#include <algorithm>

#include "common/error.h"
#include "common/text.h"

namespace melograph {

bool RelationSet::Contains(RelationId r) const {
  return all || std::binary_search(ids.begin(), ids.end(), r);
}

RelationTable RelationTable::FromGraph(const Graph& graph) {
  RelationTable t;
  for (const Relation& r : graph.relations()) t.relations_.push_back({r.name, r.head_type, r.tail_type});
  return t;
}

RelationTable RelationTable::FromManifest(const proto::PartitionManifest& manifest) {
  RelationTable t;
  for (const auto& r : manifest.relations())
    t.relations_.push_back({r.name(), static_cast<TypeId>(r.head_type()), static_cast<TypeId>(r.tail_type())});
  return t;
}

std::vector<RelationId> RelationTable::Find(std::string_view name) const {
  std::vector<RelationId> out;
  for (size_t r = 0; r < relations_.size(); ++r)
    if (relations_[r].name == name) out.push_back(static_cast<RelationId>(r));
  return out;
}

RelationSet RelationTable::Resolve(std::string_view names) const {
  const std::string_view trimmed = Trim(names);
  if (trimmed.empty() || trimmed == "*") return {};
  RelationSet set;
  set.all = false;
  for (const std::string& raw : SplitList(trimmed, '|')) {
    const std::string_view name = Trim(raw);
    const std::vector<RelationId> ids = Find(name);
    if (ids.empty()) {
      std::string known;
      for (const RelationInfo& r : relations_)
        if (known.find(" " + r.name + ",") == std::string::npos) known += " " + r.name + ",";
      if (!known.empty()) known.pop_back();
      throw UsageError("unknown relation '" + std::string(name) + "' (known:" + known + ")");
    }
    set.ids.insert(set.ids.end(), ids.begin(), ids.end());
  }
  std::sort(set.ids.begin(), set.ids.end());
  set.ids.erase(std::unique(set.ids.begin(), set.ids.end()), set.ids.end());
  return set;
}

std::vector<RelationSet> RelationTable::ParseHopRelations(std::string_view spec, size_t hops) const {
  if (Trim(spec).empty()) return std::vector<RelationSet>(hops);
  const std::vector<std::string> parts = SplitList(spec, ';');
  if (parts.size() != hops)
    throw UsageError("relation filter '" + std::string(spec) + "' has " + std::to_string(parts.size()) +
                     " hop entries (';'-separated), expected one per fanout (" + std::to_string(hops) + ")");
  std::vector<RelationSet> out;
  for (const std::string& p : parts) out.push_back(Resolve(p));
  return out;
}

std::vector<TypeRange> TypeRangesOf(const Graph& graph) {
  std::vector<TypeRange> out;
  for (const NodeType& t : graph.node_types()) out.push_back({t.name, t.begin, t.count});
  return out;
}

std::vector<TypeRange> TypeRangesOf(const proto::PartitionManifest& manifest) {
  std::vector<TypeRange> out;
  for (const auto& t : manifest.node_types()) out.push_back({t.name(), t.begin(), t.count()});
  return out;
}

int32_t TypeIndexOf(const std::vector<TypeRange>& types, NodeId v) {
  auto it = std::upper_bound(types.begin(), types.end(), v,
                             [](NodeId x, const TypeRange& t) { return x < t.begin; });
  if (it == types.begin()) return -1;
  --it;
  if (v >= it->begin + it->count) return -1;
  return static_cast<int32_t>(it - types.begin());
}

}  // namespace melograph
