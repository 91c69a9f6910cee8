// Communicator implementation: error-checked MPI calls and the chunked byte exchange
// (contract in communicator.h).
#include "worker/communicator.h"

#include <algorithm>
#include <cstdlib>

#include "common/log.h"

namespace melograph {
namespace {

MPI_Op ToMpi(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMax:
      return MPI_MAX;
    case ReduceOp::kMin:
      return MPI_MIN;
  }
  return MPI_SUM;
}

// Bytes [start, start + chunk) of a buffer of `total` bytes, clipped: what one round moves.
int64_t RoundBytes(int64_t total, int64_t start, int64_t chunk) {
  return std::clamp<int64_t>(total - start, 0, chunk);
}

}  // namespace

void CheckMpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  std::string message = std::string(call) + ": ";
  if (MPI_Error_string(rc, text, &length) == MPI_SUCCESS)
    message.append(text, static_cast<size_t>(length));
  else
    message += "unknown MPI error";
  throw MpiError(message + " (MPI error code " + std::to_string(rc) + ")", rc);
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  CheckMpi(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  CheckMpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  CheckMpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  if (comm_ == MPI_COMM_WORLD) SetLogRank(rank_);
}

void Communicator::set_max_chunk_bytes(int64_t bytes) {
  if (bytes < 1 || bytes > kMaxMpiCount)
    throw UsageError("max chunk bytes must be in [1, " + std::to_string(kMaxMpiCount) + "], got " +
                     std::to_string(bytes));
  max_chunk_bytes_ = bytes;
}

void Communicator::Barrier() { CheckMpi(MPI_Barrier(comm_), "MPI_Barrier"); }

template <typename T>
void Communicator::AllreduceImpl(std::span<T> values, ReduceOp op, MPI_Datatype type) {
  const int64_t step = std::max<int64_t>(1, max_chunk_bytes_ / static_cast<int64_t>(sizeof(T)));
  const int64_t n = static_cast<int64_t>(values.size());
  for (int64_t begin = 0; begin < n; begin += step) {
    const int count = static_cast<int>(std::min(step, n - begin));
    CheckMpi(MPI_Allreduce(MPI_IN_PLACE, values.data() + begin, count, type, ToMpi(op), comm_),
             "MPI_Allreduce");
  }
}

void Communicator::Allreduce(std::span<int64_t> values, ReduceOp op) {
  AllreduceImpl(values, op, MPI_INT64_T);
}
void Communicator::Allreduce(std::span<double> values, ReduceOp op) {
  AllreduceImpl(values, op, MPI_DOUBLE);
}
void Communicator::Allreduce(std::span<float> values, ReduceOp op) {
  AllreduceImpl(values, op, MPI_FLOAT);
}
int64_t Communicator::Allreduce(int64_t value, ReduceOp op) {
  Allreduce(std::span<int64_t>(&value, 1), op);
  return value;
}
double Communicator::Allreduce(double value, ReduceOp op) {
  Allreduce(std::span<double>(&value, 1), op);
  return value;
}
float Communicator::Allreduce(float value, ReduceOp op) {
  Allreduce(std::span<float>(&value, 1), op);
  return value;
}

void Communicator::AllgatherBytes(const void* value, size_t bytes, void* out) {
  if (bytes > static_cast<size_t>(max_chunk_bytes_))
    throw LimitError("Allgather: a value of " + std::to_string(bytes) +
                     " bytes exceeds the MPI chunk limit");
  const int count = static_cast<int>(bytes);
  CheckMpi(MPI_Allgather(value, count, MPI_BYTE, out, count, MPI_BYTE, comm_), "MPI_Allgather");
}

std::vector<std::string> Communicator::AllgatherStrings(const std::string& value) {
  std::vector<std::vector<char>> parts =
      AllgatherV(std::span<const char>(value.data(), value.size()));
  std::vector<std::string> out;
  out.reserve(parts.size());
  for (const auto& p : parts) out.emplace_back(p.begin(), p.end());
  return out;
}

void Communicator::Bcast(std::span<std::byte> bytes, int root) {
  const int64_t n = static_cast<int64_t>(bytes.size());
  for (int64_t begin = 0; begin < n; begin += max_chunk_bytes_) {
    const int count = static_cast<int>(std::min(max_chunk_bytes_, n - begin));
    CheckMpi(MPI_Bcast(bytes.data() + begin, count, MPI_BYTE, root, comm_), "MPI_Bcast");
  }
}

void Communicator::Bcast(std::string& value, int root) {
  int64_t length = static_cast<int64_t>(value.size());
  CheckMpi(MPI_Bcast(&length, 1, MPI_INT64_T, root, comm_), "MPI_Bcast");
  if (length < 0) throw MpiError("Bcast: root sent a negative string length");
  value.resize(static_cast<size_t>(length));
  Bcast(std::as_writable_bytes(std::span<char>(value.data(), value.size())), root);
}

void Communicator::CheckRankCount(size_t n, const char* what) const {
  if (n != static_cast<size_t>(size_))
    throw UsageError(std::string(what) + ": expected one buffer per rank (" +
                     std::to_string(size_) + "), got " + std::to_string(n));
}

std::vector<std::byte> Communicator::ExchangeBytes(std::span<const std::byte> send,
                                                   const std::vector<int64_t>& send_bytes,
                                                   std::vector<int64_t>& recv_bytes) {
  const size_t p = static_cast<size_t>(size_);
  recv_bytes.assign(p, 0);
  CheckMpi(
      MPI_Alltoall(send_bytes.data(), 1, MPI_INT64_T, recv_bytes.data(), 1, MPI_INT64_T, comm_),
      "MPI_Alltoall");
  std::vector<int64_t> send_off(p + 1, 0), recv_off(p + 1, 0);
  int64_t largest = 0;
  ExchangeStats stats;
  for (size_t r = 0; r < p; ++r) {
    if (recv_bytes[r] < 0)
      throw MpiError("AllToAllV: rank " + std::to_string(r) + " announced a negative size");
    send_off[r + 1] = send_off[r] + send_bytes[r];
    recv_off[r + 1] = recv_off[r] + recv_bytes[r];
    largest = std::max({largest, send_bytes[r], recv_bytes[r]});
    if (r != static_cast<size_t>(rank_)) {
      stats.bytes_sent += send_bytes[r];
      stats.bytes_received += recv_bytes[r];
    }
  }
  largest = Allreduce(largest, ReduceOp::kMax);
  // Per-destination bytes per round; p * chunk <= INT_MAX keeps staged displacements in int.
  const int64_t chunk = std::max<int64_t>(1, std::min(max_chunk_bytes_, kMaxMpiCount / size_));
  const int64_t rounds = (largest + chunk - 1) / chunk;
  std::vector<std::byte> recv(static_cast<size_t>(recv_off[p]));
  std::vector<int> sc(p), sd(p), rc(p), rd(p);
  const bool direct = rounds == 1 && send_off[p] <= kMaxMpiCount && recv_off[p] <= kMaxMpiCount;
  if (direct) {
    for (size_t r = 0; r < p; ++r) {
      sc[r] = static_cast<int>(send_bytes[r]);
      sd[r] = static_cast<int>(send_off[r]);
      rc[r] = static_cast<int>(recv_bytes[r]);
      rd[r] = static_cast<int>(recv_off[r]);
    }
    CheckMpi(MPI_Alltoallv(send.data(), sc.data(), sd.data(), MPI_BYTE, recv.data(), rc.data(),
                           rd.data(), MPI_BYTE, comm_),
             "MPI_Alltoallv");
  } else if (rounds > 0) {
    std::vector<std::byte> stage_send, stage_recv;
    for (int64_t round = 0; round < rounds; ++round) {
      const int64_t start = round * chunk;
      int64_t send_total = 0, recv_total = 0;
      for (size_t r = 0; r < p; ++r) {
        sc[r] = static_cast<int>(RoundBytes(send_bytes[r], start, chunk));
        sd[r] = static_cast<int>(send_total);
        send_total += sc[r];
        rc[r] = static_cast<int>(RoundBytes(recv_bytes[r], start, chunk));
        rd[r] = static_cast<int>(recv_total);
        recv_total += rc[r];
      }
      stage_send.resize(static_cast<size_t>(send_total));
      stage_recv.resize(static_cast<size_t>(recv_total));
      for (size_t r = 0; r < p; ++r)
        if (sc[r] > 0)
          std::memcpy(stage_send.data() + sd[r], send.data() + send_off[r] + start,
                      static_cast<size_t>(sc[r]));
      CheckMpi(MPI_Alltoallv(stage_send.data(), sc.data(), sd.data(), MPI_BYTE, stage_recv.data(),
                             rc.data(), rd.data(), MPI_BYTE, comm_),
               "MPI_Alltoallv");
      for (size_t r = 0; r < p; ++r)
        if (rc[r] > 0)
          std::memcpy(recv.data() + recv_off[r] + start, stage_recv.data() + rd[r],
                      static_cast<size_t>(rc[r]));
    }
  }
  stats.rounds = rounds;
  last_ = stats;
  total_.bytes_sent += stats.bytes_sent;
  total_.bytes_received += stats.bytes_received;
  total_.rounds += stats.rounds;
  ++exchanges_;
  return recv;
}

bool Communicator::AllAgree(int64_t value) {
  // max(~v) == ~min(v), so one MAX reduction yields both extremes without negation overflow.
  int64_t both[2] = {value, ~value};
  Allreduce(std::span<int64_t>(both, 2), ReduceOp::kMax);
  return both[0] == ~both[1];
}

void Communicator::CheckAllAgree(int64_t value, const std::string& what) {
  if (AllAgree(value)) return;
  const std::vector<int64_t> values = Allgather(value);
  std::string message = "ranks disagree on " + what + ":";
  for (size_t r = 0; r < values.size(); ++r)
    message += (r ? ", rank " : " rank ") + std::to_string(r) + " has " + std::to_string(values[r]);
  throw MpiError(message);
}

void Communicator::Abort(int code) {
  MPI_Abort(comm_, code);
  // MPI_Abort does not return; should an implementation do so, end this process anyway.
  std::_Exit(code);
}

void Communicator::ResetCounters() {
  total_ = ExchangeStats{};
  last_ = ExchangeStats{};
  exchanges_ = 0;
}

}  // namespace melograph
