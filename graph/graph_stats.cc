#include "graph/graph_stats.h"

#include <algorithm>
#include <boost/pending/disjoint_sets.hpp>
#include <cmath>
#include <cstdio>

namespace melograph {
namespace {

// Nearest-rank percentile of a non-empty range; reorders it.
int64_t Percentile(std::vector<int64_t>& v, int percent) {
  const size_t n = v.size();
  size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;  // ceil(p/100 * n)
  if (rank == 0) rank = 1;
  auto nth = v.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(v.begin(), nth, v.end());
  return *nth;
}

void Components(const Graph& g, GraphStats& s) {
  const NodeId n = g.num_nodes();
  std::vector<NodeId> parent(static_cast<size_t>(n));
  std::vector<int32_t> rank(static_cast<size_t>(n));
  boost::disjoint_sets<int32_t*, NodeId*> sets(rank.data(), parent.data());
  for (NodeId v = 0; v < n; ++v) sets.make_set(v);
  // Every stored relation has its reverse stored too, so each undirected pair is seen from
  // its smaller end.
  for (NodeId v = 0; v < n; ++v)
    for (NodeId u : g.out_neighbors(v))
      if (u > v) sets.union_set(v, u);
  std::fill(rank.begin(), rank.end(), 0);  // reused as component sizes
  for (NodeId v = 0; v < n; ++v) ++rank[static_cast<size_t>(sets.find_set(v))];
  for (NodeId v = 0; v < n; ++v) {
    if (rank[static_cast<size_t>(v)] == 0) continue;
    ++s.components;
    s.largest_component_nodes = std::max<int64_t>(s.largest_component_nodes, rank[static_cast<size_t>(v)]);
  }
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DegreeJson(const DegreeSummary& d) {
  return "{\"mean\": " + Fixed(d.mean) + ", \"p50\": " + std::to_string(d.p50) + ", \"p90\": " +
         std::to_string(d.p90) + ", \"p99\": " + std::to_string(d.p99) + ", \"max\": " + std::to_string(d.max) + "}";
}

void DegreeKeys(std::string& out, const std::string& prefix, const DegreeSummary& d) {
  out += prefix + ".mean: " + Fixed(d.mean) + "\n";
  out += prefix + ".p50: " + std::to_string(d.p50) + "\n";
  out += prefix + ".p90: " + std::to_string(d.p90) + "\n";
  out += prefix + ".p99: " + std::to_string(d.p99) + "\n";
  out += prefix + ".max: " + std::to_string(d.max) + "\n";
}

}  // namespace

DegreeSummary SummariseDegrees(std::vector<int64_t>& degrees) {
  DegreeSummary d;
  d.nodes = static_cast<int64_t>(degrees.size());
  if (degrees.empty()) return d;
  int64_t total = 0;
  for (int64_t x : degrees) {
    total += x;
    d.max = std::max(d.max, x);
  }
  d.mean = static_cast<double>(total) / static_cast<double>(degrees.size());
  d.p50 = Percentile(degrees, 50);
  d.p90 = Percentile(degrees, 90);
  d.p99 = Percentile(degrees, 99);
  return d;
}

GraphStats ComputeGraphStats(const Graph& g) {
  GraphStats s;
  s.num_nodes = g.num_nodes();
  s.num_edges = g.num_edges();
  std::vector<int64_t> all(static_cast<size_t>(g.num_nodes()));
  for (NodeId v = 0; v < g.num_nodes(); ++v) {
    all[static_cast<size_t>(v)] = g.degree(v);
    if (all[static_cast<size_t>(v)] == 0) ++s.isolated_nodes;
  }
  for (const NodeType& t : g.node_types()) {
    std::vector<int64_t> part(all.begin() + t.begin, all.begin() + t.begin + t.count);
    s.types.push_back({t.name, t.count, SummariseDegrees(part)});
  }
  for (const Relation& r : g.relations())
    s.relations.push_back({r.name, g.node_types()[r.head_type].name, g.node_types()[r.tail_type].name,
                           r.is_reverse, r.symmetric, r.edge_count});
  s.degree = SummariseDegrees(all);
  Components(g, s);
  return s;
}

std::string FormatGraphStats(const GraphStats& s) {
  std::string out = "graph: " + std::to_string(s.num_nodes) + " nodes, " + std::to_string(s.num_edges) +
                    " stored edges (reverse and symmetric directions included)\n\n";
  size_t w = 9;  // "node type"
  for (const auto& t : s.types) w = std::max(w, t.name.size());
  const char* cols[] = {"nodes", "deg_mean", "deg_p50", "deg_p90", "deg_p99", "deg_max"};
  out += Pad("node type", w, false);
  for (const char* c : cols) out += "  " + Pad(c, 10, true);
  out += "\n";
  auto row = [&](const std::string& name, int64_t nodes, const DegreeSummary& d) {
    out += Pad(name, w, false) + "  " + Pad(std::to_string(nodes), 10, true) + "  " + Pad(Fixed(d.mean), 10, true);
    for (int64_t x : {d.p50, d.p90, d.p99, d.max}) out += "  " + Pad(std::to_string(x), 10, true);
    out += "\n";
  };
  for (const auto& t : s.types) row(t.name, t.nodes, t.degree);
  row("(all)", s.num_nodes, s.degree);

  size_t rw = 8, hw = 11;  // "relation", "head -> tail"
  for (const auto& r : s.relations) {
    rw = std::max(rw, r.name.size());
    hw = std::max(hw, r.head_type.size() + 4 + r.tail_type.size());
  }
  out += "\n";
  out += Pad("relation", rw, false) + "  " + Pad("head -> tail", hw, false) + "  " + Pad("edges", 10, true) + "\n";
  for (const auto& r : s.relations)
    out += Pad(r.name, rw, false) + "  " + Pad(r.head_type + " -> " + r.tail_type, hw, false) + "  " +
           Pad(std::to_string(r.edges), 10, true) + (r.symmetric ? "  (symmetric)" : "") + "\n";
  out += "\ncomponents: " + std::to_string(s.components) + " (largest " + std::to_string(s.largest_component_nodes) +
         " nodes, " + std::to_string(s.isolated_nodes) + " isolated)\n\n";

  out += "num_nodes: " + std::to_string(s.num_nodes) + "\n";
  out += "num_edges: " + std::to_string(s.num_edges) + "\n";
  out += "num_node_types: " + std::to_string(s.types.size()) + "\n";
  out += "num_relations: " + std::to_string(s.relations.size()) + "\n";
  DegreeKeys(out, "degree", s.degree);
  for (const auto& t : s.types) {
    out += "nodes." + t.name + ": " + std::to_string(t.nodes) + "\n";
    DegreeKeys(out, "degree." + t.name, t.degree);
  }
  for (const auto& r : s.relations)
    out += "edges." + r.name + "." + r.head_type + "." + r.tail_type + ": " + std::to_string(r.edges) + "\n";
  out += "components: " + std::to_string(s.components) + "\n";
  out += "largest_component_nodes: " + std::to_string(s.largest_component_nodes) + "\n";
  out += "isolated_nodes: " + std::to_string(s.isolated_nodes) + "\n";
  return out;
}

std::string FormatGraphStatsJson(const GraphStats& s) {
  std::string out = "{\n  \"num_nodes\": " + std::to_string(s.num_nodes) + ",\n  \"num_edges\": " +
                    std::to_string(s.num_edges) + ",\n  \"degree\": " + DegreeJson(s.degree) + ",\n  \"node_types\": [";
  for (size_t i = 0; i < s.types.size(); ++i) {
    const auto& t = s.types[i];
    out += std::string(i ? "," : "") + "\n    {\"name\": " + JsonString(t.name) + ", \"nodes\": " + std::to_string(t.nodes) +
           ", \"degree\": " + DegreeJson(t.degree) + "}";
  }
  out += "\n  ],\n  \"relations\": [";
  for (size_t i = 0; i < s.relations.size(); ++i) {
    const auto& r = s.relations[i];
    out += std::string(i ? "," : "") + "\n    {\"name\": " + JsonString(r.name) + ", \"head_type\": " +
           JsonString(r.head_type) + ", \"tail_type\": " + JsonString(r.tail_type) + ", \"is_reverse\": " +
           (r.is_reverse ? "true" : "false") + ", \"symmetric\": " + (r.symmetric ? "true" : "false") +
           ", \"edges\": " + std::to_string(r.edges) + "}";
  }
  out += "\n  ],\n  \"components\": " + std::to_string(s.components) + ",\n  \"largest_component_nodes\": " +
         std::to_string(s.largest_component_nodes) + ",\n  \"isolated_nodes\": " + std::to_string(s.isolated_nodes) +
         "\n}\n";
  return out;
}

}  // namespace melograph
