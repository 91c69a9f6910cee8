// ShardedEmbeddingTable under mpirun at 1, 2 and 4 ranks. Every rank can compute every other
// rank's inputs (they are functions of the rank), so each expectation is a serial reference
// computed locally. Collectives run in the same order on every rank; only EXPECT_* guards them.
#include "worker/embedding_table.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {
namespace {

constexpr int64_t kNodes = 23;
constexpr int kDim = 3;
constexpr uint64_t kSeed = 99;
constexpr float kStd = 0.1f;

// Graph id of partition id g: a fixed permutation of [0, 23).
NodeId OriginalId(int64_t g) { return static_cast<NodeId>((g * 7 + 3) % kNodes); }

// Uneven contiguous ranges: part r of K gets a share that grows with r; last part takes the rest.
std::vector<int64_t> Offsets(int k) {
  std::vector<int64_t> off{0};
  for (int r = 0; r + 1 < k; ++r) off.push_back(off.back() + 2 + 3 * r);
  off.push_back(kNodes);
  return off;
}

ShardedEmbeddingTable MakeTable(Communicator& comm) {
  const auto off = Offsets(comm.size());
  std::vector<NodeId> orig;
  for (int64_t g = off[static_cast<size_t>(comm.rank())]; g < off[static_cast<size_t>(comm.rank()) + 1]; ++g)
    orig.push_back(OriginalId(g));
  return ShardedEmbeddingTable(comm, off, kDim, orig, kSeed, kStd);
}

std::vector<float> InitialRow(int64_t g) {
  Rng rng(HashCombine(kSeed, ShardedEmbeddingTable::kInitTag, static_cast<uint64_t>(OriginalId(g))));
  std::vector<float> row(kDim);
  for (auto& x : row) x = static_cast<float>(rng.Normal()) * kStd;
  return row;
}

// The ids rank r touches: repeats, every owner, unsorted.
std::vector<NodeId> Touched(int r) {
  std::vector<NodeId> ids;
  for (int i = 0; i < 9; ++i) ids.push_back(static_cast<NodeId>((r * 5 + i * 11) % kNodes));
  ids.push_back(ids[2]);
  ids.push_back(static_cast<NodeId>(r % kNodes));
  return ids;
}

float Grad(int r, size_t pos, int j) { return 0.25f * static_cast<float>(r + 1) + 0.125f * static_cast<float>(pos) - 0.5f * static_cast<float>(j) + 1e-3f; }

TEST(ShardedEmbeddingTable, initial_rows_depend_only_on_seed_and_original_id) {
  Communicator comm;
  ShardedEmbeddingTable table = MakeTable(comm);
  EXPECT_EQ(table.begin(), Offsets(comm.size())[static_cast<size_t>(comm.rank())]);
  for (int64_t i = 0; i < table.num_owned(); ++i) {
    const auto expected = InitialRow(table.begin() + i);
    for (int j = 0; j < kDim; ++j) EXPECT_EQ(table.owned_row(i)[j], expected[static_cast<size_t>(j)]);
  }
}

TEST(ShardedEmbeddingTable, pull_returns_every_requested_row_in_request_order) {
  Communicator comm;
  ShardedEmbeddingTable table = MakeTable(comm);
  const auto ids = Touched(comm.rank());
  const std::vector<float> rows = table.Pull(ids);
  ASSERT_EQ(rows.size(), ids.size() * kDim);
  for (size_t p = 0; p < ids.size(); ++p) {
    const auto expected = InitialRow(ids[p]);
    for (int j = 0; j < kDim; ++j) EXPECT_EQ(rows[p * kDim + static_cast<size_t>(j)], expected[static_cast<size_t>(j)]) << "id " << ids[p];
  }
  // An empty pull is still a valid collective.
  EXPECT_TRUE(table.Pull({}).empty());
}

TEST(ShardedEmbeddingTable, push_aggregates_per_row_in_fixed_order_on_the_owner) {
  Communicator comm;
  ShardedEmbeddingTable table = MakeTable(comm);
  const auto ids = Touched(comm.rank());
  std::vector<float> grads(ids.size() * kDim);
  for (size_t p = 0; p < ids.size(); ++p)
    for (int j = 0; j < kDim; ++j) grads[p * kDim + static_cast<size_t>(j)] = Grad(comm.rank(), p, j);
  const OwnedGradients got = table.Push(ids, grads);

  // Serial reference: per source rank (ascending) the sender's sum in position order, then the
  // owner's sum over sources in rank order.
  std::map<int64_t, std::vector<float>> expected;
  for (int s = 0; s < comm.size(); ++s) {
    const auto sids = Touched(s);
    std::map<int64_t, std::vector<float>> sender;
    for (size_t p = 0; p < sids.size(); ++p) {
      auto [it, fresh] = sender.try_emplace(sids[p], std::vector<float>(kDim, 0.0f));
      for (int j = 0; j < kDim; ++j) {
        if (fresh) it->second[static_cast<size_t>(j)] = Grad(s, p, j);
        else it->second[static_cast<size_t>(j)] += Grad(s, p, j);
      }
    }
    for (const auto& [id, g] : sender) {
      if (id < table.begin() || id >= table.end()) continue;
      auto [it, fresh] = expected.try_emplace(id - table.begin(), g);
      if (!fresh)
        for (int j = 0; j < kDim; ++j) it->second[static_cast<size_t>(j)] += g[static_cast<size_t>(j)];
    }
  }
  ASSERT_EQ(got.local_rows.size(), expected.size());
  size_t i = 0;
  for (const auto& [row, g] : expected) {
    EXPECT_EQ(got.local_rows[i], row);
    for (int j = 0; j < kDim; ++j) EXPECT_EQ(got.row(i)[j], g[static_cast<size_t>(j)]) << "row " << row;
    ++i;
  }
  std::map<NodeId, int> unique;
  for (NodeId id : ids) unique[id] = 1;
  EXPECT_EQ(table.stats().pushed_rows, static_cast<int64_t>(unique.size()));
}

TEST(ShardedEmbeddingTable, bad_ids_and_rank_mismatch_are_clear_errors) {
  Communicator comm;
  ShardedEmbeddingTable table = MakeTable(comm);
  const std::vector<NodeId> bad{3, kNodes};  // every rank passes the same bad id: all throw
  try {
    table.Pull(bad);
    ADD_FAILURE() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("node id 23 outside [0, 23)"), std::string::npos) << e.what();
  }
  const std::vector<float> grads(kDim, 1.0f);
  const std::vector<NodeId> negative{-1};
  EXPECT_THROW(table.Push(negative, grads), UsageError);
  EXPECT_THROW(table.Push(std::vector<NodeId>{1, 2}, grads), UsageError);  // 2 ids, 1 row
  std::vector<int64_t> wrong = Offsets(comm.size() + 1);
  try {
    ShardedEmbeddingTable t(comm, wrong, kDim, {}, kSeed, kStd);
    ADD_FAILURE() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("partition parts but"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace melograph
