// `melograph plan --partition DIR --config FILE [--mem-per-rank 16G]`: per-rank memory of a
// training job by term (worker/memory_plan.h), before starting it.
#include <cstdio>
#include <iostream>

#include "common/error.h"
#include "common/text.h"
#include "model/train_config.h"
#include "partition/partition_view.h"
#include "tools/commands.h"
#include "sampler/dist_graph.h"
#include "worker/batch_shape.h"
#include "worker/memory_plan.h"

namespace melograph::cli {

void RegisterPlan(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "plan",
      "Print the memory each rank needs to train a config on a partition (embeddings, optimiser state, "
      "adjacency, id tables, batch, exchange and inference buffers) and check it against --mem-per-rank.");
  auto partition = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  auto limit = std::make_shared<std::string>();
  auto graph = std::make_shared<std::string>();
  auto estimate = std::make_shared<bool>(false);
  auto batches = std::make_shared<int>(4);
  cmd->add_option("--partition", *partition, "Partition directory (melograph partition).")->required();
  cmd->add_option("--config", *config, "Training config (Protobuf text, e.g. cluster/presets/lightgcn.pbtxt).")->required();
  cmd->add_option("--mem-per-rank", *limit, "Memory limit per rank, e.g. 16G or 512M; exits non-zero, naming the rank and the term, when a rank does not fit.");
  cmd->add_option("--graph", *graph, "Graph directory to sample steps on (default: the one the partition records).");
  cmd->add_option("--batches", *batches, "Steps to sample for the batch shape (the largest counts).")->check(CLI::Range(1, 1000));
  cmd->add_flag("--estimate", *estimate, "Do not read the graph: estimate the batch shape from the manifest's counts.");
  cmd->callback([partition, config, limit, graph, estimate, batches] {
    int64_t limit_bytes = 0;
    if (!limit->empty()) {
      const auto v = ParseByteSize(*limit);
      if (!v || *v <= 0) throw UsageError("--mem-per-rank: '" + *limit + "' is not a size like 16G or 512M");
      limit_bytes = *v;
    }
    const auto manifest = LoadPartitionManifest(*partition);
    const auto train_config = LoadTrainConfig(*config);
    // The step the batch term is built from (per rank): sampled on the graph when it can be
    // read, else estimated from the manifest's counts.
    BatchShape shape = EstimateBatchShape(manifest, train_config);
    std::string how = "estimated from the partition manifest";
    const std::string graph_dir = graph->empty() ? manifest.graph_dir() : *graph;
    if (!*estimate) {
      try {
        const SerialGraph serial = SerialGraph::Load(graph_dir, /*verify_checksums=*/false);
        if (GnnLayers(train_config) > 0) {
          shape = MeasureBatchShape(serial, train_config, shape.batch, train_config.seed(), *batches);
          how = "sampled: " + std::to_string(*batches) + " steps on " + graph_dir;
        } else {
          shape = MeasureWalkShape(serial.graph(), train_config, shape.batch, train_config.seed());
          how = "sampled: walks of up to 256 start nodes per metapath on " + graph_dir;
        }
      } catch (const Error& e) {
        how = std::string("estimated from the partition manifest (graph not read: ") + e.what() + ")";
      }
    }
    const auto plan = PlanMemory(manifest, train_config, &shape);
    std::cout << FormatMemoryPlan(plan, limit_bytes);
    const TapeEstimate tape = EstimateTape(shape, train_config);
    std::printf("batch_shape: %s\n", how.c_str());
    std::printf("batch_seeds: %.0f\n", shape.seeds);
    if (GnnLayers(train_config) == 0)
      std::printf("epoch_walks: %.0f\nepoch_walk_nodes: %.0f\nepoch_pairs: %.0f\n", shape.walks, shape.walk_nodes, shape.pairs);
    for (size_t k = 0; k < shape.edges.size(); ++k)
      std::printf("hop%zu_nodes: %.0f\nhop%zu_edges: %.0f\n", k + 1, shape.nodes[k + 1], k + 1, shape.edges[k]);
    std::printf("tape_value_bytes: %lld\ntape_grad_bytes: %lld\ntape_index_bytes: %lld\n",
                static_cast<long long>(tape.value_bytes), static_cast<long long>(tape.grad_bytes),
                static_cast<long long>(tape.index_bytes));
    CheckMemoryPlan(plan, limit_bytes);
  });
}

}  // namespace melograph::cli
