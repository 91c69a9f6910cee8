// METIS_PartGraphKway driver (see metis_partitioner.h).
#include "partition/metis_partitioner.h"

#include <metis.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "common/error.h"

namespace melograph {

static_assert(std::is_same_v<idx_t, int32_t>, "this driver is written for METIS built with 32-bit idx_t");
static_assert(std::is_same_v<real_t, float>, "this driver is written for METIS built with 32-bit real_t");

Assignment MetisPartition(const Graph& graph, const VertexWeights& weights, const PartitionOptions& options,
                          MetisStats* stats, int64_t max_index) {
  const NodeId n = graph.num_nodes();
  const int32_t k = options.num_parts;
  if (k == 1) return Assignment(static_cast<size_t>(n), 0);

  UndirectedProjection proj = BuildUndirectedProjection(graph, max_index);
  const int32_t ncon = weights.ncon;
  if (static_cast<int64_t>(n) * ncon > max_index)
    throw LimitError("graph too large for METIS: " + std::to_string(n) + " nodes x " +
                     std::to_string(ncon) + " constraints exceeds the 32-bit idx_t limit " +
                     std::to_string(max_index) + "; use --method ldg or fewer --balance constraints");
  // Integer vertex weights; scale a constraint down if its total does not fit.
  std::vector<idx_t> vwgt(static_cast<size_t>(n) * ncon);
  for (int32_t c = 0; c < ncon; ++c) {
    const int64_t total = weights.total[c];
    const int64_t divisor = total > max_index / 2 ? (total + max_index / 2 - 1) / (max_index / 2) : 1;
    for (NodeId v = 0; v < n; ++v) {
      const int64_t x = weights.at(v, c);
      vwgt[static_cast<size_t>(v) * ncon + c] = static_cast<idx_t>((x + divisor - 1) / divisor);
    }
  }

  idx_t options_metis[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options_metis);
  options_metis[METIS_OPTION_OBJTYPE] = METIS_OBJTYPE_CUT;
  options_metis[METIS_OPTION_CONTIG] = 0;
  options_metis[METIS_OPTION_NUMBERING] = 0;
  options_metis[METIS_OPTION_SEED] = static_cast<idx_t>(options.seed & 0x7fffffff);
  options_metis[METIS_OPTION_UFACTOR] =
      static_cast<idx_t>(std::lround(std::max(0.0, options.imbalance - 1.0) * 1000.0));
  std::vector<real_t> ubvec(static_cast<size_t>(ncon), static_cast<real_t>(options.imbalance));

  idx_t nvtxs = n;
  idx_t ncon_idx = ncon;
  idx_t nparts = k;
  idx_t objval = 0;
  std::vector<idx_t> part(static_cast<size_t>(n), 0);
  if (stats)
    stats->projection_bytes = static_cast<int64_t>(
        (proj.xadj.size() + proj.adjncy.size() + proj.adjwgt.size() + vwgt.size()) * sizeof(idx_t));
  const int rc = METIS_PartGraphKway(&nvtxs, &ncon_idx, proj.xadj.data(), proj.adjncy.data(), vwgt.data(),
                                     /*vsize=*/nullptr, proj.adjwgt.data(), &nparts, /*tpwgts=*/nullptr,
                                     ubvec.data(), options_metis, &objval, part.data());
  if (rc == METIS_ERROR_MEMORY) throw LimitError("METIS ran out of memory; use --method ldg");
  if (rc != METIS_OK)
    throw Error("METIS_PartGraphKway failed (code " + std::to_string(rc) + ") on " + std::to_string(n) +
                " nodes, " + std::to_string(proj.num_undirected_edges()) + " undirected edges, K=" +
                std::to_string(k));
  if (stats) stats->objective = objval;
  return Assignment(part.begin(), part.end());
}

}  // namespace melograph
