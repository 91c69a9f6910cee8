// OwnerCompute: the batched owner-compute round every distributed sampler is built on.
//
// Each rank holds a batch of requests, request i addressed to rank owners[i] (the owner of the
// data it needs: a node's adjacency row, a walker's current node), plus one context value C
// shared by all its requests of the round (e.g. the requester's epoch and step: ranks may be at
// different steps, so the owner must compute with the REQUESTER's context, never its own).
// One Run():
//   1. requests are grouped by owner (stable: the order within a group is the batch order) and
//      moved by one Communicator::AllToAllV as [C][Q...] per destination with requests;
//   2. every owner answers each request it received with
//      `answer(const C& requester_context, const Q&, std::vector<R>& out)`, which appends zero or
//      more response items to `out`;
//   3. the answers go back by a second AllToAllV as [int32 count per request][items] per rank;
//   4. items_of(i) then holds request i's items, in the caller's original request order.
// Requests a rank addresses to itself are answered in place and never enter the exchange, so
// the communicator's byte counters see only network traffic, and a 1-rank run makes no MPI call.
//
// Contract: Run is a collective (every rank calls it, possibly with an empty batch, the same
// number of times). Q, R and C are trivially copyable. `answer` runs on the calling thread and must
// be a pure function of its request (and of data fixed for the round), so the result does not
// depend on the rank count or on how requests are grouped. Buffers are reused across calls.
// Incoming messages are checked once (sizes consistent with the request counts) and throw
// MpiError otherwise.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "worker/communicator.h"

namespace melograph {

struct OwnerComputeStats {
  int64_t rounds = 0;            // Run() calls
  int64_t requests = 0;          // requests issued by this rank
  int64_t remote_requests = 0;   // of which addressed to other ranks
  int64_t items = 0;             // response items received by this rank
  int64_t remote_items = 0;      // of which computed by other ranks
  int64_t bytes_sent = 0;        // payload to other ranks (requests + answers)
  int64_t bytes_received = 0;    // payload from other ranks
};

template <typename Q, typename R, typename C>
class OwnerCompute {
  static_assert(std::is_trivially_copyable_v<Q> && std::is_trivially_copyable_v<R> && std::is_trivially_copyable_v<C>,
                "OwnerCompute needs trivially copyable request, response and context types");

 public:
  template <typename Answer>
  void Run(Communicator& comm, const C& context, std::span<const Q> requests, std::span<const int32_t> owners,
           Answer&& answer) {
    const int size = comm.size(), me = comm.rank();
    const size_t n = requests.size();
    if (owners.size() != n)
      throw UsageError("OwnerCompute: " + std::to_string(owners.size()) + " owners for " + std::to_string(n) +
                       " requests");
    ++stats_.rounds;
    stats_.requests += static_cast<int64_t>(n);
    count_.assign(n, 0);

    // Local requests first, answered in place; remote ones grouped by owner (counting sort).
    send_counts_.assign(static_cast<size_t>(size), 0);
    local_items_.clear();
    local_index_.clear();
    for (size_t i = 0; i < n; ++i) {
      const int32_t o = owners[i];
      if (o < 0 || o >= size)
        throw UsageError("OwnerCompute: owner " + std::to_string(o) + " of request " + std::to_string(i) +
                         " is not a rank (size " + std::to_string(size) + ")");
      if (o == me) {
        const size_t before = local_items_.size();
        answer(context, requests[i], local_items_);
        count_[i] = static_cast<int64_t>(local_items_.size() - before);
        local_index_.push_back(i);
      } else {
        ++send_counts_[static_cast<size_t>(o)];
      }
    }
    if (size > 1) {
      // Request bytes per destination: [C][Q * count] when count > 0.
      send_offsets_.assign(static_cast<size_t>(size) + 1, 0);
      send_bytes_.assign(static_cast<size_t>(size), 0);
      for (int d = 0; d < size; ++d) {
        const int64_t c = send_counts_[d];
        send_bytes_[d] = c ? static_cast<int64_t>(sizeof(C)) + c * static_cast<int64_t>(sizeof(Q)) : 0;
        send_offsets_[d + 1] = send_offsets_[d] + c;
      }
      send_.resize(static_cast<size_t>(send_offsets_[size]) * sizeof(Q) +
                   static_cast<size_t>(size) * sizeof(C));
      order_.resize(static_cast<size_t>(send_offsets_[size]));
      cursor_.assign(static_cast<size_t>(size), 0);  // byte cursor per destination
      int64_t at_byte = 0;
      for (int d = 0; d < size; ++d) {
        cursor_[d] = at_byte;
        if (send_counts_[d]) {
          std::memcpy(send_.data() + at_byte, &context, sizeof(C));
          cursor_[d] += static_cast<int64_t>(sizeof(C));
        }
        at_byte += send_bytes_[d];
      }
      next_.assign(send_offsets_.begin(), send_offsets_.end() - 1);
      for (size_t i = 0; i < n; ++i) {
        const int32_t o = owners[i];
        if (o == me) continue;
        std::memcpy(send_.data() + cursor_[o], &requests[i], sizeof(Q));
        cursor_[o] += static_cast<int64_t>(sizeof(Q));
        order_[static_cast<size_t>(next_[o]++)] = i;
      }
      stats_.remote_requests += send_offsets_[size];
      FlatExchange<std::byte> got = comm.AllToAllV(
          std::span<const std::byte>(send_.data(), static_cast<size_t>(at_byte)), std::span<const int64_t>(send_bytes_));
      Tally(comm);

      // Answer every received request; pack [counts][items] per source rank as bytes.
      answer_bytes_.clear();
      answer_counts_.assign(static_cast<size_t>(size), 0);
      for (int s = 0; s < size; ++s) {
        const int64_t bytes = got.counts[s];
        if (bytes == 0) continue;
        if (bytes < static_cast<int64_t>(sizeof(C)) || (bytes - static_cast<int64_t>(sizeof(C))) % static_cast<int64_t>(sizeof(Q)) != 0)
          throw MpiError("OwnerCompute: request message of " + std::to_string(bytes) + " bytes from rank " +
                         std::to_string(s) + " is not a context plus whole requests");
        const int64_t m = (bytes - static_cast<int64_t>(sizeof(C))) / static_cast<int64_t>(sizeof(Q));
        const std::byte* in = got.data.data() + got.offsets[s];
        C their_context;
        std::memcpy(&their_context, in, sizeof(C));
        in += sizeof(C);
        scratch_.clear();
        const size_t header = answer_bytes_.size();
        answer_bytes_.resize(header + static_cast<size_t>(m) * sizeof(int32_t));
        for (int64_t j = 0; j < m; ++j) {
          const size_t before = scratch_.size();
          Q q;
          std::memcpy(&q, in + j * static_cast<int64_t>(sizeof(Q)), sizeof(Q));
          answer(their_context, q, scratch_);
          const int32_t c = static_cast<int32_t>(scratch_.size() - before);
          std::memcpy(answer_bytes_.data() + header + static_cast<size_t>(j) * sizeof(int32_t), &c, sizeof(c));
        }
        const size_t body = answer_bytes_.size();
        answer_bytes_.resize(body + scratch_.size() * sizeof(R));
        if (!scratch_.empty()) std::memcpy(answer_bytes_.data() + body, scratch_.data(), scratch_.size() * sizeof(R));
        answer_counts_[static_cast<size_t>(s)] = static_cast<int64_t>(answer_bytes_.size() - header);
      }
      FlatExchange<std::byte> back = comm.AllToAllV(std::span<const std::byte>(answer_bytes_),
                                                    std::span<const int64_t>(answer_counts_));
      Tally(comm);
      last_back_ = std::move(back.data);
      last_back_offsets_ = std::move(back.offsets);

      // Unpack: counts first (to size the result), then items.
      for (int d = 0; d < size; ++d) {
        const int64_t m = send_counts_[d];
        const int64_t bytes = back.counts[d];
        if (m == 0) {
          if (bytes != 0) throw MpiError("OwnerCompute: rank " + std::to_string(d) + " answered requests never sent");
          continue;
        }
        const std::byte* p = last_back_.data() + last_back_offsets_[d];
        int64_t total = 0;
        for (int64_t j = 0; j < m; ++j) {
          int32_t c;
          std::memcpy(&c, p + j * static_cast<int64_t>(sizeof(int32_t)), sizeof(c));
          if (c < 0) throw MpiError("OwnerCompute: negative answer count from rank " + std::to_string(d));
          count_[order_[static_cast<size_t>(send_offsets_[d] + j)]] = c;
          total += c;
        }
        if (bytes != m * static_cast<int64_t>(sizeof(int32_t)) + total * static_cast<int64_t>(sizeof(R)))
          throw MpiError("OwnerCompute: answer from rank " + std::to_string(d) + " has " + std::to_string(bytes) +
                         " bytes, inconsistent with its counts");
        stats_.remote_items += total;
      }
    }

    offsets_.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i) offsets_[i + 1] = offsets_[i] + count_[i];
    items_.resize(static_cast<size_t>(offsets_[n]));
    stats_.items += offsets_[n];
    // Local answers, in batch order.
    int64_t from = 0;
    for (size_t i : local_index_) {
      const int64_t c = count_[i];
      if (c) std::memcpy(items_.data() + offsets_[i], local_items_.data() + from, static_cast<size_t>(c) * sizeof(R));
      from += c;
    }
    if (size > 1) {
      // Remote answers: rank d's items follow its count header, in the order requests were sent.
      FlatCopyRemote(size);
    }
  }

  size_t num_requests() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::span<const R> items_of(size_t i) const {
    return std::span<const R>(items_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i]));
  }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::vector<R>& items() const { return items_; }
  const OwnerComputeStats& stats() const { return stats_; }
  void ResetStats() { stats_ = {}; }

 private:
  void Tally(const Communicator& comm) {
    stats_.bytes_sent += comm.last_exchange().bytes_sent;
    stats_.bytes_received += comm.last_exchange().bytes_received;
  }
  void FlatCopyRemote(int size) {
    // The counts were read in Run(); the items follow each rank's count header.
    for (int d = 0; d < size; ++d) {
      const int64_t m = send_counts_[d];
      if (m == 0) continue;
      const std::byte* p = last_back_.data() + last_back_offsets_[d] + m * static_cast<int64_t>(sizeof(int32_t));
      for (int64_t j = 0; j < m; ++j) {
        const size_t i = order_[static_cast<size_t>(send_offsets_[d] + j)];
        const int64_t c = count_[i];
        if (c) std::memcpy(items_.data() + offsets_[i], p, static_cast<size_t>(c) * sizeof(R));
        p += c * static_cast<int64_t>(sizeof(R));
      }
    }
  }

  OwnerComputeStats stats_;
  std::vector<int64_t> count_, send_counts_, send_offsets_, send_bytes_, cursor_, next_, answer_counts_, offsets_;
  std::vector<std::byte> send_;
  std::vector<size_t> order_, local_index_;
  std::vector<R> local_items_, scratch_, items_;
  std::vector<std::byte> answer_bytes_, last_back_;
  std::vector<int64_t> last_back_offsets_;
};

}  // namespace melograph
