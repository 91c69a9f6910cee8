#include "worker/checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "common/file_util.h"
#include "common/log.h"
#include "proto/checkpoint_manifest.pb.h"

namespace melograph {
namespace {

constexpr std::string_view kMagic = "MGCKPT01";
constexpr uint32_t kCheckpointMajor = 1;
constexpr uint32_t kCheckpointMinor = 0;
constexpr const char* kManifestName = "manifest.pb";

template <typename T>
void AppendPod(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

std::string StepName(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "step-%012lld", static_cast<long long>(step));
  return buf;
}

std::string RankName(int rank) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "rank-%05d.ckpt", rank);
  return buf;
}

proto::CheckpointManifest ReadManifest(const std::string& dir) {
  const std::string path = JoinPath(dir, kManifestName);
  proto::CheckpointManifest m;
  if (!m.ParseFromString(ReadWholeFile(path)))
    throw FormatError(path + ": not a CheckpointManifest (unparsable)");
  if (m.version().tool() != "melograph" || m.version().major() != kCheckpointMajor)
    throw FormatError(path + ": checkpoint format " + m.version().tool() + " " +
                      std::to_string(m.version().major()) + " is not melograph " +
                      std::to_string(kCheckpointMajor));
  if (m.num_ranks() < 1 || m.ranks_size() != m.num_ranks())
    throw FormatError(path + ": " + std::to_string(m.ranks_size()) + " rank entries for " +
                      std::to_string(m.num_ranks()) + " ranks");
  return m;
}

// Steps of the complete checkpoints (directories with a manifest), newest first.
std::vector<int64_t> CompleteSteps(const std::string& run_dir) {
  std::vector<int64_t> steps;
  const std::string root = JoinPath(run_dir, "checkpoints");
  if (!IsDirectory(root)) return steps;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 17 || name.rfind("step-", 0) != 0) continue;
    if (!std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    if (!PathExists(JoinPath(entry.path().string(), kManifestName))) continue;
    steps.push_back(std::stoll(name.substr(5)));
  }
  std::sort(steps.rbegin(), steps.rend());
  return steps;
}

// Verifies this rank's file of checkpoint `step` against its manifest; "" when good.
std::string CheckOwnFile(const std::string& run_dir, int64_t step, int rank, int num_ranks) {
  try {
    const proto::CheckpointManifest m = ReadManifest(CheckpointDir(run_dir, step));
    if (m.num_ranks() != num_ranks)
      return CheckpointDir(run_dir, step) + ": written by " + std::to_string(m.num_ranks()) +
             " ranks, this job has " + std::to_string(num_ranks);
    LoadCheckpoint(run_dir, step, rank);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

}  // namespace

template <typename Emit>
void CheckpointState::EmitBody(Emit&& emit) const {
  // Owned and borrowed sections merged in name order (a name lives in one map only).
  std::map<std::string, std::span<const std::byte>> all(views_.begin(), views_.end());
  for (const auto& [name, bytes] : sections_) all.emplace(name, std::span<const std::byte>(bytes));
  std::string header(kMagic);
  AppendPod<uint32_t>(header, static_cast<uint32_t>(all.size()));
  emit(std::string_view(header));
  for (const auto& [name, bytes] : all) {
    std::string h;
    AppendPod<uint32_t>(h, static_cast<uint32_t>(name.size()));
    h.append(name);
    AppendPod<uint64_t>(h, static_cast<uint64_t>(bytes.size()));
    emit(std::string_view(h));
    emit(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
}

std::string CheckpointState::Serialize() const {
  std::string out;
  EmitBody([&](std::string_view b) { out.append(b); });
  AppendPod<uint32_t>(out, Crc32(out.data(), out.size()));
  return out;
}

std::pair<int64_t, uint32_t> CheckpointState::WriteTo(AtomicFile& out) const {
  uint32_t crc = 0;
  int64_t bytes = 0;
  auto write = [&](std::string_view b) {
    crc = Crc32(b.data(), b.size(), crc);
    bytes += static_cast<int64_t>(b.size());
    out.Write(b);
  };
  EmitBody(write);
  std::string trailer;
  AppendPod<uint32_t>(trailer, crc);
  write(trailer);
  return {bytes, crc};
}

CheckpointState CheckpointState::Parse(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& why) { return FormatError(source + ": " + why); };
  if (bytes.size() < kMagic.size() + 8 || bytes.substr(0, kMagic.size()) != kMagic)
    throw fail("not a melograph checkpoint (bad magic or truncated header)");
  uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32(bytes.data(), bytes.size() - 4) != stored_crc)
    throw fail("checksum mismatch (corrupt or truncated checkpoint)");
  size_t pos = kMagic.size();
  const size_t end = bytes.size() - 4;
  auto read = [&](void* dst, size_t n) {
    if (end - pos < n) throw fail("truncated section table at byte " + std::to_string(pos));
    std::memcpy(dst, bytes.data() + pos, n);
    pos += n;
  };
  CheckpointState state;
  state.source_ = source;
  uint32_t count;
  read(&count, 4);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len;
    read(&name_len, 4);
    if (end - pos < name_len) throw fail("truncated section name at byte " + std::to_string(pos));
    std::string name(bytes.substr(pos, name_len));
    pos += name_len;
    uint64_t len;
    read(&len, 8);
    if (end - pos < len) throw fail("section '" + name + "' runs past the end of the file");
    const auto* p = reinterpret_cast<const std::byte*>(bytes.data() + pos);
    state.sections_[name].assign(p, p + len);
    pos += len;
  }
  if (pos != end) throw fail(std::to_string(end - pos) + " trailing bytes after the sections");
  return state;
}

std::span<const std::byte> CheckpointState::Section(const std::string& name) const {
  if (const auto it = sections_.find(name); it != sections_.end()) return it->second;
  if (const auto it = views_.find(name); it != views_.end()) return it->second;
  throw FormatError(source_ + ": checkpoint has no section '" + name + "'");
}

std::string CheckpointDir(const std::string& run_dir, int64_t step) {
  return JoinPath(JoinPath(run_dir, "checkpoints"), StepName(step));
}

std::string CheckpointRankFile(const std::string& run_dir, int64_t step, int rank) {
  return JoinPath(CheckpointDir(run_dir, step), RankName(rank));
}

void WriteCheckpoint(Communicator& comm, const std::string& run_dir, const CheckpointInfo& info,
                     const CheckpointState& state, int keep) {
  if (keep < 1) throw UsageError("checkpoints to keep must be >= 1, got " + std::to_string(keep));
  const std::string dir = CheckpointDir(run_dir, info.step);
  MakeDirectories(dir);
  struct FileFacts {
    int64_t bytes;
    uint32_t crc;
  };
  FileFacts mine{};
  {
    // Streamed: a checkpoint of a large table never exists twice in memory.
    AtomicFile f(CheckpointRankFile(run_dir, info.step, comm.rank()));
    const auto [bytes, crc] = state.WriteTo(f);
    mine = {bytes, crc};
    f.Commit();
  }
  const std::vector<FileFacts> facts = comm.Allgather(mine);
  if (comm.rank() == 0) {
    proto::CheckpointManifest m;
    m.mutable_version()->set_tool("melograph");
    m.mutable_version()->set_major(kCheckpointMajor);
    m.mutable_version()->set_minor(kCheckpointMinor);
    m.set_step(info.step);
    m.set_epoch(info.epoch);
    m.set_seed(info.seed);
    m.set_num_ranks(comm.size());
    for (int r = 0; r < comm.size(); ++r) {
      auto* e = m.add_ranks();
      e->set_rank(r);
      e->set_name(RankName(r));
      e->set_bytes(facts[static_cast<size_t>(r)].bytes);
      e->set_crc32(facts[static_cast<size_t>(r)].crc);
    }
    WriteWholeFile(JoinPath(dir, kManifestName), m.SerializeAsString());
  }
  comm.Barrier();
  if (comm.rank() == 0) {
    const std::vector<int64_t> steps = CompleteSteps(run_dir);
    for (size_t i = static_cast<size_t>(keep); i < steps.size(); ++i) RemoveAll(CheckpointDir(run_dir, steps[i]));
  }
  comm.Barrier();
}

int64_t FindResumeStep(Communicator& comm, const std::string& run_dir) {
  // Rank 0 lists; everyone checks the same candidates in the same order.
  std::string listing;
  if (comm.rank() == 0)
    for (int64_t s : CompleteSteps(run_dir)) listing += std::to_string(s) + "\n";
  comm.Bcast(listing, 0);
  size_t start = 0;
  while (start < listing.size()) {
    const size_t nl = listing.find('\n', start);
    const int64_t step = std::stoll(listing.substr(start, nl - start));
    start = nl + 1;
    const std::string problem = CheckOwnFile(run_dir, step, comm.rank(), comm.size());
    const int64_t bad = comm.Allreduce(static_cast<int64_t>(problem.empty() ? 0 : 1), ReduceOp::kSum);
    if (bad == 0) return step;
    if (!problem.empty())
      LogWarning("checkpoint step " + std::to_string(step) + " unusable, falling back: " + problem);
  }
  return -1;
}

CheckpointState LoadCheckpoint(const std::string& run_dir, int64_t step, int rank, CheckpointInfo* info) {
  const std::string dir = CheckpointDir(run_dir, step);
  const proto::CheckpointManifest m = ReadManifest(dir);
  if (rank < 0 || rank >= m.num_ranks())
    throw FormatError(JoinPath(dir, kManifestName) + ": no entry for rank " + std::to_string(rank));
  const proto::CheckpointRankFile& entry = m.ranks(rank);
  const std::string path = JoinPath(dir, entry.name());
  if (!PathExists(path)) throw FormatError(path + ": checkpoint file missing");
  const std::string bytes = ReadWholeFile(path);
  if (static_cast<int64_t>(bytes.size()) != entry.bytes())
    throw FormatError(path + ": " + std::to_string(bytes.size()) + " bytes, manifest says " +
                      std::to_string(entry.bytes()) + " (truncated?)");
  if (Crc32(bytes.data(), bytes.size()) != entry.crc32())
    throw FormatError(path + ": CRC-32 differs from the manifest (corrupt checkpoint)");
  if (info) {
    info->step = m.step();
    info->epoch = m.epoch();
    info->seed = m.seed();
  }
  return CheckpointState::Parse(bytes, path);
}

}  // namespace melograph
