// Checkpoints under mpirun at 1, 2 and 4 ranks: round trip, pruning, resume from the newest
// usable checkpoint, fallback past a corrupt or truncated rank file, incomplete checkpoints ignored.
#include "worker/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/file_util.h"

namespace melograph {
namespace {

// A scratch directory shared by all ranks: rank 0 creates it, the path is broadcast.
class SharedDir {
 public:
  explicit SharedDir(Communicator& comm) : comm_(comm) {
    if (comm.rank() == 0) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "melograph_ckpt_XXXXXX").string();
      if (!::mkdtemp(tmpl.data())) std::abort();
      path_ = tmpl;
    }
    comm.Bcast(path_, 0);
  }
  ~SharedDir() {
    comm_.Barrier();
    if (comm_.rank() == 0) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  Communicator& comm_;
  std::string path_;
};

CheckpointState StateFor(int rank, int64_t step) {
  CheckpointState s;
  std::vector<float> rows(5 + static_cast<size_t>(rank));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(step * 100 + rank * 10) + 0.5f * static_cast<float>(i);
  s.PutArray<float>("embeddings", rows);
  s.PutValue<int64_t>("step", step);
  s.PutValue<uint64_t>("rng", 0xabcdef00ULL + static_cast<uint64_t>(rank));
  return s;
}

TEST(Checkpoint, state_serialisation_round_trips_and_rejects_damage) {
  const CheckpointState s = StateFor(1, 7);
  const std::string bytes = s.Serialize();
  const CheckpointState back = CheckpointState::Parse(bytes, "mem");
  EXPECT_EQ(back.sections(), s.sections());
  EXPECT_EQ(back.GetValue<int64_t>("step"), 7);
  EXPECT_EQ(back.GetArray<float>("embeddings"), s.GetArray<float>("embeddings"));
  std::string flipped = bytes;
  flipped[20] ^= 0x01;
  try {
    CheckpointState::Parse(flipped, "mem");
    ADD_FAILURE() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("mem: checksum mismatch"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CheckpointState::Parse(bytes.substr(0, 6), "mem"), FormatError);
  EXPECT_THROW(back.GetArray<float>("missing"), FormatError);
  EXPECT_THROW(back.GetValue<int32_t>("step"), FormatError);  // 8 bytes = two int32 values
  CheckpointState odd;
  const std::vector<char> three{'a', 'b', 'c'};
  odd.PutArray<char>("odd", three);
  EXPECT_THROW(odd.GetArray<int32_t>("odd"), FormatError);
}

TEST(Checkpoint, borrowed_sections_serialise_like_copies) {
  const std::vector<float> rows{1.5f, -2.0f, 3.25f};
  const std::vector<int64_t> ids{7, 9};
  CheckpointState copied, borrowed;
  copied.PutArray<float>("rows", rows);
  copied.PutArray<int64_t>("ids", ids);
  copied.PutValue<int64_t>("step", 4);
  borrowed.PutArrayView<float>("rows", rows);
  borrowed.PutArrayView<int64_t>("ids", ids);
  borrowed.PutValue<int64_t>("step", 4);
  EXPECT_EQ(borrowed.Serialize(), copied.Serialize());
  EXPECT_EQ(borrowed.GetArray<float>("rows"), rows);
  EXPECT_TRUE(borrowed.Has("ids"));
}

TEST(Checkpoint, write_load_prune_and_resume_from_newest) {
  Communicator comm;
  SharedDir dir(comm);
  EXPECT_EQ(FindResumeStep(comm, dir.path()), -1);  // nothing yet
  for (int64_t step : {10, 20, 30}) WriteCheckpoint(comm, dir.path(), {step, step / 10, 5}, StateFor(comm.rank(), step), 2);
  // Only the newest two survive.
  EXPECT_FALSE(PathExists(CheckpointDir(dir.path(), 10)));
  EXPECT_TRUE(PathExists(CheckpointDir(dir.path(), 20)));
  EXPECT_EQ(FindResumeStep(comm, dir.path()), 30);
  CheckpointInfo info;
  const CheckpointState got = LoadCheckpoint(dir.path(), 30, comm.rank(), &info);
  EXPECT_EQ(got.sections(), StateFor(comm.rank(), 30).sections());
  EXPECT_EQ(info.step, 30);
  EXPECT_EQ(info.epoch, 3);
  EXPECT_EQ(info.seed, 5u);
}

TEST(Checkpoint, corrupt_or_truncated_rank_file_falls_back_to_previous_good) {
  Communicator comm;
  SharedDir dir(comm);
  for (int64_t step : {1, 2}) WriteCheckpoint(comm, dir.path(), {step, 0, 1}, StateFor(comm.rank(), step), 3);
  comm.Barrier();
  // The last rank's newest file loses its tail.
  const int victim = comm.size() - 1;
  if (comm.rank() == victim) {
    const std::string f = CheckpointRankFile(dir.path(), 2, victim);
    std::filesystem::resize_file(f, std::filesystem::file_size(f) - 3);
  }
  comm.Barrier();
  EXPECT_EQ(FindResumeStep(comm, dir.path()), 1);
  if (comm.rank() == victim) {
    try {
      LoadCheckpoint(dir.path(), 2, victim);
      ADD_FAILURE() << "expected FormatError";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("rank-"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
  }
  comm.Barrier();
  // Flip a byte of rank 0's file of step 1 (same size): no usable checkpoint remains.
  if (comm.rank() == 0) {
    const std::string f = CheckpointRankFile(dir.path(), 1, 0);
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(12);
    io.put('\x7f');
  }
  comm.Barrier();
  EXPECT_EQ(FindResumeStep(comm, dir.path()), -1);
}

TEST(Checkpoint, incomplete_checkpoint_without_manifest_is_ignored) {
  Communicator comm;
  SharedDir dir(comm);
  WriteCheckpoint(comm, dir.path(), {4, 0, 1}, StateFor(comm.rank(), 4), 2);
  WriteCheckpoint(comm, dir.path(), {8, 0, 1}, StateFor(comm.rank(), 8), 2);
  comm.Barrier();
  if (comm.rank() == 0) std::filesystem::remove(CheckpointDir(dir.path(), 8) + "/manifest.pb");  // crash before the manifest
  comm.Barrier();
  EXPECT_EQ(FindResumeStep(comm, dir.path()), 4);
}

}  // namespace
}  // namespace melograph
