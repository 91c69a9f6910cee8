// `melograph plan --partition DIR --config FILE [--mem-per-rank 16G]`: per-rank memory of a
// training job by term (worker/memory_plan.h), before starting it.
#include <iostream>

#include "common/error.h"
#include "common/text.h"
#include "model/train_config.h"
#include "partition/partition_view.h"
#include "tools/commands.h"
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
  cmd->add_option("--partition", *partition, "Partition directory (melograph partition).")->required();
  cmd->add_option("--config", *config, "Training config (Protobuf text, e.g. cluster/presets/lightgcn.pbtxt).")->required();
  cmd->add_option("--mem-per-rank", *limit, "Memory limit per rank, e.g. 16G or 512M; exits non-zero, naming the rank and the term, when a rank does not fit.");
  cmd->callback([partition, config, limit] {
    int64_t limit_bytes = 0;
    if (!limit->empty()) {
      const auto v = ParseByteSize(*limit);
      if (!v || *v <= 0) throw UsageError("--mem-per-rank: '" + *limit + "' is not a size like 16G or 512M");
      limit_bytes = *v;
    }
    const auto plan = PlanMemory(LoadPartitionManifest(*partition), LoadTrainConfig(*config));
    std::cout << FormatMemoryPlan(plan, limit_bytes);
    CheckMemoryPlan(plan, limit_bytes);
  });
}

}  // namespace melograph::cli
