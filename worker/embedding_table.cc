#include "worker/embedding_table.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {
namespace {

// Positions of `ids` sorted by (id, position): the de-duplication order of Pull and Push.
std::vector<int64_t> SortedPositions(std::span<const NodeId> ids) {
  std::vector<int64_t> order(ids.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return ids[static_cast<size_t>(a)] < ids[static_cast<size_t>(b)]; });
  return order;
}

// Rows drawn like the owner draws them: row i from Rng(HashCombine(seed, kInitTag,
// original_ids[i])).
EmbeddingTable InitialRows(std::span<const NodeId> original_ids, int dim, uint64_t seed,
                           float init_std) {
  EmbeddingTable t;
  t.rows = static_cast<int64_t>(original_ids.size());
  t.dim = dim;
  t.values.resize(original_ids.size() * static_cast<size_t>(dim));
  for (int64_t i = 0; i < t.rows; ++i) {
    Rng rng(HashCombine(seed, ShardedEmbeddingTable::kInitTag,
                        static_cast<uint64_t>(original_ids[static_cast<size_t>(i)])));
    float* row = t.row(i);
    for (int d = 0; d < dim; ++d) row[d] = static_cast<float>(rng.Normal()) * init_std;
  }
  return t;
}

// A gradient row from one source rank: row index (owned or replica table), source, row in the
// received buffer.
struct Contribution {
  int64_t row;
  int32_t source;
  int64_t index;
};

// Sums contributions per row in ascending source order (the owner's order): rows ascending.
void SumBySource(std::vector<Contribution>& contributions, const float* received, size_t d,
                 std::vector<int64_t>* rows, std::vector<float>* sums) {
  std::sort(contributions.begin(), contributions.end(),
            [](const Contribution& a, const Contribution& b) {
              return a.row != b.row ? a.row < b.row : a.source < b.source;
            });
  for (const Contribution& c : contributions) {
    const float* g = received + static_cast<size_t>(c.index) * d;
    if (rows->empty() || rows->back() != c.row) {
      rows->push_back(c.row);
      sums->insert(sums->end(), g, g + d);
    } else {
      float* acc = sums->data() + (rows->size() - 1) * d;
      for (size_t j = 0; j < d; ++j) acc[j] += g[j];
    }
  }
}

}  // namespace

ShardedEmbeddingTable::ShardedEmbeddingTable(Communicator& comm, std::vector<int64_t> offsets,
                                             int dim, std::span<const NodeId> original_ids,
                                             uint64_t seed, float init_std,
                                             std::span<const NodeId> replica_ids,
                                             std::span<const NodeId> replica_original_ids)
    : comm_(comm), offsets_(std::move(offsets)), dim_(dim) {
  if (dim_ <= 0) throw UsageError("embedding dimension must be positive, got " + std::to_string(dim_));
  if (offsets_.size() != static_cast<size_t>(comm_.size()) + 1)
    throw UsageError("embedding table: " + std::to_string(offsets_.size() - 1) +
                     " partition parts but " + std::to_string(comm_.size()) + " ranks");
  begin_ = offsets_[static_cast<size_t>(comm_.rank())];
  end_ = offsets_[static_cast<size_t>(comm_.rank()) + 1];
  if (static_cast<int64_t>(original_ids.size()) != end_ - begin_)
    throw UsageError("embedding table: " + std::to_string(original_ids.size()) +
                     " original ids for " + std::to_string(end_ - begin_) + " owned rows");
  CheckReplicaIds(replica_ids, replica_original_ids);
  local_ = InitialRows(original_ids, dim_, seed, init_std);
  replica_ids_.assign(replica_ids.begin(), replica_ids.end());
  replicas_ = InitialRows(replica_original_ids, dim_, seed, init_std);
  uint64_t list_hash = HashCombine(replica_ids_.size());
  for (NodeId id : replica_ids_) list_hash = HashCombine(list_hash, static_cast<uint64_t>(id));
  MELOGRAPH_ASSERT_ALL_AGREE(comm_, static_cast<int64_t>(list_hash), "replicated id list (hash)");
}

void ShardedEmbeddingTable::CheckReplicaIds(std::span<const NodeId> replica_ids,
                                            std::span<const NodeId> replica_original_ids) const {
  if (replica_ids.size() != replica_original_ids.size())
    throw UsageError("embedding table: " + std::to_string(replica_ids.size()) +
                     " replica ids but " + std::to_string(replica_original_ids.size()) +
                     " replica original ids");
  for (size_t i = 0; i < replica_ids.size(); ++i) {
    const NodeId id = replica_ids[i];
    if (id < 0 || id >= offsets_.back())
      throw UsageError("embedding table: replica id " + std::to_string(id) + " outside [0, " +
                       std::to_string(offsets_.back()) + ")");
    if (i > 0 && id == replica_ids[i - 1])
      throw UsageError("embedding table: replica id " + std::to_string(id) + " listed twice");
    if (i > 0 && id < replica_ids[i - 1])
      throw UsageError("embedding table: replica ids not sorted ascending (" + std::to_string(id) +
                       " after " + std::to_string(replica_ids[i - 1]) + ")");
  }
}

int32_t ShardedEmbeddingTable::Owner(int64_t id) const {
  const auto it = std::upper_bound(offsets_.begin(), offsets_.end(), id);
  return static_cast<int32_t>(it - offsets_.begin()) - 1;
}

void ShardedEmbeddingTable::CheckId(int64_t id) const {
  if (id < 0 || id >= offsets_.back())
    throw UsageError("embedding table: node id " + std::to_string(id) + " outside [0, " +
                     std::to_string(offsets_.back()) + ")");
}

int64_t ShardedEmbeddingTable::ReplicaIndex(int64_t global_id) const {
  const auto it = std::lower_bound(replica_ids_.begin(), replica_ids_.end(), global_id,
                                   [](NodeId a, int64_t b) { return a < b; });
  return it != replica_ids_.end() && *it == global_id ? it - replica_ids_.begin() : -1;
}

std::vector<float> ShardedEmbeddingTable::PullRows(std::span<const float> owned_matrix,
                                                   const EmbeddingTable* replicas,
                                                   std::span<const NodeId> ids) {
  if (owned_matrix.size() != static_cast<size_t>(num_owned() * dim_))
    throw UsageError("embedding table: PullFrom a matrix of " + std::to_string(owned_matrix.size()) +
                     " floats, expected " + std::to_string(num_owned() * dim_));
  const size_t k = static_cast<size_t>(comm_.size());
  const int me = comm_.rank();
  const std::vector<int64_t> order = SortedPositions(ids);
  // Unique ids in ascending order: they come grouped by owner (owners hold contiguous ranges).
  std::vector<NodeId> uniq;
  std::vector<int64_t> slot(ids.size());  // position -> index into uniq
  for (int64_t p : order) {
    const NodeId id = ids[static_cast<size_t>(p)];
    if (uniq.empty() || uniq.back() != id) {
      CheckId(id);
      uniq.push_back(id);
    }
    slot[static_cast<size_t>(p)] = static_cast<int64_t>(uniq.size()) - 1;
  }
  // Row of each unique id: owned here, a local replica (Pull only), or the owner's reply.
  std::vector<const float*> uniq_row(uniq.size(), nullptr);
  std::vector<int64_t> counts(k, 0);
  std::vector<NodeId> send;
  send.reserve(uniq.size());
  int64_t from_replicas = 0;
  for (size_t u = 0; u < uniq.size(); ++u) {
    const NodeId id = uniq[u];
    const int32_t owner = Owner(id);
    if (owner == me) {
      uniq_row[u] = owned_matrix.data() + (id - begin_) * dim_;
      continue;
    }
    const int64_t replica = replicas != nullptr ? ReplicaIndex(id) : -1;
    if (replica >= 0) {
      uniq_row[u] = replicas->row(replica);
      ++from_replicas;
      continue;
    }
    ++counts[static_cast<size_t>(owner)];
    send.push_back(id);
  }
  stats_.pulled_rows += static_cast<int64_t>(uniq.size());
  stats_.remote_pulled_rows += static_cast<int64_t>(send.size());
  stats_.replica_pulled_rows += from_replicas;
  const FlatExchange<NodeId> requests = comm_.AllToAllV(std::span<const NodeId>(send), counts);
  std::vector<float> reply(requests.data.size() * static_cast<size_t>(dim_));
  for (size_t i = 0; i < requests.data.size(); ++i) {
    const int64_t id = requests.data[i];
    if (id < begin_ || id >= end_)
      throw MpiError("embedding table: rank asked rank " + std::to_string(me) + " for row " +
                     std::to_string(id) + " it does not own");
    std::memcpy(reply.data() + i * static_cast<size_t>(dim_), owned_matrix.data() + (id - begin_) * dim_,
                sizeof(float) * static_cast<size_t>(dim_));
  }
  std::vector<int64_t> reply_counts(k);
  for (size_t s = 0; s < k; ++s) reply_counts[s] = requests.counts[s] * dim_;
  const FlatExchange<float> rows = comm_.AllToAllV(std::span<const float>(reply), reply_counts);
  // The requested rows arrive from each owner in the order they were sent (ascending).
  std::vector<int64_t> cursor(rows.offsets.begin(), rows.offsets.end() - 1);
  for (size_t u = 0; u < uniq.size(); ++u) {
    if (uniq_row[u] != nullptr) continue;
    const size_t owner = static_cast<size_t>(Owner(uniq[u]));
    uniq_row[u] = rows.data.data() + cursor[owner];
    cursor[owner] += dim_;
  }
  std::vector<float> out(ids.size() * static_cast<size_t>(dim_));
  for (size_t p = 0; p < ids.size(); ++p)
    std::memcpy(out.data() + p * static_cast<size_t>(dim_), uniq_row[static_cast<size_t>(slot[p])],
                sizeof(float) * static_cast<size_t>(dim_));
  return out;
}

OwnedGradients ShardedEmbeddingTable::Push(std::span<const NodeId> ids, std::span<const float> grads) {
  const size_t k = static_cast<size_t>(comm_.size());
  const int me = comm_.rank();
  const size_t d = static_cast<size_t>(dim_);
  if (grads.size() != ids.size() * d)
    throw UsageError("embedding table: Push got " + std::to_string(grads.size()) +
                     " gradient floats for " + std::to_string(ids.size()) + " ids of dimension " +
                     std::to_string(dim_));
  // Sum per id on the sender, in ascending position order.
  const std::vector<int64_t> order = SortedPositions(ids);
  std::vector<NodeId> uniq;
  std::vector<float> summed;
  for (int64_t p : order) {
    const NodeId id = ids[static_cast<size_t>(p)];
    const float* g = grads.data() + static_cast<size_t>(p) * d;
    if (uniq.empty() || uniq.back() != id) {
      CheckId(id);
      uniq.push_back(id);
      summed.insert(summed.end(), g, g + d);
    } else {
      float* acc = summed.data() + (uniq.size() - 1) * d;
      for (size_t j = 0; j < d; ++j) acc[j] += g[j];
    }
  }
  // Per destination rank: the non-replicated rows it owns, then every replicated row (both
  // ascending; the receiver tells them apart by ReplicaIndex). Ascending ids are grouped by
  // owner, so without replicas the send buffers are the sorted lists themselves.
  std::vector<int64_t> id_counts(k, 0), grad_counts(k, 0);
  std::vector<size_t> replicated;  // indices into uniq
  for (size_t u = 0; u < uniq.size(); ++u) {
    if (ReplicaIndex(uniq[u]) >= 0)
      replicated.push_back(u);
    else
      ++id_counts[static_cast<size_t>(Owner(uniq[u]))];
  }
  stats_.pushed_rows += static_cast<int64_t>(uniq.size());
  stats_.remote_pushed_rows +=
      static_cast<int64_t>(uniq.size() - replicated.size()) - id_counts[static_cast<size_t>(me)];
  stats_.replica_pushed_rows += static_cast<int64_t>(replicated.size());
  std::span<const NodeId> send_ids(uniq);
  std::span<const float> send_grads(summed);
  std::vector<NodeId> ids_buffer;
  std::vector<float> grads_buffer;
  if (!replicated.empty()) {
    ids_buffer.reserve(uniq.size() - replicated.size() + k * replicated.size());
    grads_buffer.reserve(ids_buffer.capacity() * d);
    auto append = [&](size_t u) {
      ids_buffer.push_back(uniq[u]);
      grads_buffer.insert(grads_buffer.end(), summed.begin() + static_cast<std::ptrdiff_t>(u * d),
                          summed.begin() + static_cast<std::ptrdiff_t>((u + 1) * d));
    };
    size_t next = 0;  // uniq[next..] are owned by rank r or later
    for (size_t r = 0; r < k; ++r) {
      for (; next < uniq.size() && static_cast<size_t>(Owner(uniq[next])) == r; ++next)
        if (ReplicaIndex(uniq[next]) < 0) append(next);
      for (size_t u : replicated) append(u);
      id_counts[r] += static_cast<int64_t>(replicated.size());
    }
    send_ids = ids_buffer;
    send_grads = grads_buffer;
  }
  for (size_t r = 0; r < k; ++r) grad_counts[r] = id_counts[r] * dim_;
  // Own rows travel through the exchange as well (a self-message is a local copy in MPI): that
  // keeps the merge order "by source rank" uniform, for owned and replicated rows alike.
  const FlatExchange<NodeId> got_ids = comm_.AllToAllV(send_ids, id_counts);
  const FlatExchange<float> got_grads = comm_.AllToAllV(send_grads, grad_counts);
  // Each source sends a row at most once; an owned replicated row counts for both tables.
  std::vector<Contribution> owned, replica;
  owned.reserve(got_ids.data.size());
  for (size_t s = 0; s < k; ++s) {
    for (int64_t i = got_ids.offsets[s]; i < got_ids.offsets[s + 1]; ++i) {
      const int64_t id = got_ids.data[static_cast<size_t>(i)];
      const int64_t replica_row = ReplicaIndex(id);
      if (replica_row >= 0) replica.push_back({replica_row, static_cast<int32_t>(s), i});
      if (id >= begin_ && id < end_)
        owned.push_back({id - begin_, static_cast<int32_t>(s), i});
      else if (replica_row < 0)
        throw MpiError("embedding table: rank " + std::to_string(s) + " pushed row " +
                       std::to_string(id) + " to rank " + std::to_string(me) +
                       " which neither owns nor replicates it");
    }
  }
  OwnedGradients out;
  out.dim = dim_;
  SumBySource(owned, got_grads.data.data(), d, &out.local_rows, &out.grads);
  SumBySource(replica, got_grads.data.data(), d, &out.replica_rows, &out.replica_grads);
  return out;
}

void ShardedEmbeddingTable::InitOptimizerState(const SparseOptimizer& opt) {
  opt.InitState(&local_);
  opt.InitState(&replicas_);
}

void ShardedEmbeddingTable::ApplyGradients(const SparseOptimizer& opt, OwnedGradients&& got,
                                           int64_t step) {
  SparseRowGrad g;
  g.dim = got.dim;
  g.rows = std::move(got.local_rows);
  g.values = std::move(got.grads);
  opt.Apply(&local_, g, step);
  g.rows = std::move(got.replica_rows);
  g.values = std::move(got.replica_grads);
  opt.Apply(&replicas_, g, step);
}

void ShardedEmbeddingTable::RefreshReplicas() {
  const size_t k = static_cast<size_t>(comm_.size());
  const size_t me = static_cast<size_t>(comm_.rank());
  const size_t d = static_cast<size_t>(dim_);
  // Each row travels as values, then the owner's non-empty state arrays, in this order.
  std::vector<std::vector<float> EmbeddingTable::*> arrays{&EmbeddingTable::values};
  if (!local_.state1.empty()) arrays.push_back(&EmbeddingTable::state1);
  if (!local_.state2.empty()) arrays.push_back(&EmbeddingTable::state2);
  replicas_.state1.assign(local_.state1.empty() ? 0 : replicas_.values.size(), 0.0f);
  replicas_.state2.assign(local_.state2.empty() ? 0 : replicas_.values.size(), 0.0f);
  const size_t width = d * arrays.size();
  // Replica ids ascend, so they are grouped by owner: rank r's are [first[r], first[r+1]). Every
  // rank knows which rows every other rank needs: no requests, one exchange of rows.
  std::vector<size_t> first(k + 1);
  for (size_t r = 0; r <= k; ++r)
    first[r] =
        static_cast<size_t>(std::lower_bound(replica_ids_.begin(), replica_ids_.end(), offsets_[r],
                                             [](NodeId a, int64_t b) { return a < b; }) -
                            replica_ids_.begin());
  std::vector<float> mine;
  mine.reserve((first[me + 1] - first[me]) * width);
  for (size_t i = first[me]; i < first[me + 1]; ++i) {
    const size_t local_row = static_cast<size_t>(replica_ids_[i] - begin_);
    for (auto array : arrays) {
      const float* src = (local_.*array).data() + local_row * d;
      mine.insert(mine.end(), src, src + d);
      std::memcpy((replicas_.*array).data() + i * d, src, sizeof(float) * d);
    }
  }
  std::vector<float> send;
  send.reserve((k - 1) * mine.size());
  std::vector<int64_t> counts(k, 0);
  for (size_t r = 0; r < k; ++r) {
    if (r == me) continue;
    send.insert(send.end(), mine.begin(), mine.end());
    counts[r] = static_cast<int64_t>(mine.size());
  }
  const FlatExchange<float> got = comm_.AllToAllV(std::span<const float>(send), counts);
  for (size_t s = 0; s < k; ++s) {
    if (s == me) continue;
    const int64_t expected = static_cast<int64_t>((first[s + 1] - first[s]) * width);
    if (got.counts[s] != expected)
      throw MpiError("embedding table: rank " + std::to_string(s) + " sent " +
                     std::to_string(got.counts[s]) + " floats of replicated rows, expected " +
                     std::to_string(expected) + " (replica lists or optimiser state differ)");
    const float* src = got.data.data() + got.offsets[s];
    for (size_t i = first[s]; i < first[s + 1]; ++i) {
      for (auto array : arrays) {
        std::memcpy((replicas_.*array).data() + i * d, src, sizeof(float) * d);
        src += d;
      }
    }
  }
}

}  // namespace melograph
