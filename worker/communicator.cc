// Communicator implementation: error-checked MPI calls and the chunked byte exchange
// (contract in communicator.h).
#include "worker/communicator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

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

// Point-to-point tags of the byte exchange (collectives use their own context).
constexpr int kTagSizes = 7101;
constexpr int kTagData = 7102;
constexpr int kTagProbe = 7103;

// Seconds from an environment variable when set and valid, else 0 (never).
double SecondsFromEnvironment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !std::isfinite(seconds) || seconds < 0)
    throw UsageError(std::string(name) + " must be a number of seconds >= 0, got '" + text + "'");
  return seconds;
}

std::string FormatSeconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

std::string RankList(const std::vector<int>& ranks) {
  std::string who;
  for (int r : ranks) who += (who.empty() ? "" : ", ") + std::to_string(r);
  return who;
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
  stall_timeout_s_ = SecondsFromEnvironment("MELOGRAPH_COMM_TIMEOUT");
  stall_abort_s_ = SecondsFromEnvironment("MELOGRAPH_COMM_ABORT");
}

void Communicator::set_max_chunk_bytes(int64_t bytes) {
  if (bytes < 1 || bytes > kMaxMpiCount)
    throw UsageError("max chunk bytes must be in [1, " + std::to_string(kMaxMpiCount) + "], got " +
                     std::to_string(bytes));
  max_chunk_bytes_ = bytes;
}

void Communicator::set_stall_timeout(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    throw UsageError("stall timeout must be a number of seconds >= 0, got " + std::to_string(seconds));
  stall_timeout_s_ = seconds;
}

void Communicator::set_stall_abort(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    throw UsageError("stall abort must be a number of seconds >= 0, got " + std::to_string(seconds));
  stall_abort_s_ = seconds;
}

std::vector<int> Communicator::SilentPeers(double window) {
  const size_t p = static_cast<size_t>(size_);
  if (probe_out_.size() != p) {
    probe_out_.assign(p, rank_);
    probe_in_.assign(p, -1);
  }
  std::vector<MPI_Request> recvs(p, MPI_REQUEST_NULL), sends(p, MPI_REQUEST_NULL);
  for (size_t r = 0; r < p; ++r) {
    if (static_cast<int>(r) == rank_) continue;
    CheckMpi(MPI_Irecv(&probe_in_[r], 1, MPI_INT64_T, static_cast<int>(r), kTagProbe, comm_, &recvs[r]), "MPI_Irecv");
    CheckMpi(MPI_Isend(&probe_out_[r], 1, MPI_INT64_T, static_cast<int>(r), kTagProbe, comm_, &sends[r]), "MPI_Isend");
  }
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(window));
  int flag = 0;
  while (Clock::now() < end) {
    CheckMpi(MPI_Testall(static_cast<int>(p), recvs.data(), &flag, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (flag) break;
    std::this_thread::yield();
  }
  std::vector<int> silent;
  for (size_t r = 0; r < p; ++r) {
    if (recvs[r] != MPI_REQUEST_NULL) {
      int done = 0;
      CheckMpi(MPI_Test(&recvs[r], &done, MPI_STATUS_IGNORE), "MPI_Test");
      if (!done) {
        silent.push_back(static_cast<int>(r));
        MPI_Cancel(&recvs[r]);
        MPI_Request_free(&recvs[r]);
      }
    }
    if (sends[r] != MPI_REQUEST_NULL) MPI_Request_free(&sends[r]);  // its buffer is a member
  }
  return silent;
}

void Communicator::Wait(std::span<MPI_Request> requests, std::span<const int> peers, const char* call) {
  if (requests.empty()) return;
  if (stall_timeout_s_ <= 0 && stall_abort_s_ <= 0) {
    CheckMpi(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE), call);
    return;
  }
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  auto last_progress = Clock::now();
  std::vector<int> done(requests.size());
  std::vector<int> silent;
  bool diagnosed = false;
  // The ranks this call heard nothing from: its point-to-point peers still pending, or a probe.
  auto diagnose = [&] {
    silent.clear();
    if (peers.empty()) {
      silent = SilentPeers(std::min(stall_timeout_s_ > 0 ? stall_timeout_s_ : stall_abort_s_, 10.0));
    } else {
      for (size_t i = 0; i < requests.size() && i < peers.size(); ++i)
        if (requests[i] != MPI_REQUEST_NULL) silent.push_back(peers[i]);
      std::sort(silent.begin(), silent.end());
      silent.erase(std::unique(silent.begin(), silent.end()), silent.end());
    }
    diagnosed = true;
  };
  auto what = [&](double seconds) {
    return std::string(call) + ": no progress for " + FormatSeconds(seconds) + " s; " +
           (silent.empty() ? std::string("every rank answers a probe (a slow rank, not a lost one?)")
                           : "nothing from rank " + RankList(silent) + " (lost rank or cut link)");
  };
  int pending = static_cast<int>(requests.size());
  for (int64_t spin = 0; pending > 0; ++spin) {
    int completed = 0;
    CheckMpi(MPI_Testsome(static_cast<int>(requests.size()), requests.data(), &completed, done.data(),
                          MPI_STATUSES_IGNORE),
             call);
    if (completed == MPI_UNDEFINED) break;  // every request is MPI_REQUEST_NULL
    if (completed > 0) {
      pending -= completed;
      last_progress = Clock::now();
      diagnosed = false;
      continue;
    }
    if (spin > 64) std::this_thread::yield();  // oversubscribed cores: let the peer run
    const double idle = since(last_progress);
    if (stall_timeout_s_ > 0 && !diagnosed && idle >= stall_timeout_s_) {
      diagnose();
      LogWarning(what(stall_timeout_s_) + "; still waiting" +
                 (stall_abort_s_ > 0 ? " (abort after " + FormatSeconds(stall_abort_s_) + " s)" : std::string()));
    }
    if (stall_abort_s_ <= 0 || idle < stall_abort_s_) continue;
    if (!diagnosed) diagnose();
    // Withdraw the point-to-point requests still posted so no late message lands in buffers
    // about to be freed (a nonblocking collective cannot be cancelled; the job aborts next).
    if (!peers.empty())
      for (MPI_Request& request : requests) {
        if (request == MPI_REQUEST_NULL) continue;
        MPI_Cancel(&request);
        MPI_Request_free(&request);
      }
    throw CommTimeoutError(what(stall_abort_s_) + "; stall limits from --comm-timeout/--comm-abort or "
                           "MELOGRAPH_COMM_TIMEOUT/MELOGRAPH_COMM_ABORT");
  }
}

void Communicator::Barrier() {
  MPI_Request request = MPI_REQUEST_NULL;
  CheckMpi(MPI_Ibarrier(comm_, &request), "MPI_Barrier");
  Wait(std::span<MPI_Request>(&request, 1), {}, "MPI_Barrier");
}

template <typename T>
void Communicator::AllreduceImpl(std::span<T> values, ReduceOp op, MPI_Datatype type) {
  const int64_t step = std::max<int64_t>(1, max_chunk_bytes_ / static_cast<int64_t>(sizeof(T)));
  const int64_t n = static_cast<int64_t>(values.size());
  for (int64_t begin = 0; begin < n; begin += step) {
    const int count = static_cast<int>(std::min(step, n - begin));
    MPI_Request request = MPI_REQUEST_NULL;
    CheckMpi(MPI_Iallreduce(MPI_IN_PLACE, values.data() + begin, count, type, ToMpi(op), comm_, &request),
             "MPI_Allreduce");
    Wait(std::span<MPI_Request>(&request, 1), {}, "MPI_Allreduce");
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
  MPI_Request request = MPI_REQUEST_NULL;
  CheckMpi(MPI_Iallgather(value, count, MPI_BYTE, out, count, MPI_BYTE, comm_, &request), "MPI_Allgather");
  Wait(std::span<MPI_Request>(&request, 1), {}, "MPI_Allgather");
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
    MPI_Request request = MPI_REQUEST_NULL;
    CheckMpi(MPI_Ibcast(bytes.data() + begin, count, MPI_BYTE, root, comm_, &request), "MPI_Bcast");
    Wait(std::span<MPI_Request>(&request, 1), {}, "MPI_Bcast");
  }
}

void Communicator::Bcast(std::string& value, int root) {
  int64_t length = static_cast<int64_t>(value.size());
  MPI_Request request = MPI_REQUEST_NULL;
  CheckMpi(MPI_Ibcast(&length, 1, MPI_INT64_T, root, comm_, &request), "MPI_Bcast");
  Wait(std::span<MPI_Request>(&request, 1), {}, "MPI_Bcast");
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
  const size_t me = static_cast<size_t>(rank_);
  // Per-destination bytes per message; p * chunk <= INT_MAX keeps the historical round count.
  const int64_t chunk = std::max<int64_t>(1, std::min(max_chunk_bytes_, kMaxMpiCount / size_));
  // 1. Sizes: (bytes, sender's chunk) to every peer, point to point, so a silent peer is named.
  std::vector<int64_t> size_out(2 * p), size_in(2 * p);
  std::vector<MPI_Request> requests;
  std::vector<int> peers;
  requests.reserve(4 * p);
  peers.reserve(4 * p);
  for (size_t r = 0; r < p; ++r) {
    size_out[2 * r] = send_bytes[r];
    size_out[2 * r + 1] = chunk;
    if (r == me) {
      size_in[2 * r] = send_bytes[r];
      size_in[2 * r + 1] = chunk;
      continue;
    }
    requests.emplace_back();
    peers.push_back(static_cast<int>(r));
    CheckMpi(MPI_Irecv(&size_in[2 * r], 2, MPI_INT64_T, static_cast<int>(r), kTagSizes, comm_, &requests.back()),
             "MPI_Irecv");
    requests.emplace_back();
    peers.push_back(static_cast<int>(r));
    CheckMpi(MPI_Isend(&size_out[2 * r], 2, MPI_INT64_T, static_cast<int>(r), kTagSizes, comm_, &requests.back()),
             "MPI_Isend");
  }
  Wait(requests, peers, "MPI_Alltoall");
  recv_bytes.assign(p, 0);
  std::vector<int64_t> send_off(p + 1, 0), recv_off(p + 1, 0);
  int64_t largest = 0;
  ExchangeStats stats;
  for (size_t r = 0; r < p; ++r) {
    recv_bytes[r] = size_in[2 * r];
    if (recv_bytes[r] < 0)
      throw MpiError("AllToAllV: rank " + std::to_string(r) + " announced a negative size");
    if (size_in[2 * r + 1] < 1 || size_in[2 * r + 1] > kMaxMpiCount)
      throw MpiError("AllToAllV: rank " + std::to_string(r) + " announced a chunk of " +
                     std::to_string(size_in[2 * r + 1]) + " bytes");
    send_off[r + 1] = send_off[r] + send_bytes[r];
    recv_off[r + 1] = recv_off[r] + recv_bytes[r];
    largest = std::max({largest, send_bytes[r], recv_bytes[r]});
    if (r != me) {
      stats.bytes_sent += send_bytes[r];
      stats.bytes_received += recv_bytes[r];
    }
  }
  largest = Allreduce(largest, ReduceOp::kMax);
  const int64_t rounds = (largest + chunk - 1) / chunk;
  // 2. Data: one message per peer and piece of at most the sender's chunk; self is a copy.
  std::vector<std::byte> recv(static_cast<size_t>(recv_off[p]));
  if (send_bytes[me] > 0)
    std::memcpy(recv.data() + recv_off[me], send.data() + send_off[me], static_cast<size_t>(send_bytes[me]));
  requests.clear();
  peers.clear();
  for (size_t r = 0; r < p; ++r) {
    if (r == me) continue;
    const int64_t in_chunk = size_in[2 * r + 1];
    for (int64_t start = 0; start < recv_bytes[r]; start += in_chunk) {
      requests.emplace_back();
      peers.push_back(static_cast<int>(r));
      CheckMpi(MPI_Irecv(recv.data() + recv_off[r] + start, static_cast<int>(RoundBytes(recv_bytes[r], start, in_chunk)),
                         MPI_BYTE, static_cast<int>(r), kTagData, comm_, &requests.back()),
               "MPI_Irecv");
    }
    for (int64_t start = 0; start < send_bytes[r]; start += chunk) {
      requests.emplace_back();
      peers.push_back(static_cast<int>(r));
      CheckMpi(MPI_Isend(send.data() + send_off[r] + start, static_cast<int>(RoundBytes(send_bytes[r], start, chunk)),
                         MPI_BYTE, static_cast<int>(r), kTagData, comm_, &requests.back()),
               "MPI_Isend");
    }
  }
  Wait(requests, peers, "MPI_Alltoallv");
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
