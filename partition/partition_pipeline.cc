// `melograph partition` pipeline (see partition_pipeline.h).
#include "partition/partition_pipeline.h"

#include <string>

#include "common/error.h"
#include "common/file_util.h"
#include "common/resource.h"
#include "partition/hash_partitioner.h"
#include "partition/hub_replication.h"
#include "partition/ldg_partitioner.h"
#include "partition/metis_partitioner.h"
#include "partition/multilevel_metis.h"
#include "partition/partition_report.h"
#include "partition/partition_view.h"
#include "partition/remote_sampling.h"
#include "partition/renumbering.h"
#include "partition/shard_writer.h"
#include "partition/vertex_weights.h"

namespace melograph {
namespace {

void CheckOptions(const Graph& graph, const PartitionOptions& o) {
  if (o.num_parts < 1) throw UsageError("--parts must be at least 1 (got " + std::to_string(o.num_parts) + ")");
  if (o.num_parts > graph.num_nodes())
    throw UsageError("--parts " + std::to_string(o.num_parts) + " is larger than the graph's " +
                     std::to_string(graph.num_nodes()) + " nodes: every part must own at least one node");
  if (!(o.imbalance >= 1.0)) throw UsageError("--imbalance must be at least 1.0 (got " + std::to_string(o.imbalance) + ")");
  if (o.constraints.empty()) throw UsageError("--balance needs at least one constraint");
  if (o.fanouts.empty()) throw UsageError("--fanouts needs at least one hop");
  for (const int32_t f : o.fanouts)
    if (f < 1) throw UsageError("--fanouts values must be positive (got " + std::to_string(f) + ")");
  if (o.sample_roots < 1) throw UsageError("--sample-roots must be positive");
  if (o.ldg_passes < 1) throw UsageError("--ldg-passes must be positive");
  if (!(o.replicate_fraction >= 0.0 && o.replicate_fraction < 1.0))
    throw UsageError("--replicate must be a fraction of the nodes in [0, 1) (got " + std::to_string(o.replicate_fraction) + ")");
  if (!(o.replicate_entries >= 0.0 && o.replicate_entries < 1.0))
    throw UsageError("--replicate-entries must be a fraction of the CSR entries in [0, 1) (got " +
                     std::to_string(o.replicate_entries) + ")");
}

Assignment Dispatch(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options) {
  switch (options.method) {
    case PartitionMethod::kMetis:
      if (UsesLpCoarsening(graph, options)) return MultilevelMetisPartition(graph, weights, options);
      return MetisPartition(graph, weights, options);
    case PartitionMethod::kHash: return HashPartition(graph, options.num_parts);
    case PartitionMethod::kLdg: return LdgPartition(graph, weights, options);
  }
  throw UsageError("unknown partition method");
}

}  // namespace

Assignment ComputeAssignment(const Graph& graph, const PartitionOptions& options) {
  CheckOptions(graph, options);
  const std::vector<uint8_t> seeds = FindTrainingSeeds(graph, options.seed_relation);
  const VertexWeights weights = ComputeVertexWeights(graph, options.constraints, seeds, options.seed_relation);
  return Dispatch(graph, weights, options);
}

proto::PartitionManifest PartitionGraph(const Graph& graph, const PartitionOptions& options,
                                        const std::string& out_dir, const std::string& graph_dir_label) {
  const double t0 = WallSeconds();
  CheckOptions(graph, options);
  const std::vector<uint8_t> seeds = FindTrainingSeeds(graph, options.seed_relation);
  const VertexWeights weights = ComputeVertexWeights(graph, options.constraints, seeds, options.seed_relation);
  const double t_part = WallSeconds();
  const Assignment part = Dispatch(graph, weights, options);
  const double partition_seconds = WallSeconds() - t_part;
  const Renumbering renumbering = Renumber(part, options.num_parts);

  proto::PartitionManifest m;
  m.mutable_version()->set_tool("melograph");
  m.mutable_version()->set_major(kPartitionFormatMajor);
  m.mutable_version()->set_minor(kPartitionFormatMinor);
  m.set_graph_dir(graph_dir_label);
  m.set_method(std::string(ToString(options.method)));
  if (options.method == PartitionMethod::kMetis && options.num_parts > 1)
    m.set_metis_coarsening(UsesLpCoarsening(graph, options) ? "lp" : "none");
  m.set_num_parts(static_cast<uint32_t>(options.num_parts));
  for (const int64_t o : renumbering.offsets) m.add_offsets(o);
  for (const BalanceConstraint c : options.constraints) m.add_constraints(std::string(ToString(c)));
  m.set_imbalance_tolerance(options.imbalance);
  m.set_seed(options.seed);
  m.set_seed_relation(options.seed_relation);
  m.set_num_nodes(graph.num_nodes());
  m.set_num_edges(graph.num_edges());
  for (const NodeType& t : graph.node_types()) {
    auto* e = m.add_node_types();
    e->set_name(t.name);
    e->set_begin(t.begin);
    e->set_count(t.count);
  }
  for (const Relation& r : graph.relations()) {
    auto* e = m.add_relations();
    e->set_name(r.name);
    e->set_head_type(r.head_type);
    e->set_tail_type(r.tail_type);
    e->set_is_reverse(r.is_reverse);
    e->set_symmetric(r.symmetric);
    e->set_inverse(r.inverse);
    e->set_edge_count(r.edge_count);
  }
  MeasurePartitionQuality(graph, part, options.num_parts, weights, seeds, &m);

  std::vector<NodeId> roots;
  for (NodeId v = 0; v < graph.num_nodes(); ++v)
    if (seeds[v]) roots.push_back(v);
  proto::PartitionQuality* q = m.mutable_quality();
  q->set_sample_root_kind("seeds");
  if (roots.empty()) {  // no training relation: sample from every node with edges
    for (NodeId v = 0; v < graph.num_nodes(); ++v)
      if (graph.degree(v) > 0) roots.push_back(v);
    q->set_sample_root_kind("all_nodes");
  }
  // Hub replicas (none unless --replicate): picks of them are served by the picking rank.
  const std::vector<uint8_t> replicated = ChooseReplicas(graph, part, roots, options);
  if (options.replicates()) {
    proto::PartitionReplication* rep = m.mutable_replication();
    rep->set_fraction(options.replicate_fraction);
    rep->set_entries_budget(options.replicate_entries);
    rep->set_by(std::string(ToString(options.replicate_by)));
    if (options.replicate_by != ReplicateBy::kDegree)
      rep->set_sample_draws(static_cast<int64_t>(roots.size()) * kReplicaDraws);
  }
  const RemoteSampleEstimate unreplicated =
      EstimateRemoteSampleFraction(graph, part, roots, options.fanouts, options.sample_roots, options.seed);
  const RemoteSampleEstimate est =
      options.replicates() ? EstimateRemoteSampleFraction(graph, part, roots, options.fanouts, options.sample_roots,
                                                          options.seed, &replicated)
                           : unreplicated;
  q->set_remote_sample_fraction(est.fraction());
  q->set_remote_sample_fraction_without_replicas(unreplicated.fraction());
  for (size_t h = 0; h < est.sampled_by_hop.size(); ++h) q->add_remote_sample_fraction_by_hop(est.hop_fraction(h));
  q->set_sampled_edges(est.sampled_edges);
  q->set_sample_roots(est.roots);
  for (const int32_t f : options.fanouts) q->add_fanouts(f);
  q->set_partition_seconds(partition_seconds);

  AtomicDirectory dir(out_dir);
  WriteShards(graph, renumbering, seeds, replicated, dir, &m);
  q->set_total_seconds(WallSeconds() - t0);
  q->set_peak_rss_bytes(PeakRssBytes());
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw IoError("cannot serialise the partition manifest");
  {
    AtomicFile f(dir.File(kPartitionManifestName));
    f.Write(bytes);
    f.Commit();
  }
  {
    AtomicFile f(dir.File("report.txt"));
    f.Write(FormatPartitionReport(m));
    f.Commit();
  }
  dir.Commit();
  return m;
}

}  // namespace melograph
