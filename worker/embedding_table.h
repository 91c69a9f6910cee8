// ShardedEmbeddingTable: embedding rows living on their owner rank, pulled and pushed in batches,
// plus optional replicas of a few hub rows on every rank.
//
// Ids are partition global ids (contiguous ranges per rank: rank r owns [offsets[r], offsets[r+1]),
// docs/PARTITION.md). Each rank stores its own rows (float32, row-major, `dim` floats) and a copy
// of every replicated row; no rank ever holds the full table.
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
//  * Replicas (hub replication): the constructor may take a set R of replicated global ids
//    (sorted, unique, in range; the SAME list on every rank: at assertion level 2 the constructor
//    checks that with a communicating assertion, so there it is a collective) with their original
//    ids. Every rank keeps a copy of each row of R in replicas() (|R| rows, initialised like the
//    owner's row, so bit-identical to it) with the same optimiser state arrays as the owned rows:
//    |R| x dim x (1 + state arrays) floats per rank.
//     - Pull serves a replicated id it does not own from the local copy: it is never requested
//       (replica_pulled_rows, not remote_pulled_rows). Owned ids, replicated or not, are served
//       from the owned rows. PullFrom (another owned matrix) never uses replicas.
//     - Push sends each replicated row this rank touched (summed on the sender as above) to EVERY
//       rank, itself included, in the same exchange as the owner traffic; every rank sums the
//       contributions per replicated row in ascending source-rank order: exactly the owner's
//       order, so every copy gets the owner's aggregated gradient bit for bit. The result lists
//       the owner's replicated rows in local_rows too (with that gradient) and every replicated
//       row any rank touched in replica_rows. ApplyGradients applies one optimiser step to both;
//       since copies start equal, get equal gradients and equal state, they stay bit-identical.
//     - Trade-off: a Pull of a hub costs nothing, a Push of a replicated row costs K - 1 sends
//       instead of at most one. Replicate rows that are pulled far more often than pushed.
//     - RefreshReplicas (collective, one exchange) re-copies every replica row and its optimiser
//       state from the owners, e.g. after a checkpoint restore that loaded only owned rows.
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
  // Replicated rows any rank touched, with the same aggregated gradient as on their owner.
  std::vector<int64_t> replica_rows;  // ascending, unique: row index into the replica table
  std::vector<float> replica_grads;   // replica_rows.size() x dim
  int dim = 0;
  const float* row(size_t i) const { return grads.data() + i * static_cast<size_t>(dim); }
  const float* replica_row(size_t i) const {
    return replica_grads.data() + i * static_cast<size_t>(dim);
  }
};

struct TableExchangeStats {
  int64_t pulled_rows = 0;          // unique rows requested
  int64_t remote_pulled_rows = 0;   // of which owned by another rank and not replicated
  int64_t replica_pulled_rows = 0;  // of which owned by another rank, served by the local replica
  int64_t pushed_rows = 0;          // unique rows pushed
  int64_t remote_pushed_rows = 0;   // of which owned by another rank and not replicated
  int64_t replica_pushed_rows = 0;  // of which replicated (sent to every rank)
};

class ShardedEmbeddingTable {
 public:
  static constexpr uint64_t kInitTag = 0x656d62696e6974ULL;  // "embinit"

  // `offsets` are the partition's K+1 offsets (K == comm.size()). `original_ids` has one entry
  // per owned row (the graph node id of partition id offsets[rank] + i). `replica_ids` (sorted,
  // unique, in range, the same on every rank) are the replicated global ids and
  // `replica_original_ids` their graph node ids; UsageError otherwise.
  ShardedEmbeddingTable(Communicator& comm, std::vector<int64_t> offsets, int dim,
                        std::span<const NodeId> original_ids, uint64_t seed, float init_std,
                        std::span<const NodeId> replica_ids = {},
                        std::span<const NodeId> replica_original_ids = {});

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
  // The replicated rows with their optimiser state, rows = replica_ids().size(); row i is the
  // copy of global id replica_ids()[i].
  EmbeddingTable& replicas() { return replicas_; }
  const EmbeddingTable& replicas() const { return replicas_; }
  std::span<const NodeId> replica_ids() const { return replica_ids_; }
  // Local. Row of `global_id` in replicas(), or -1 when it is not replicated. O(log |R|).
  int64_t ReplicaIndex(int64_t global_id) const;

  // Collective. Returns ids.size() x dim floats, row i = current vector of ids[i]; replicated
  // ids owned by another rank come from the local replica.
  std::vector<float> Pull(std::span<const NodeId> ids) {
    return PullRows(local_.values, &replicas_, ids);
  }
  // Collective. The same exchange over another owned matrix laid out like the table
  // (num_owned() x dim), e.g. one layer of full-graph inference. Never uses the replicas.
  std::vector<float> PullFrom(std::span<const float> owned_matrix, std::span<const NodeId> ids) {
    return PullRows(owned_matrix, nullptr, ids);
  }
  // Collective. grads holds ids.size() x dim floats.
  OwnedGradients Push(std::span<const NodeId> ids, std::span<const float> grads);

  // Local. Sizes the optimiser state of the owned rows and of the replicas (opt.InitState).
  void InitOptimizerState(const SparseOptimizer& opt);
  // Local. One optimiser step at global step `step`: the owned part of `got` on local(), the
  // replica part on replicas().
  void ApplyGradients(const SparseOptimizer& opt, OwnedGradients&& got, int64_t step);
  // Collective, one exchange. Copies every replicated row and the owner's state arrays (those
  // non-empty on the owner; every rank must have the same ones) into replicas().
  void RefreshReplicas();

  const TableExchangeStats& stats() const { return stats_; }

 private:
  void CheckId(int64_t id) const;
  void CheckReplicaIds(std::span<const NodeId> replica_ids,
                       std::span<const NodeId> replica_original_ids) const;
  // Pull over `owned_matrix`; replicated ids not owned here come from `replicas` when non-null.
  std::vector<float> PullRows(std::span<const float> owned_matrix, const EmbeddingTable* replicas,
                              std::span<const NodeId> ids);

  Communicator& comm_;
  std::vector<int64_t> offsets_;
  int dim_;
  int64_t begin_ = 0, end_ = 0;
  EmbeddingTable local_;
  std::vector<NodeId> replica_ids_;  // ascending
  EmbeddingTable replicas_;
  TableExchangeStats stats_;
};

}  // namespace melograph
