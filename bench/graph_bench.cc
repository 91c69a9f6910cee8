// graph_bench: speed and memory of `build-graph` (triple file -> saved graph directory) and of
// loading a graph directory by mmap, on a synthetic power-law user->song triple file.
//
//   graph_bench [--edges N] [--dir SCRATCH] [--seed S] [--load-repeats R]
//   graph_bench --load GRAPHDIR [--load-repeats R]   (only time loading an existing graph)
//
// Prints stable `key: value` lines. Timed: read+build+save (the build-graph hot path, same loop
// as tools/cmd_build_graph.cc), load with and without checksum verification (median of R), and
// stats. Wall and CPU time are both printed (the CPU figure is the one to trust on a shared
// machine; wall includes fsync and waiting for a core). Not timed: writing the synthetic input. peak_rss_bytes_per_edge is the process's peak
// RSS (VmHWM) after the build divided by N input triples.
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "common/hash.h"
#include "common/resource.h"
#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "graph/graph_stats.h"
#include "kg_builder/triple_io.h"

namespace melograph {
namespace {

// user = floor(U * x^2), song = floor(S * y^3) for uniform x, y: a few heavy users and a long
// tail of rarely played songs. Weights are quarter steps in [1, 11).
void WriteSyntheticTriples(const std::string& path, int64_t edges, uint64_t seed) {
  const int64_t users = std::max<int64_t>(1, edges / 50);
  const int64_t songs = std::max<int64_t>(1, edges / 20);
  TripleWriter out(path);
  std::string head, tail;
  for (int64_t i = 0; i < edges; ++i) {
    Rng rng(HashCombine(seed, static_cast<uint64_t>(i)));
    const double x = rng.UniformDouble(), y = rng.UniformDouble();
    head = "user:u" + std::to_string(static_cast<int64_t>(static_cast<double>(users) * x * x));
    tail = "song:s" + std::to_string(static_cast<int64_t>(static_cast<double>(songs) * y * y * y));
    out.Write(head, "listened", tail, 1.0 + 0.25 * static_cast<double>(rng.Uniform(40)));
  }
  out.Commit();
}

// CPU seconds of this process (user + system): robust when the machine is shared.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Print(const char* key, double value) { std::printf("%s: %.6g\n", key, value); }
void Print(const char* key, int64_t value) { std::printf("%s: %lld\n", key, static_cast<long long>(value)); }

}  // namespace
}  // namespace melograph

int main(int argc, char** argv) {
  using namespace melograph;
  int64_t edges = 1000000;
  std::string scratch = "/tmp/melograph_graph_bench." + std::to_string(::getpid());
  uint64_t seed = 1;
  int load_repeats = 5;
  CLI::App app{"graph_bench: build-graph and LoadGraph speed and memory"};
  app.add_option("--edges", edges, "Synthetic user->song triples to build from.")->capture_default_str();
  app.add_option("--dir", scratch, "Scratch directory (removed at the end).")->capture_default_str();
  app.add_option("--seed", seed, "Seed of the synthetic triples.")->capture_default_str();
  app.add_option("--load-repeats", load_repeats, "Loads per variant; the median is printed.")->capture_default_str();
  std::string load_dir;
  app.add_option("--load", load_dir, "Only time LoadGraph of this existing graph directory.");
  CLI11_PARSE(app, argc, argv);
  if (!load_dir.empty()) {
    try {
      std::vector<double> verify, no_verify;
      int64_t stored = 0;
      for (int i = 0; i < load_repeats; ++i) {
        double s = WallSeconds();
        stored = LoadGraph(load_dir, true).num_edges();
        verify.push_back(WallSeconds() - s);
        s = WallSeconds();
        const Graph b = LoadGraph(load_dir, false);
        no_verify.push_back(WallSeconds() - s);
      }
      Print("stored_edges", stored);
      Print("load_seconds_verify", Median(verify));
      Print("load_seconds_no_verify", Median(no_verify));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "graph_bench: error: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  try {
    MakeDirectories(scratch);
    const std::string triples = JoinPath(scratch, "triples.tsv");
    const std::string graph_dir = JoinPath(scratch, "graph");
    WriteSyntheticTriples(triples, edges, seed);
    const int64_t baseline_rss = CurrentRssBytes();

    UseBuilderMallocPolicy({triples});  // as tools/cmd_build_graph.cc
    const double t0 = WallSeconds();
    const double cpu0 = CpuSeconds();
    GraphBuildOptions options;
    options.symmetric_relations = {"friend", "co_ost", "co_show"};
    GraphBuilder builder(options);
    BadLineBudget budget(0);
    int64_t read = 0;
    {
      TripleReader reader(triples, &budget);
      TripleRecord t;
      while (reader.Next(t)) {
        if (t.same_kind)  // as tools/cmd_build_graph.cc
          builder.AddEdgeLikeLast(t.head.substr(t.head_type.size() + 1),
                                  t.tail.substr(t.tail_type.size() + 1), t.weight);
        else
          builder.AddEdge(t.head_type, t.head.substr(t.head_type.size() + 1), t.relation,
                          t.tail_type, t.tail.substr(t.tail_type.size() + 1), t.weight);
        ++read;
      }
    }
    const double t1 = WallSeconds();
    const double cpu1 = CpuSeconds();
    int64_t nodes = 0, stored = 0;
    double t2 = 0, cpu2 = 0;
    {
      const Graph graph = builder.Build();
      t2 = WallSeconds();
      cpu2 = CpuSeconds();
      nodes = graph.num_nodes();
      stored = graph.num_edges();
      GraphBuildInfo info;
      info.inputs = {triples};
      info.triples_read = read;
      SaveGraph(graph, graph_dir, info);
    }
    const double t3 = WallSeconds();
    const double cpu3 = CpuSeconds();
    const int64_t peak_rss = PeakRssBytes();

    std::vector<double> verify, no_verify;
    double stats_seconds = 0;
    for (int i = 0; i < load_repeats; ++i) {
      double s = WallSeconds();
      const Graph a = LoadGraph(graph_dir, true);
      verify.push_back(WallSeconds() - s);
      s = WallSeconds();
      const Graph b = LoadGraph(graph_dir, false);
      no_verify.push_back(WallSeconds() - s);
      if (i == 0) {
        s = WallSeconds();
        const GraphStats st = ComputeGraphStats(b);
        stats_seconds = WallSeconds() - s;
        if (st.num_edges != stored) throw FormatError("reloaded graph differs");
      }
    }
    Print("edges", edges);
    Print("nodes", nodes);
    Print("stored_edges", stored);
    Print("graph_bytes", static_cast<int64_t>(FileSize(JoinPath(graph_dir, "col_idx.i32")) * 5 / 2 +
                                              FileSize(JoinPath(graph_dir, "row_ptr.i64"))));
    Print("read_seconds", t1 - t0);
    Print("build_seconds", t2 - t1);
    Print("save_seconds", t3 - t2);
    Print("total_seconds", t3 - t0);
    Print("triples_per_s", static_cast<double>(edges) / (t3 - t0));
    Print("read_cpu_seconds", cpu1 - cpu0);
    Print("build_cpu_seconds", cpu2 - cpu1);
    Print("save_cpu_seconds", cpu3 - cpu2);
    Print("cpu_seconds", cpu3 - cpu0);
    Print("triples_per_cpu_s", static_cast<double>(edges) / (cpu3 - cpu0));
    Print("baseline_rss_bytes", baseline_rss);
    Print("peak_rss_bytes", peak_rss);
    Print("peak_rss_bytes_per_edge", static_cast<double>(peak_rss) / static_cast<double>(edges));
    Print("load_seconds_verify", Median(verify));
    Print("load_seconds_no_verify", Median(no_verify));
    Print("stats_seconds", stats_seconds);
    RemoveAll(scratch);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "graph_bench: error: %s\n", e.what());
    RemoveAll(scratch);
    return 1;
  }
  return 0;
}
