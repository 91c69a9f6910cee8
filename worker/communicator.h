// Communicator: the one owner of MPI calls in melograph, and the batched exchange the engine
// lives on.
//
// Contract:
//  * Every MPI call goes through CheckMpi(rc, "MPI_Xxx"), which throws MpiError carrying the
//    call name and MPI_Error_string. The constructor sets MPI_ERRORS_RETURN on the wrapped
//    communicator, so MPI reports errors as return codes instead of aborting by itself.
//  * All methods are collectives over the wrapped communicator unless marked local: every rank
//    must call them in the same order with compatible arguments (same span lengths, same root).
//  * Sizes are 64-bit everywhere. No single MPI count or displacement exceeds
//    max_chunk_bytes() (default and ceiling 2^31 - 1; ParMETIS issue 8 died of int overflow):
//    larger transfers are cut into rounds. Chunking never changes results; a test can force it
//    with set_max_chunk_bytes(3).
//  * AllToAllV rounds: after the sizes (below) and one MPI_Allreduce of the largest pair size,
//    the bytes of every (source, destination) pair travel in pieces of at most
//    c = min(max_chunk_bytes, (2^31 - 1) / size) bytes (the sender's c, announced with the
//    size), so every MPI count is an int; `rounds` reports ceil(max pair bytes / c), the pieces
//    of the largest pair. Received straight into the result: no staging copies.
//  * Byte counters count payload bytes of AllToAllV / AllgatherV moved to or from *other* ranks
//    (a rank's message to itself is not network traffic); last_exchange() is the latest call.
//  * The byte exchange is point to point: each rank posts one MPI_Isend/MPI_Irecv of the 64-bit
//    size (and the sender's chunk) per peer, then one message per peer and round; a rank's bytes
//    to itself are copied, never sent. Messages of one (source, destination) pair are matched
//    in order (MPI's non-overtaking rule), so consecutive exchanges cannot mix.
//  * Stalls (a killed rank, a cut link, a hung rank): every call waits on nonblocking requests.
//    After stall_timeout() seconds without any request completing it logs, once per call, a
//    warning naming the ranks it heard nothing from (the exchange knows its silent peers; a
//    collective finds them by a short probe: every waiting rank sends every peer a message and
//    listens for as long again) and keeps waiting; after stall_abort() seconds it throws
//    CommTimeoutError with the same names and the error boundary aborts the job. 0 disables
//    either. Defaults: MELOGRAPH_COMM_TIMEOUT / MELOGRAPH_COMM_ABORT, else 0 (plain MPI_Waitall).
//    A lost *host* is ended by Open MPI itself once its daemon's TCP keepalive fails
//    (cluster/launch.sh sets oob_tcp_keepalive_*); the warning comes first and names the ranks.
//  * Threading: MPI is initialised FUNNELED; call from the main thread only.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/error.h"

namespace melograph {

// A failed MPI call ("MPI_Bcast: MPI_ERR_ROOT: invalid root (MPI error code 8)", code() set),
// or a message from another rank that breaks the exchange's contract (code() == MPI_SUCCESS).
class MpiError : public Error {
 public:
  explicit MpiError(const std::string& what, int code = MPI_SUCCESS) : Error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A call that made no progress within the stall timeout (a lost rank or a cut link).
class CommTimeoutError : public MpiError {
 public:
  explicit CommTimeoutError(const std::string& what) : MpiError(what) {}
};

// Throws MpiError unless rc == MPI_SUCCESS.
void CheckMpi(int rc, const char* call);

enum class ReduceOp { kSum, kMax, kMin };

struct ExchangeStats {
  int64_t bytes_sent = 0;      // payload bytes to other ranks
  int64_t bytes_received = 0;  // payload bytes from other ranks
  int64_t rounds = 0;          // pieces of the largest (source, destination) pair
};

// Result of a flat exchange: data[offsets[r] .. offsets[r] + counts[r]) came from rank r.
template <typename T>
struct FlatExchange {
  std::vector<T> data;
  std::vector<int64_t> counts;   // size() entries
  std::vector<int64_t> offsets;  // size() + 1 entries, offsets[size()] == data.size()
};

class Communicator {
 public:
  static constexpr int64_t kMaxMpiCount = 2147483647;  // INT_MAX: the ceiling of one MPI count

  // Wraps `comm` (not owned, not freed) and sets MPI_ERRORS_RETURN on it. MPI must be
  // initialised (see MpiEnvironment).
  explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD);

  int rank() const { return rank_; }  // local
  int size() const { return size_; }  // local
  MPI_Comm comm() const { return comm_; }

  // Largest byte count of one MPI message (local setting; must be equal on all ranks only for
  // Bcast, where both sides cut the same rounds). Throws UsageError unless in [1, 2^31 - 1].
  void set_max_chunk_bytes(int64_t bytes);
  int64_t max_chunk_bytes() const { return max_chunk_bytes_; }
  // Seconds without progress before a call warns naming the silent ranks, and before it throws
  // CommTimeoutError (local settings, 0 = never). UsageError when negative or not finite.
  void set_stall_timeout(double seconds);
  double stall_timeout() const { return stall_timeout_s_; }
  void set_stall_abort(double seconds);
  double stall_abort() const { return stall_abort_s_; }
  // Local diagnosis: the peers that send nothing within `window` seconds while this rank sends
  // each of them a probe (point to point; peers that are themselves probing answer).
  std::vector<int> SilentPeers(double window);

  void Barrier();

  // In-place element-wise reduction over all ranks.
  void Allreduce(std::span<int64_t> values, ReduceOp op);
  void Allreduce(std::span<double> values, ReduceOp op);
  void Allreduce(std::span<float> values, ReduceOp op);
  int64_t Allreduce(int64_t value, ReduceOp op);
  double Allreduce(double value, ReduceOp op);
  float Allreduce(float value, ReduceOp op);

  // One value from every rank, indexed by rank.
  template <typename T>
  std::vector<T> Allgather(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "Allgather needs a trivially copyable T");
    std::vector<T> out(static_cast<size_t>(size_));
    AllgatherBytes(&value, sizeof(T), out.data());
    return out;
  }
  // A variable-length buffer from every rank, indexed by rank (built on the byte exchange).
  template <typename T>
  std::vector<std::vector<T>> AllgatherV(std::span<const T> values) {
    std::vector<std::vector<T>> send(static_cast<size_t>(size_),
                                     std::vector<T>(values.begin(), values.end()));
    return AllToAllV(send);
  }
  std::vector<std::string> AllgatherStrings(const std::string& value);

  // Broadcast from `root`: `bytes` has the same length on every rank (chunked).
  void Bcast(std::span<std::byte> bytes, int root);
  // Broadcast a string of any length from `root`; other ranks' `value` is replaced.
  void Bcast(std::string& value, int root);
  template <typename T>
  void BcastValue(T& value, int root) {
    static_assert(std::is_trivially_copyable_v<T>, "BcastValue needs a trivially copyable T");
    Bcast(std::as_writable_bytes(std::span<T>(&value, 1)), root);
  }

  // The batched exchange: send_per_rank[d] goes to rank d; result[s] came from rank s.
  template <typename T>
  std::vector<std::vector<T>> AllToAllV(const std::vector<std::vector<T>>& send_per_rank) {
    static_assert(std::is_trivially_copyable_v<T>, "AllToAllV needs a trivially copyable T");
    CheckRankCount(send_per_rank.size(), "AllToAllV");
    std::vector<int64_t> counts(send_per_rank.size());
    int64_t total = 0;
    for (size_t d = 0; d < send_per_rank.size(); ++d)
      total += counts[d] = static_cast<int64_t>(send_per_rank[d].size());
    std::vector<T> flat;
    flat.reserve(static_cast<size_t>(total));
    for (const auto& part : send_per_rank) flat.insert(flat.end(), part.begin(), part.end());
    FlatExchange<T> got = AllToAllV(std::span<const T>(flat), std::span<const int64_t>(counts));
    std::vector<std::vector<T>> out(static_cast<size_t>(size_));
    for (size_t s = 0; s < out.size(); ++s)
      out[s].assign(got.data.begin() + got.offsets[s], got.data.begin() + got.offsets[s + 1]);
    return out;
  }
  // Flat form: send holds the buffers for ranks 0..size()-1 back to back, counts[d] elements
  // for rank d (sum(counts) == send.size()).
  template <typename T>
  FlatExchange<T> AllToAllV(std::span<const T> send, std::span<const int64_t> counts) {
    static_assert(std::is_trivially_copyable_v<T>, "AllToAllV needs a trivially copyable T");
    CheckRankCount(counts.size(), "AllToAllV");
    std::vector<int64_t> send_bytes(counts.size());
    int64_t total = 0;
    for (size_t d = 0; d < counts.size(); ++d) {
      send_bytes[d] = counts[d] * static_cast<int64_t>(sizeof(T));
      total += counts[d];
    }
    if (total != static_cast<int64_t>(send.size()))
      throw UsageError("AllToAllV: counts sum to " + std::to_string(total) +
                       " elements, buffer holds " + std::to_string(send.size()));
    std::vector<int64_t> recv_bytes;
    std::vector<std::byte> recv = ExchangeBytes(std::as_bytes(send), send_bytes, recv_bytes);
    FlatExchange<T> out;
    out.counts.resize(recv_bytes.size());
    out.offsets.assign(recv_bytes.size() + 1, 0);
    for (size_t s = 0; s < recv_bytes.size(); ++s) {
      if (recv_bytes[s] % static_cast<int64_t>(sizeof(T)) != 0)
        throw MpiError("AllToAllV: rank " + std::to_string(s) + " sent a partial element");
      out.counts[s] = recv_bytes[s] / static_cast<int64_t>(sizeof(T));
      out.offsets[s + 1] = out.offsets[s] + out.counts[s];
    }
    out.data.resize(static_cast<size_t>(out.offsets.back()));
    if (!recv.empty()) std::memcpy(out.data.data(), recv.data(), recv.size());
    return out;
  }

  // True on every rank iff every rank passed the same value (communicating assertion).
  bool AllAgree(int64_t value);
  // Throws MpiError on every rank, naming each rank's value, unless all ranks agree on `value`.
  void CheckAllAgree(int64_t value, const std::string& what);

  // Ends every process of the job (MPI_Abort). For the error boundary only.
  [[noreturn]] void Abort(int code);

  // Local counters of the byte exchange.
  const ExchangeStats& total_exchanged() const { return total_; }
  const ExchangeStats& last_exchange() const { return last_; }
  int64_t exchanges() const { return exchanges_; }
  void ResetCounters();

 private:
  void CheckRankCount(size_t n, const char* what) const;
  void AllgatherBytes(const void* value, size_t bytes, void* out);
  template <typename T>
  void AllreduceImpl(std::span<T> values, ReduceOp op, MPI_Datatype type);
  // Completes every request, warning after stall_timeout() and throwing CommTimeoutError after
  // stall_abort() seconds without progress; peers[i] is the rank request i talks to (empty for
  // a collective: the silent ranks are then found by SilentPeers).
  void Wait(std::span<MPI_Request> requests, std::span<const int> peers, const char* call);
  // Moves send bytes (send_bytes[d] for rank d, back to back); fills recv_bytes per source.
  std::vector<std::byte> ExchangeBytes(std::span<const std::byte> send,
                                       const std::vector<int64_t>& send_bytes,
                                       std::vector<int64_t>& recv_bytes);

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  int64_t max_chunk_bytes_ = kMaxMpiCount;
  double stall_timeout_s_ = 0;
  double stall_abort_s_ = 0;
  // Probe buffers outlive any probe (a send to a cut peer may stay queued; never rewritten).
  std::vector<int64_t> probe_out_, probe_in_;
  ExchangeStats total_;
  ExchangeStats last_;
  int64_t exchanges_ = 0;
};

// Communicating assertion, compiled in at MELOGRAPH_ASSERT_LEVEL >= 2 (the dev preset):
// MELOGRAPH_ASSERT_ALL_AGREE(comm, graph.num_nodes(), "node count");
#if MELOGRAPH_ASSERT_LEVEL >= 2
#define MELOGRAPH_ASSERT_ALL_AGREE(comm, value, what) \
  (comm).CheckAllAgree(static_cast<int64_t>(value), (what))
#else
#define MELOGRAPH_ASSERT_ALL_AGREE(comm, value, what) ((void)0)
#endif

}  // namespace melograph
