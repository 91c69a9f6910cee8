// Partition quality measurements and report text (see partition_report.h).
#include "partition/partition_report.h"

#include <algorithm>
#include <cstdio>

#include "common/text.h"

namespace melograph {

void MeasurePartitionQuality(const Graph& graph, const Assignment& part, int32_t num_parts,
                             const VertexWeights& weights, const std::vector<uint8_t>& seeds,
                             proto::PartitionManifest* manifest) {
  manifest->clear_parts();
  const int32_t ncon = weights.ncon;
  std::vector<proto::PartitionPart*> parts;
  for (int32_t p = 0; p < num_parts; ++p) {
    parts.push_back(manifest->add_parts());
    for (int32_t c = 0; c < ncon; ++c) parts[p]->add_constraint_load(0.0);
  }
  int64_t undirected = 0, cut = 0, csr_cut = 0;
  std::vector<NodeId> scratch;
  for (NodeId v = 0; v < graph.num_nodes(); ++v) {
    proto::PartitionPart* pv = parts[part[v]];
    pv->set_nodes(pv->nodes() + 1);
    pv->set_edges(pv->edges() + graph.degree(v));
    if (seeds[v]) pv->set_seeds(pv->seeds() + 1);
    for (int32_t c = 0; c < ncon; ++c)
      pv->set_constraint_load(c, pv->constraint_load(c) + static_cast<double>(weights.at(v, c)));
    scratch.clear();
    for (const NodeId u : graph.out_neighbors(v)) {
      if (part[u] != part[v]) ++csr_cut;
      if (u > v) scratch.push_back(u);
    }
    std::sort(scratch.begin(), scratch.end());
    scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
    undirected += static_cast<int64_t>(scratch.size());
    for (const NodeId u : scratch) {
      if (part[u] == part[v]) continue;
      ++cut;
      pv->set_cut_edges(pv->cut_edges() + 1);
      parts[part[u]]->set_cut_edges(parts[part[u]]->cut_edges() + 1);
    }
  }
  proto::PartitionQuality* q = manifest->mutable_quality();
  q->set_undirected_edges(undirected);
  q->set_edge_cut(cut);
  q->set_edge_cut_fraction(undirected ? static_cast<double>(cut) / static_cast<double>(undirected) : 0.0);
  q->set_csr_cut_fraction(graph.num_edges() ? static_cast<double>(csr_cut) / static_cast<double>(graph.num_edges())
                                            : 0.0);
  q->clear_imbalance();
  for (int32_t c = 0; c < ncon; ++c) {
    double max_load = 0.0;
    for (const auto* p : parts) max_load = std::max(max_load, p->constraint_load(c));
    const double mean = static_cast<double>(weights.total[c]) / num_parts;
    q->add_imbalance(mean > 0 ? max_load / mean : 0.0);
  }
}

namespace {

std::string Fixed(double x, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

}  // namespace

std::string FormatPartitionReport(const proto::PartitionManifest& m) {
  const proto::PartitionQuality& q = m.quality();
  std::string s;
  std::string constraints;
  for (const auto& c : m.constraints()) constraints += (constraints.empty() ? "" : ",") + c;
  s += "partition: method " + m.method() + ", K=" + std::to_string(m.num_parts()) + ", " +
       std::to_string(m.num_nodes()) + " nodes, " + std::to_string(m.num_edges()) +
       " CSR entries; balance " + constraints + " within " + Fixed(m.imbalance_tolerance(), 3) + "\n";
  s += "part        nodes        edges        seeds         halo    cut_edges\n";
  for (int p = 0; p < m.parts_size(); ++p) {
    const auto& pp = m.parts(p);
    char line[160];
    std::snprintf(line, sizeof line, "%4d %12lld %12lld %12lld %12lld %12lld\n", p,
                  static_cast<long long>(pp.nodes()), static_cast<long long>(pp.edges()),
                  static_cast<long long>(pp.seeds()), static_cast<long long>(pp.halo_nodes()),
                  static_cast<long long>(pp.cut_edges()));
    s += line;
  }
  s += "edge cut: " + std::to_string(q.edge_cut()) + " of " + std::to_string(q.undirected_edges()) +
       " undirected edges (" + Fixed(100.0 * q.edge_cut_fraction(), 2) + "%)\n";
  s += "remote sample fraction: " + Fixed(q.remote_sample_fraction(), 4) + " of " +
       std::to_string(q.sampled_edges()) + " sampled edges, fanouts";
  for (const int32_t f : q.fanouts()) s += " " + std::to_string(f);
  s += ", " + std::to_string(q.sample_roots()) + " roots from " + q.sample_root_kind() + "\n";
  const proto::PartitionReplication& rep = m.replication();
  if (rep.nodes() > 0)
    s += "hub replicas: " + std::to_string(rep.nodes()) + " nodes (by " + rep.by() + ", " +
         Fixed(100.0 * static_cast<double>(rep.nodes()) / static_cast<double>(std::max<int64_t>(1, m.num_nodes())), 2) +
         "% of nodes) with " + std::to_string(rep.entries()) + " CSR entries held by every part (" +
         Fixed(100.0 * static_cast<double>(rep.entries()) / static_cast<double>(std::max<int64_t>(1, m.num_edges())), 2) +
         "% of the graph); without them the remote sample fraction is " +
         Fixed(q.remote_sample_fraction_without_replicas(), 4) + "\n";
  s += "\n";
  s += "method: " + m.method() + "\n";
  if (!m.metis_coarsening().empty()) s += "metis_coarsening: " + m.metis_coarsening() + "\n";
  s += "parts: " + std::to_string(m.num_parts()) + "\n";
  s += "nodes: " + std::to_string(m.num_nodes()) + "\n";
  s += "csr_entries: " + std::to_string(m.num_edges()) + "\n";
  s += "undirected_edges: " + std::to_string(q.undirected_edges()) + "\n";
  s += "edge_cut: " + std::to_string(q.edge_cut()) + "\n";
  s += "edge_cut_fraction: " + Fixed(q.edge_cut_fraction()) + "\n";
  s += "csr_cut_fraction: " + Fixed(q.csr_cut_fraction()) + "\n";
  s += "halo_nodes: " + std::to_string(q.halo_nodes()) + "\n";
  s += "remote_sample_fraction: " + Fixed(q.remote_sample_fraction()) + "\n";
  s += "remote_sample_fraction_without_replicas: " + Fixed(q.remote_sample_fraction_without_replicas()) + "\n";
  s += "replicated_nodes: " + std::to_string(rep.nodes()) + "\n";
  s += "replicated_entries: " + std::to_string(rep.entries()) + "\n";
  s += "sampled_edges: " + std::to_string(q.sampled_edges()) + "\n";
  for (int h = 0; h < q.remote_sample_fraction_by_hop_size(); ++h)
    s += "remote_sample_fraction_hop" + std::to_string(h + 1) + ": " + Fixed(q.remote_sample_fraction_by_hop(h)) + "\n";
  for (int c = 0; c < m.constraints_size() && c < q.imbalance_size(); ++c)
    s += "imbalance_" + m.constraints(c) + ": " + Fixed(q.imbalance(c), 4) + "\n";
  s += "partition_seconds: " + Fixed(q.partition_seconds(), 3) + "\n";
  s += "total_seconds: " + Fixed(q.total_seconds(), 3) + "\n";
  s += "peak_rss_bytes: " + std::to_string(q.peak_rss_bytes()) + "\n";
  return s;
}

}  // namespace melograph
