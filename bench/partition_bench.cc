// partition_bench: edge cut, remote 2-hop sample fraction, balance and time of the METIS, LDG
// and hash partitioners on one graph directory, for several K.
//
//   partition_bench GRAPHDIR [--parts 2,4,8,16] [--methods metis,ldg,hash] [--seed 1]
//                   [--sample-roots 10000] [--balance nodes,edges,seeds] [--imbalance 1.05]
//                   [--coloc-samples 20] [--coloc-graph-weight 1] [--replicate-top 0.001,0.01]
//                   [--replicate-picked 0.001,0.01] [--replicate-entries 0.05,0.1]
//
// --replicate-top F,...: for every partition, also the remote fraction if the top F of the
// nodes by degree were replicated on every part (a pick of one is then local; see
// remote_sampling.h), with the share of CSR entries each part would hold in addition
// ("<method>.k<K>.remote_vs_hash_top<F>", "replicated_entries_fraction_top<F>").
// --replicate-picked F,...: the same with the top F of the nodes by remote picks under that
// partition, counted on 5 samples per training seed from a stream the estimate does not use
// (Rng(HashCombine(seed, 912, root, sample))): the replication set aimed at the metric.
// --replicate-entries B,...: the CLI's default replication (`partition --replicate-entries B`,
// partition/hub_replication.h: remote picks per CSR entry, copies holding at most B of the
// graph's entries): "remote_vs_hash_entries<B>", "replicated_entries_fraction_entries<B>".
//
// Besides the three partitioners, `--methods colocation` runs an experiment (not a CLI method):
// METIS on the sampler's own co-location graph. Every training seed r draws --coloc-samples
// [fanouts] neighbour samples (the definition of remote_sampling.h, from a seed stream of its
// own: Rng(HashCombine(seed, 911, root, sample)), so the figure is not fitted to the estimate's
// draws); each picked node w adds 1 to the weight of the edge {r, w}; the graph's own
// undirected edges add --coloc-graph-weight each. Cutting that graph's edges is, in
// expectation, exactly the remote picks the estimate counts, so METIS minimises the remote
// sample fraction itself, under the same balance constraints (docs/PARTITION.md).
//
// Prints one block of stable `key: value` lines per (method, K), keys prefixed
// "<method>.k<K>.", plus ratios to hash ("<method>.k<K>.cut_vs_hash"). No files are written.
// Peak RSS is the process's so far (run one method per process to attribute memory).
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/resource.h"
#include "common/text.h"
#include "graph/graph_io.h"
#include "partition/hub_replication.h"
#include "partition/metis_partitioner.h"
#include "partition/multilevel_metis.h"
#include "partition/partition_pipeline.h"
#include "partition/partition_report.h"
#include "partition/remote_sampling.h"
#include "partition/vertex_weights.h"

using namespace melograph;

namespace {
// Resets the process's peak RSS (VmHWM) to the current RSS, so that each run's peak is its own.
bool ResetPeakRss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}
// METIS on the co-location graph of the sampler (see the header comment).
Assignment ColocationPartition(const Graph& graph, const VertexWeights& weights, const std::vector<NodeId>& roots,
                               const PartitionOptions& o, int samples, int graph_weight, size_t* entries) {
  const NodeId n = graph.num_nodes();
  std::vector<uint64_t> pairs;  // {a < b} packed, one entry per unit of weight
  const auto add = [&](NodeId a, NodeId b) {
    if (a == b) return;
    if (a > b) std::swap(a, b);
    pairs.push_back(static_cast<uint64_t>(a) << 32 | static_cast<uint32_t>(b));
  };
  ForEachSampledPick(graph, roots, o.fanouts, samples, o.seed, 911, add);
  for (NodeId v = 0; v < n; ++v)
    for (NodeId w : graph.out_neighbors(v))
      if (v < w)
        for (int k = 0; k < graph_weight; ++k) add(v, w);
  std::sort(pairs.begin(), pairs.end());
  std::vector<std::vector<std::pair<int32_t, int32_t>>> adj(static_cast<size_t>(n));
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    const auto a = static_cast<int32_t>(pairs[i] >> 32), b = static_cast<int32_t>(pairs[i] & 0xffffffffu);
    adj[a].push_back({b, static_cast<int32_t>(j - i)});
    adj[b].push_back({a, static_cast<int32_t>(j - i)});
    i = j;
  }
  std::vector<int32_t> xadj{0}, adjncy, adjwgt;
  for (const auto& row : adj) {
    for (const auto& [w, c] : row) {
      adjncy.push_back(w);
      adjwgt.push_back(c);
    }
    xadj.push_back(static_cast<int32_t>(adjncy.size()));
  }
  *entries = adjncy.size();
  return MetisPartitionCsr(n, xadj.data(), adjncy.data(), adjwgt.data(), weights.weight, weights.ncon, weights.total, o);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: partition_bench GRAPHDIR [--parts 2,4,8,16] [--methods metis,ldg,hash] ...\n");
    return 2;
  }
  std::string parts = "2,4,8,16", methods = "metis,ldg,hash", balance = "nodes,edges,seeds";
  PartitionOptions base;
  MultilevelOptions ml;
  int coloc_samples = 20, coloc_graph_weight = 1;
  std::string replicate_top, replicate_picked, replicate_entries;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--parts") parts = value;
    else if (flag == "--methods") methods = value;
    else if (flag == "--balance") balance = value;
    else if (flag == "--seed") base.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--sample-roots") base.sample_roots = std::atoll(value.c_str());
    else if (flag == "--imbalance") base.imbalance = std::atof(value.c_str());
    else if (flag == "--ldg-passes") base.ldg_passes = std::atoi(value.c_str());
    else if (flag == "--edge-weights") base.edge_weights = ParseEdgeWeighting(value);
    else if (flag == "--traffic-scale") base.traffic_scale = std::atof(value.c_str());
    else if (flag == "--metis-ncuts") base.metis_ncuts = std::atoi(value.c_str());
    else if (flag == "--metis-niter") base.metis_niter = std::atoi(value.c_str());
    else if (flag == "--metis-coarsening") base.metis_coarsening = ParseMetisCoarsening(value);
    else if (flag == "--replicate-top") replicate_top = value;
    else if (flag == "--replicate-picked") replicate_picked = value;
    else if (flag == "--replicate-entries") replicate_entries = value;
    else if (flag == "--coloc-samples") coloc_samples = std::atoi(value.c_str());
    else if (flag == "--coloc-graph-weight") coloc_graph_weight = std::atoi(value.c_str());
    else if (flag == "--ml-slack") ml.cluster_slack = std::atof(value.c_str());
    else if (flag == "--ml-coarsest") ml.coarsest_fraction = std::atof(value.c_str());
    else if (flag == "--ml-coarsest-ncuts") ml.coarsest_ncuts = std::atoi(value.c_str());
    else if (flag == "--ml-refine") ml.refine_iterations = std::atoi(value.c_str());
    else if (flag == "--ml-cluster-iterations") ml.cluster_iterations = std::atoi(value.c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    base.constraints = ParseBalanceList(balance);
    const double t0 = WallSeconds();
    const Graph graph = LoadGraph(argv[1]);
    const int64_t rss_graph = CurrentRssBytes();
    std::printf("graph: %s\nnodes: %d\ncsr_entries: %lld\nload_seconds: %.3f\nrss_after_load_bytes: %lld\n", argv[1],
                graph.num_nodes(), static_cast<long long>(graph.num_edges()), WallSeconds() - t0,
                static_cast<long long>(rss_graph));
    const auto seeds = FindTrainingSeeds(graph, base.seed_relation);
    std::vector<NodeId> roots;
    for (NodeId v = 0; v < graph.num_nodes(); ++v)
      if (seeds[v]) roots.push_back(v);
    const VertexWeights weights = ComputeVertexWeights(graph, base.constraints, seeds, base.seed_relation);
    std::map<int, std::pair<double, double>> hash_figures;  // K -> (cut, remote)
    // Nodes by decreasing degree (ties by id): the --replicate-top order.
    std::vector<NodeId> by_degree;
    if (!replicate_top.empty()) {
      by_degree.resize(static_cast<size_t>(graph.num_nodes()));
      for (NodeId v = 0; v < graph.num_nodes(); ++v) by_degree[v] = v;
      std::stable_sort(by_degree.begin(), by_degree.end(), [&](NodeId a, NodeId b) { return graph.degree(a) > graph.degree(b); });
    }
    std::vector<std::string> method_list = SplitList(methods, ',');
    // Hash first so that ratios can be printed.
    std::stable_partition(method_list.begin(), method_list.end(), [](const std::string& m) { return m == "hash"; });
    for (const std::string& method : method_list) {
      for (const std::string& k_text : SplitList(parts, ',')) {
        PartitionOptions o = base;
        const bool colocation = method == "colocation";
        o.method = colocation ? PartitionMethod::kMetis : ParsePartitionMethod(method);
        o.num_parts = std::atoi(k_text.c_str());
        ResetPeakRss();
        const int64_t rss_before = CurrentRssBytes();
        const double t = WallSeconds();
        MetisStats stats;
        MultilevelStats ml_stats;
        size_t coloc_entries = 0;
        const bool metis = o.method == PartitionMethod::kMetis && o.num_parts > 1 && !colocation;
        const bool multilevel = metis && UsesLpCoarsening(graph, o);
        const Assignment part = colocation ? ColocationPartition(graph, weights, roots, o, coloc_samples, coloc_graph_weight, &coloc_entries)
                                : multilevel ? MultilevelMetisPartition(graph, weights, o, ml, &ml_stats)
                                : metis    ? MetisPartition(graph, weights, o, &stats)
                                           : ComputeAssignment(graph, o);
        if (multilevel) stats = ml_stats.metis;
        const double seconds = WallSeconds() - t;
        const int64_t partitioner_peak = PeakRssBytes();
        proto::PartitionManifest m;
        MeasurePartitionQuality(graph, part, o.num_parts, weights, seeds, &m);
        const auto est = EstimateRemoteSampleFraction(graph, part, roots, o.fanouts, o.sample_roots, o.seed);
        const std::string p = method + ".k" + k_text + ".";
        std::printf("%sedge_cut_fraction: %.6f\n", p.c_str(), m.quality().edge_cut_fraction());
        std::printf("%sremote_sample_fraction: %.6f\n", p.c_str(), est.fraction());
        for (size_t h = 0; h < est.sampled_by_hop.size(); ++h)
          std::printf("%sremote_sample_fraction_hop%zu: %.6f\n", p.c_str(), h + 1, est.hop_fraction(h));
        for (int c = 0; c < m.quality().imbalance_size(); ++c)
          std::printf("%simbalance_%s: %.4f\n", p.c_str(), std::string(ToString(base.constraints[c])).c_str(),
                      m.quality().imbalance(c));
        std::printf("%sseconds: %.3f\n", p.c_str(), seconds);
        if (colocation) std::printf("%scolocation_graph_entries: %zu\n", p.c_str(), coloc_entries);
        std::printf("%speak_rss_bytes: %lld\n", p.c_str(), static_cast<long long>(PeakRssBytes()));
        // Memory of the partitioner alone (the peak is reset before it runs, when the kernel allows).
        const double undirected = static_cast<double>(m.quality().undirected_edges());
        std::printf("%spartitioner_peak_rss_bytes: %lld\n", p.c_str(), static_cast<long long>(partitioner_peak));
        std::printf("%sbytes_beyond_graph_per_undirected_edge: %.1f\n", p.c_str(),
                    static_cast<double>(partitioner_peak - rss_before) / undirected);
        if (stats.rss_before_call_bytes > 0) {
          std::printf("%smetis_kept: %s\n", p.c_str(), stats.recursive ? "recursive" : "kway");
          std::printf("%sprojection_bytes_per_undirected_edge: %.1f\n", p.c_str(),
                      static_cast<double>(stats.projection_bytes) / undirected);
          std::printf("%smetis_internal_bytes_per_undirected_edge: %.1f\n", p.c_str(),
                      static_cast<double>(partitioner_peak - stats.rss_before_call_bytes) / undirected);
        }
        if (multilevel) {
          std::printf("%sml_levels: %d\n", p.c_str(), ml_stats.levels);
          for (size_t l = 0; l < ml_stats.level_nodes.size(); ++l)
            if (ml_stats.level_entries[l] < 0)
              std::printf("%sml_level%zu: %lld nodes (not built)\n", p.c_str(), l + 1,
                          static_cast<long long>(ml_stats.level_nodes[l]));
            else
              std::printf("%sml_level%zu: %lld nodes %lld entries\n", p.c_str(), l + 1,
                          static_cast<long long>(ml_stats.level_nodes[l]),
                          static_cast<long long>(ml_stats.level_entries[l]));
          std::printf("%sml_refine_gain: %lld\n", p.c_str(), static_cast<long long>(ml_stats.refine_gain));
        }
        // Prints the remote fraction with `replicated` nodes copied to every part, and the share of
        // the graph's entries they hold.
        const auto report_set = [&](const std::string& label, const std::vector<uint8_t>& replicated) {
          int64_t entries = 0;
          for (NodeId v = 0; v < graph.num_nodes(); ++v)
            if (replicated[v]) entries += graph.degree(v);
          const auto rep = EstimateRemoteSampleFraction(graph, part, roots, o.fanouts, o.sample_roots, o.seed, &replicated);
          std::printf("%sremote_sample_fraction_%s: %.6f\n", p.c_str(), label.c_str(), rep.fraction());
          std::printf("%sreplicated_entries_fraction_%s: %.6f\n", p.c_str(), label.c_str(),
                      static_cast<double>(entries) / static_cast<double>(graph.num_edges()));
          if (method != "hash" && hash_figures.count(o.num_parts) && hash_figures[o.num_parts].second > 0)
            std::printf("%sremote_vs_hash_%s: %.3f\n", p.c_str(), label.c_str(),
                        rep.fraction() / hash_figures[o.num_parts].second);
        };
        // For each fraction F of the list: replicate the first F of the nodes in `order`.
        const auto report_replication = [&](const std::string& label, const std::string& list,
                                             const std::vector<NodeId>& order) {
          for (const std::string& f : SplitList(list, ',')) {
            std::vector<uint8_t> replicated(static_cast<size_t>(graph.num_nodes()), 0);
            const auto count = static_cast<size_t>(std::atof(f.c_str()) * graph.num_nodes());
            for (size_t i = 0; i < count && i < order.size(); ++i) replicated[order[i]] = 1;
            report_set(label + f, replicated);
          }
        };
        if (!replicate_top.empty()) report_replication("top", replicate_top, by_degree);
        if (!replicate_picked.empty()) {  // order: remote picks under this partition
          PartitionOptions ro = o;
          ro.replicate_by = ReplicateBy::kPicks;
          report_replication("picked", replicate_picked, ReplicaOrder(graph, part, roots, ro));
        }
        for (const std::string& b : SplitList(replicate_entries, ',')) {  // the CLI's default order
          PartitionOptions ro = o;
          ro.replicate_entries = std::atof(b.c_str());
          report_set("entries" + b, ChooseReplicas(graph, part, roots, ro));
        }
        if (method == "hash") hash_figures[o.num_parts] = {m.quality().edge_cut_fraction(), est.fraction()};
        else if (hash_figures.count(o.num_parts)) {
          const auto [hc, hr] = hash_figures[o.num_parts];
          std::printf("%scut_vs_hash: %.3f\n", p.c_str(), hc > 0 ? m.quality().edge_cut_fraction() / hc : 0.0);
          std::printf("%sremote_vs_hash: %.3f\n", p.c_str(), hr > 0 ? est.fraction() / hr : 0.0);
        }
        std::fflush(stdout);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "partition_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
