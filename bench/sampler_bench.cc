// sampler_bench: single-rank neighbour-sampling throughput against this machine's random-read
// limit, and alias-table draws/s (docs/SAMPLER.md, docs/BENCHMARKS.md "Sampling").
//
//   sampler_bench GRAPHDIR [--batch-size 1024] [--batches 40] [--reps 3] [--seed 1]
//                 [--table-mib 1024] [--reads 20000000] [--alias-draws 20000000]
//
// Seeds: the graph's training seeds (nodes with `listened` out-edges) in a seeded random order,
// batch b = the next --batch-size of them. Each figure is the median of --reps timed runs after
// one warm-up run. The random-read limit: independent loads at uniformly random offsets of a
// --table-mib table (far larger than the caches), 8-byte and 256-byte (4 cache lines) reads;
// ratio = sampled edges/s / 8-byte reads/s (a sampled edge needs at least one random read).
// Prints stable `key: value` lines.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "common/resource.h"
#include "sampler/alias_table.h"
#include "sampler/dist_graph.h"
#include "sampler/negative_sampler.h"
#include "sampler/neighbor_sampler.h"

using namespace melograph;

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

volatile uint64_t g_sink;

// Independent random reads of `bytes` bytes (8 or 256) from `table`; returns reads per second.
double RandomReadsPerSecond(const std::vector<uint64_t>& table, int64_t reads, int bytes, uint64_t seed) {
  const uint64_t words = table.size();
  const uint64_t lines = words / 32;  // 256-byte blocks
  const uint64_t* t = table.data();
  Rng rng(seed);
  uint64_t sum = 0;
  const double start = WallSeconds();
  if (bytes == 8) {
    for (int64_t i = 0; i < reads; ++i) sum += t[rng.Uniform(words)];
  } else {
    for (int64_t i = 0; i < reads; ++i) {
      const uint64_t* p = t + rng.Uniform(lines) * 32;
      for (int j = 0; j < 32; j += 8) sum += p[j];  // one word per cache line: all 4 lines fetched
    }
  }
  const double s = WallSeconds() - start;
  g_sink = sum;
  return static_cast<double>(reads) / s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sampler_bench GRAPHDIR [--batch-size 1024] [--batches 40] [--reps 3] ...\n");
    return 2;
  }
  int64_t batch_size = 1024, batches = 40, reps = 3, table_mib = 1024, reads = 20'000'000, alias_draws = 20'000'000;
  uint64_t seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--batch-size") batch_size = std::atoll(value.c_str());
    else if (flag == "--batches") batches = std::atoll(value.c_str());
    else if (flag == "--reps") reps = std::atoll(value.c_str());
    else if (flag == "--seed") seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--table-mib") table_mib = std::atoll(value.c_str());
    else if (flag == "--reads") reads = std::atoll(value.c_str());
    else if (flag == "--alias-draws") alias_draws = std::atoll(value.c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    const SerialGraph graph = SerialGraph::Load(argv[1]);
    std::printf("graph: %s\nnodes: %d\ncsr_entries: %lld\n", argv[1], graph.num_nodes(),
                static_cast<long long>(graph.graph().num_edges()));
    // Training seeds in a seeded random order.
    const RelationSet listened = graph.relations().Resolve("listened");
    std::vector<NodeId> seeds;
    for (NodeId v = 0; v < graph.num_nodes(); ++v)
      if (RowCandidates(graph.Row(v), listened).count() > 0) seeds.push_back(v);
    Rng shuffle(seed);
    for (size_t i = seeds.size(); i > 1; --i) std::swap(seeds[i - 1], seeds[shuffle.Uniform(i)]);
    std::printf("training_seeds: %zu\nbatch_size: %lld\nbatches: %lld\nreps: %lld\n", seeds.size(),
                static_cast<long long>(batch_size), static_cast<long long>(batches), static_cast<long long>(reps));
    if (seeds.empty()) throw UsageError("graph has no training seeds (no `listened` out-edges)");

    std::vector<double> edges_per_s_2hop;
    for (const std::vector<int32_t>& fanouts : {std::vector<int32_t>{10, 10}, std::vector<int32_t>{15, 10, 5}}) {
      std::string name;
      for (int32_t f : fanouts) {
        if (!name.empty()) name += "_";
        name += std::to_string(f);
      }
      for (bool weighted : {false, true}) {
        NeighborSamplerOptions o;
        o.fanouts = fanouts;
        o.weighted = weighted;
        o.seed = seed;
        SerialNeighborSampler sampler(graph, o);
        SampledSubgraph out;
        std::vector<double> rates;
        int64_t edges_per_run = 0;
        for (int64_t r = 0; r <= reps; ++r) {
          int64_t edges = 0;
          const double start = WallSeconds();
          for (int64_t b = 0; b < batches; ++b) {
            const size_t first = static_cast<size_t>(b * batch_size) % seeds.size();
            const size_t len = std::min(static_cast<size_t>(batch_size), seeds.size() - first);
            sampler.Sample(std::span<const NodeId>(seeds).subspan(first, len), r, b, out);
            for (const Block& bl : out.blocks) edges += bl.num_edges();
          }
          const double s = WallSeconds() - start;
          if (r > 0) rates.push_back(static_cast<double>(edges) / s);  // run 0 warms up
          edges_per_run = edges;
        }
        const std::string key = "fanouts_" + name + (weighted ? ".weighted" : ".uniform");
        const double median = Median(rates);
        std::printf("%s.sampled_edges_per_run: %lld\n%s.sampled_edges_per_s: %.0f\n", key.c_str(),
                    static_cast<long long>(edges_per_run), key.c_str(), median);
        if (!weighted && fanouts.size() == 2) edges_per_s_2hop.push_back(median);
      }
    }

    // Random-read limit.
    std::vector<uint64_t> table(static_cast<size_t>(table_mib) * (1 << 20) / sizeof(uint64_t));
    for (size_t i = 0; i < table.size(); ++i) table[i] = i * 0x9e3779b97f4a7c15ULL;
    std::vector<double> r8, r256;
    for (int64_t r = 0; r < reps; ++r) {
      r8.push_back(RandomReadsPerSecond(table, reads, 8, seed + static_cast<uint64_t>(r)));
      r256.push_back(RandomReadsPerSecond(table, reads / 4, 256, seed + static_cast<uint64_t>(r)));
    }
    table.clear();
    table.shrink_to_fit();
    const double reads8 = Median(r8), reads256 = Median(r256);
    std::printf("random_read_table_mib: %lld\nrandom_reads_8B_per_s: %.0f\nrandom_reads_256B_per_s: %.0f\n",
                static_cast<long long>(table_mib), reads8, reads256);
    std::printf("sampling_vs_random_read_limit: %.3f\n", edges_per_s_2hop[0] / reads8);

    // Alias draws over the largest node type's degree^0.75 table.
    NegativeSamplerOptions no;
    no.seed = seed;
    double t0 = WallSeconds();
    const NegativeTables tables = NegativeTables::Build(graph, no);
    const double build_s = WallSeconds() - t0;
    TypeId big = 0;
    for (size_t t = 0; t < tables.node_types().size(); ++t)
      if (tables.node_types()[t].count > tables.node_types()[big].count && !tables.table(static_cast<TypeId>(t)).empty())
        big = static_cast<TypeId>(t);
    std::vector<double> draw_rates;
    std::vector<NodeId> buf(1024);
    for (int64_t r = 0; r < reps; ++r) {
      uint64_t sum = 0;
      t0 = WallSeconds();
      const int64_t items = alias_draws / 1024;
      for (int64_t i = 0; i < items; ++i) {
        tables.Draw(big, r, 0, i, 1024, buf.data());
        sum += static_cast<uint64_t>(buf[static_cast<size_t>(i) & 1023]);
      }
      draw_rates.push_back(static_cast<double>(items * 1024) / (WallSeconds() - t0));
      g_sink = sum;
    }
    std::printf("alias_type: %s\nalias_outcomes: %d\nalias_build_seconds: %.3f\nalias_draws_per_s: %.0f\n",
                tables.node_types()[big].name.c_str(), tables.node_types()[big].count, build_s, Median(draw_rates));
    std::printf("peak_rss_bytes: %lld\n", static_cast<long long>(PeakRssBytes()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sampler_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
