// Training checkpoints: every rank's state (embedding rows, optimiser state, dense parameters,
// step and RNG position) as named binary sections, written atomically with checksums, and the
// choice of the checkpoint to resume from.
//
// Layout: RUN/checkpoints/step-<step, 12 digits>/
//            rank-<k, 5 digits>.ckpt   one per rank (CheckpointState, below)
//            manifest.pb               CheckpointManifest (proto/checkpoint_manifest.proto), by
//                                      rank 0 after every rank committed: its presence marks the
//                                      checkpoint complete.
// A rank file is "MGCKPT01", u32 section count, then per section: u32 name length, name, u64
// byte length, bytes; then the CRC-32 of everything before it (u32). Little-endian.
//
// Contract:
//  * WriteCheckpoint is a collective. Each rank writes its file through AtomicFile (temporary name,
//    fsync, rename), then rank 0 writes manifest.pb atomically with every rank's size and CRC, then
//    older complete checkpoints beyond `keep` are removed (by rank 0, after a barrier). A crash at
//    any point leaves the previous complete checkpoint intact.
//  * FindResumeStep is a collective. It walks the complete checkpoints from the newest: one is
//    usable when its manifest parses, names this rank count, and every rank's file has the recorded
//    size and CRC and parses (each rank checks its own file; the verdict is agreed by allreduce).
//    Unusable checkpoints are skipped with a warning naming the file and the reason (fall back to
//    the previous good one). Returns -1 when none is usable.
//  * LoadCheckpoint reads one rank's file and verifies it (FormatError naming the file otherwise).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/communicator.h"

namespace melograph {

class CheckpointState {
 public:
  void Put(const std::string& name, std::span<const std::byte> bytes) {
    views_.erase(name);
    sections_[name].assign(bytes.begin(), bytes.end());
  }
  // A section that borrows the caller's memory (no copy): it must stay alive and unchanged until
  // the state is written. For large tables, so a checkpoint never holds a second copy of them.
  template <typename T>
  void PutArrayView(const std::string& name, std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    sections_.erase(name);
    views_[name] = std::as_bytes(values);
  }
  template <typename T>
  void PutArray(const std::string& name, std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put(name, std::as_bytes(values));
  }
  template <typename T>
  void PutValue(const std::string& name, const T& value) {
    PutArray<T>(name, std::span<const T>(&value, 1));
  }

  bool Has(const std::string& name) const { return sections_.count(name) != 0 || views_.count(name) != 0; }
  // Throws FormatError when the section is missing or its size is not a multiple of sizeof(T).
  template <typename T>
  std::vector<T> GetArray(const std::string& name) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::span<const std::byte> b = Section(name);
    if (b.size() % sizeof(T) != 0)
      throw FormatError(source_ + ": checkpoint section '" + name + "' has " +
                        std::to_string(b.size()) + " bytes, not a multiple of " + std::to_string(sizeof(T)));
    std::vector<T> out(b.size() / sizeof(T));
    if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
    return out;
  }
  template <typename T>
  T GetValue(const std::string& name) const {
    const std::vector<T> v = GetArray<T>(name);
    if (v.size() != 1)
      throw FormatError(source_ + ": checkpoint section '" + name + "' holds " +
                        std::to_string(v.size()) + " values, expected 1");
    return v[0];
  }
  // Owned sections (a parsed checkpoint holds only these).
  const std::map<std::string, std::vector<std::byte>>& sections() const { return sections_; }

  // Serialised form (with the trailing CRC) and its inverse; `source` names the input in errors.
  // Sections are written in name order, owned and borrowed alike.
  std::string Serialize() const;
  // Streams the serialised form into `out` without building it in memory; returns its size and
  // the CRC-32 of the whole stream (trailer included), as recorded in the manifest.
  std::pair<int64_t, uint32_t> WriteTo(AtomicFile& out) const;
  static CheckpointState Parse(std::string_view bytes, const std::string& source);

 private:
  std::span<const std::byte> Section(const std::string& name) const;
  // Calls emit(bytes) for the whole serialised form except the trailing CRC, in order.
  template <typename Emit>
  void EmitBody(Emit&& emit) const;
  std::map<std::string, std::vector<std::byte>> sections_;
  std::map<std::string, std::span<const std::byte>> views_;
  std::string source_ = "checkpoint";
};

struct CheckpointInfo {
  int64_t step = 0;
  int64_t epoch = 0;
  uint64_t seed = 0;
};

std::string CheckpointDir(const std::string& run_dir, int64_t step);
std::string CheckpointRankFile(const std::string& run_dir, int64_t step, int rank);

// Collective. Keeps the newest `keep` complete checkpoints (keep >= 1).
void WriteCheckpoint(Communicator& comm, const std::string& run_dir, const CheckpointInfo& info,
                     const CheckpointState& state, int keep = 2);

// Collective. The newest usable checkpoint's step, or -1.
int64_t FindResumeStep(Communicator& comm, const std::string& run_dir);

// Local. Reads and verifies this rank's file of checkpoint `step` (and its manifest).
CheckpointState LoadCheckpoint(const std::string& run_dir, int64_t step, int rank,
                               CheckpointInfo* info = nullptr);

}  // namespace melograph
