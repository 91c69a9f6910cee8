// ShardedEmbeddingTable: embedding rows living on their owner rank, pulled and pushed in batches.
//
// Ids are partition global ids (contiguous ranges per rank: rank r owns [offsets[r], offsets[r+1]),
// docs/PARTITION.md). Each rank stores only its own rows (float32, row-major, `dim` floats); no
// rank ever holds the full table.
//
// Contract:
//  * Init: row of node g = f(seed, original graph id of g) — Normal(0, init_std) per component,
//    drawn from Rng(HashCombine(seed, kInitTag, original_id)) — so the initial table is the same
//    under every rank count and partition. The caller supplies the original ids of the owned rows.
//  * Pull(ids) is a collective: every rank passes its own id list (any order, repeats allowed);
//    ids are de-duplicated, requested from their owners in ONE AllToAllV round of ids and one of
//    rows, and returned in request order (n x dim). Owned ids are served locally without copies
//    through MPI.
//  * Push(ids, grads) is a collective: gradient rows for the same id are summed on the sender in
//    ascending position order, sent to the owner in one exchange, and summed on the owner in
//    ascending source-rank order (then position order). The owner gets the aggregated gradient
//    of every row any rank touched, as (local row, gradient) sorted by local row, and applies its
//    optimiser. With the same inputs and rank count the sums are bit-identical run to run.
//  * Ids outside [0, num_nodes) throw UsageError naming the id (a contract violation upstream).
//  * Threading: main thread only (the Communicator's rule).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/types.h"
#include "model/optimizer.h"
#include "worker/communicator.h"

namespace melograph {

// The aggregated gradients a Push delivered to this rank's rows.
struct OwnedGradients {
  std::vector<int64_t> local_rows;  // ascending, unique: row index into the owned table
  std::vector<float> grads;         // local_rows.size() x dim
  int dim = 0;
  const float* row(size_t i) const { return grads.data() + i * static_cast<size_t>(dim); }
};

struct TableExchangeStats {
  int64_t pulled_rows = 0;         // unique rows requested
  int64_t remote_pulled_rows = 0;  // of which owned by another rank
  int64_t pushed_rows = 0;
  int64_t remote_pushed_rows = 0;
};

class ShardedEmbeddingTable {
 public:
  static constexpr uint64_t kInitTag = 0x656d62696e6974ULL;  // "embinit"

  // `offsets` are the partition's K+1 offsets (K == comm.size()). `original_ids` has one entry
  // per owned row (the graph node id of partition id offsets[rank] + i).
  ShardedEmbeddingTable(Communicator& comm, std::vector<int64_t> offsets, int dim,
                        std::span<const NodeId> original_ids, uint64_t seed, float init_std);

  int dim() const { return dim_; }
  int64_t begin() const { return begin_; }
  int64_t end() const { return end_; }
  int64_t num_owned() const { return end_ - begin_; }
  int32_t Owner(int64_t id) const;

  float* owned_row(int64_t local_row) { return local_.row(local_row); }
  const float* owned_row(int64_t local_row) const { return local_.row(local_row); }
  std::span<float> owned_values() { return local_.values; }
  std::span<const float> owned_values() const { return local_.values; }
  // The owned rows with their optimiser state (model/optimizer.h), rows = num_owned().
  EmbeddingTable& local() { return local_; }
  const EmbeddingTable& local() const { return local_; }

  // Collective. Returns ids.size() x dim floats, row i = current vector of ids[i].
  std::vector<float> Pull(std::span<const NodeId> ids) { return PullFrom(local_.values, ids); }
  // Collective. The same exchange over another owned matrix laid out like the table
  // (num_owned() x dim), e.g. one layer of full-graph inference.
  std::vector<float> PullFrom(std::span<const float> owned_matrix, std::span<const NodeId> ids);
  // Collective. grads holds ids.size() x dim floats.
  OwnedGradients Push(std::span<const NodeId> ids, std::span<const float> grads);

  const TableExchangeStats& stats() const { return stats_; }

 private:
  void CheckId(int64_t id) const;

  Communicator& comm_;
  std::vector<int64_t> offsets_;
  int dim_;
  int64_t begin_ = 0, end_ = 0;
  EmbeddingTable local_;
  TableExchangeStats stats_;
};

}  // namespace melograph
