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

}  // namespace

ShardedEmbeddingTable::ShardedEmbeddingTable(Communicator& comm, std::vector<int64_t> offsets,
                                             int dim, std::span<const NodeId> original_ids,
                                             uint64_t seed, float init_std)
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
  local_.rows = end_ - begin_;
  local_.dim = dim_;
  local_.values.resize(static_cast<size_t>((end_ - begin_) * dim_));
  for (int64_t i = 0; i < end_ - begin_; ++i) {
    Rng rng(HashCombine(seed, kInitTag, static_cast<uint64_t>(original_ids[static_cast<size_t>(i)])));
    float* row = owned_row(i);
    for (int d = 0; d < dim_; ++d) row[d] = static_cast<float>(rng.Normal()) * init_std;
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

std::vector<float> ShardedEmbeddingTable::PullFrom(std::span<const float> owned_matrix, std::span<const NodeId> ids) {
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
  std::vector<int64_t> counts(k, 0);
  std::vector<NodeId> send;
  send.reserve(uniq.size());
  for (NodeId id : uniq) {
    const int32_t owner = Owner(id);
    if (owner == me) continue;
    ++counts[static_cast<size_t>(owner)];
    send.push_back(id);
  }
  stats_.pulled_rows += static_cast<int64_t>(uniq.size());
  stats_.remote_pulled_rows += static_cast<int64_t>(send.size());
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
  // Row of each unique id: local, or the next row from its owner's reply (same order as sent).
  std::vector<const float*> uniq_row(uniq.size());
  std::vector<int64_t> cursor(rows.offsets.begin(), rows.offsets.end() - 1);
  for (size_t u = 0; u < uniq.size(); ++u) {
    const int32_t owner = Owner(uniq[u]);
    if (owner == me) {
      uniq_row[u] = owned_matrix.data() + (uniq[u] - begin_) * dim_;
    } else {
      uniq_row[u] = rows.data.data() + cursor[static_cast<size_t>(owner)];
      cursor[static_cast<size_t>(owner)] += dim_;
    }
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
  // Ascending ids are grouped by owner: the send buffers are the sorted lists themselves.
  std::vector<int64_t> id_counts(k, 0), grad_counts(k, 0);
  for (NodeId id : uniq) ++id_counts[static_cast<size_t>(Owner(id))];
  for (size_t r = 0; r < k; ++r) grad_counts[r] = id_counts[r] * dim_;
  stats_.pushed_rows += static_cast<int64_t>(uniq.size());
  stats_.remote_pushed_rows += static_cast<int64_t>(uniq.size()) - id_counts[static_cast<size_t>(me)];
  // Own rows travel through the exchange as well (a self-message is a local copy in MPI): that
  // keeps the owner-side merge order "by source rank" uniform.
  const FlatExchange<NodeId> got_ids = comm_.AllToAllV(std::span<const NodeId>(uniq), id_counts);
  const FlatExchange<float> got_grads = comm_.AllToAllV(std::span<const float>(summed), grad_counts);
  // Contributions in (local row, source rank) order; each source sends a row at most once.
  struct Contribution {
    int64_t local_row;
    int32_t source;
    int64_t index;  // into got_ids.data / got_grads.data rows
  };
  std::vector<Contribution> contributions;
  contributions.reserve(got_ids.data.size());
  for (size_t s = 0; s < k; ++s) {
    for (int64_t i = got_ids.offsets[s]; i < got_ids.offsets[s + 1]; ++i) {
      const int64_t id = got_ids.data[static_cast<size_t>(i)];
      if (id < begin_ || id >= end_)
        throw MpiError("embedding table: rank " + std::to_string(s) + " pushed row " +
                       std::to_string(id) + " to rank " + std::to_string(me) + " which does not own it");
      contributions.push_back({id - begin_, static_cast<int32_t>(s), i});
    }
  }
  std::sort(contributions.begin(), contributions.end(), [](const Contribution& a, const Contribution& b) {
    return a.local_row != b.local_row ? a.local_row < b.local_row : a.source < b.source;
  });
  OwnedGradients out;
  out.dim = dim_;
  for (const Contribution& c : contributions) {
    const float* g = got_grads.data.data() + static_cast<size_t>(c.index) * d;
    if (out.local_rows.empty() || out.local_rows.back() != c.local_row) {
      out.local_rows.push_back(c.local_row);
      out.grads.insert(out.grads.end(), g, g + d);
    } else {
      float* acc = out.grads.data() + (out.local_rows.size() - 1) * d;
      for (size_t j = 0; j < d; ++j) acc[j] += g[j];
    }
  }
  return out;
}

}  // namespace melograph
