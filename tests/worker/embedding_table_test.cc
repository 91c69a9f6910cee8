// ShardedEmbeddingTable under mpirun at 1, 2 and 4 ranks. Every rank can compute every other
// rank's inputs (they are functions of the rank), so each expectation is a serial reference
// computed locally. Collectives run in the same order on every rank; only EXPECT_* guards them.
#include "worker/embedding_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
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

std::vector<NodeId> OriginalIds(std::span<const NodeId> global_ids) {
  std::vector<NodeId> orig;
  for (NodeId g : global_ids) orig.push_back(OriginalId(g));
  return orig;
}

std::vector<NodeId> OwnedOriginalIds(const Communicator& comm) {
  const auto off = Offsets(comm.size());
  std::vector<NodeId> orig;
  for (int64_t g = off[static_cast<size_t>(comm.rank())]; g < off[static_cast<size_t>(comm.rank()) + 1]; ++g)
    orig.push_back(OriginalId(g));
  return orig;
}

ShardedEmbeddingTable MakeTable(Communicator& comm) {
  return ShardedEmbeddingTable(comm, Offsets(comm.size()), kDim, OwnedOriginalIds(comm), kSeed,
                               kStd);
}

// Replicated global ids: rows of every owner at K = 4 ([0,2) [2,7) [7,15) [15,23)), and 17, which
// no StepIds list touches.
const std::vector<NodeId> kReplicas{0, 2, 5, 9, 13, 17, 22};

ShardedEmbeddingTable MakeReplicatedTable(Communicator& comm, const std::vector<NodeId>& replicas,
                                          const std::vector<NodeId>& replica_original_ids) {
  return ShardedEmbeddingTable(comm, Offsets(comm.size()), kDim, OwnedOriginalIds(comm), kSeed,
                               kStd, replicas, replica_original_ids);
}

ShardedEmbeddingTable MakeReplicatedTable(Communicator& comm) {
  return MakeReplicatedTable(comm, kReplicas, OriginalIds(kReplicas));
}

bool IsReplicated(int64_t id) { return std::binary_search(kReplicas.begin(), kReplicas.end(), id); }

// Bit-for-bit equality of two float arrays (memcmp: -0.0 != 0.0, NaN == the same NaN).
bool SameBits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
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

// The ids rank r pushes at `step`: repeats, every owner, replicated rows shared by several ranks
// (2 by every rank, 9 or 22 by every other rank), never 17.
std::vector<NodeId> StepIds(int r, int step) {
  std::vector<NodeId> ids;
  for (int i = 0; i < 9; ++i) {
    const auto id = static_cast<NodeId>((r * 5 + i * 11 + step * 3) % kNodes);
    if (id != 17) ids.push_back(id);
  }
  ids.push_back(2);
  ids.push_back(r % 2 == 0 ? 9 : 22);
  ids.push_back(ids[1]);
  ids.push_back(2);
  return ids;
}

// Gradients of mixed magnitudes (1e-3 .. 1e3), so a different summation order changes the bits.
std::vector<float> StepGrads(int r, int step, size_t n) {
  std::vector<float> grads(n * kDim);
  for (size_t p = 0; p < n; ++p) {
    Rng rng(HashCombine(kSeed, static_cast<uint64_t>(r), static_cast<uint64_t>(step), p));
    for (int j = 0; j < kDim; ++j)
      grads[p * kDim + static_cast<size_t>(j)] =
          static_cast<float>(rng.Normal() * std::pow(10.0, 6.0 * rng.UniformDouble() - 3.0));
  }
  return grads;
}

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

TEST(ShardedEmbeddingTable, replica_copies_start_bit_identical_to_the_owner_rows) {
  Communicator comm;
  ShardedEmbeddingTable plain = MakeTable(comm);
  ShardedEmbeddingTable table = MakeReplicatedTable(comm);
  EXPECT_EQ(table.replicas().rows, static_cast<int64_t>(kReplicas.size()));
  EXPECT_EQ(table.replicas().dim, kDim);
  EXPECT_TRUE(std::equal(table.replica_ids().begin(), table.replica_ids().end(), kReplicas.begin(),
                         kReplicas.end()));
  for (int64_t g = -1; g <= kNodes; ++g) {
    const auto it = std::find(kReplicas.begin(), kReplicas.end(), g);
    EXPECT_EQ(table.ReplicaIndex(g), it == kReplicas.end() ? -1 : it - kReplicas.begin())
        << "id " << g;
  }
  EXPECT_TRUE(SameBits(table.owned_values(), plain.owned_values()));
  const std::vector<float> owner_rows = plain.Pull(kReplicas);
  EXPECT_TRUE(SameBits(table.replicas().values, owner_rows));
  for (size_t i = 0; i < kReplicas.size() && i < static_cast<size_t>(table.replicas().rows); ++i)
    EXPECT_TRUE(
        SameBits(std::span<const float>(table.replicas().row(static_cast<int64_t>(i)), kDim),
                 InitialRow(kReplicas[i])))
        << "replica of " << kReplicas[i];
}

TEST(ShardedEmbeddingTable, pull_with_replicas_equals_pull_without_and_skips_the_owner) {
  Communicator comm;
  ShardedEmbeddingTable plain = MakeTable(comm);
  ShardedEmbeddingTable table = MakeReplicatedTable(comm);
  // Mixed: owned, remote, replicated (owned here or not), with repeats, unsorted.
  std::vector<NodeId> ids = Touched(comm.rank());
  ids.insert(ids.end(), kReplicas.rbegin(), kReplicas.rend());
  ids.push_back(kReplicas[2]);
  ids.push_back(ids.front());
  const std::vector<float> want = plain.Pull(ids);
  const std::vector<float> got = table.Pull(ids);
  EXPECT_TRUE(SameBits(got, want));
  int64_t replicated_remote = 0;
  for (NodeId id : std::set<NodeId>(ids.begin(), ids.end()))
    if (IsReplicated(id) && table.Owner(id) != comm.rank()) ++replicated_remote;
  EXPECT_EQ(table.stats().pulled_rows, plain.stats().pulled_rows);
  EXPECT_EQ(plain.stats().remote_pulled_rows - table.stats().remote_pulled_rows, replicated_remote);
  EXPECT_EQ(table.stats().replica_pulled_rows, replicated_remote);
  EXPECT_EQ(plain.stats().replica_pulled_rows, 0);

  // A pull of replicated ids only moves no bytes.
  const ExchangeStats before = comm.total_exchanged();
  const std::vector<float> hubs = table.Pull(kReplicas);
  EXPECT_EQ(comm.total_exchanged().bytes_sent, before.bytes_sent);
  EXPECT_EQ(comm.total_exchanged().bytes_received, before.bytes_received);
  EXPECT_TRUE(SameBits(hubs, plain.Pull(kReplicas)));
}

TEST(ShardedEmbeddingTable, pull_serves_the_local_replica_and_pull_from_never_does) {
  Communicator comm;
  ShardedEmbeddingTable table = MakeReplicatedTable(comm);
  // Mark every local replica: Pull must return the mark for a replicated row owned elsewhere and
  // the owner's row otherwise; PullFrom over the owned rows must never see a mark.
  for (int64_t i = 0; i < table.replicas().rows; ++i)
    for (int j = 0; j < kDim; ++j) table.replicas().row(i)[j] = 1000.0f + static_cast<float>(i);
  const std::vector<float> pulled = table.Pull(kReplicas);
  const std::vector<float> from = table.PullFrom(table.owned_values(), kReplicas);
  EXPECT_EQ(pulled.size(), kReplicas.size() * kDim);
  EXPECT_EQ(from.size(), kReplicas.size() * kDim);
  for (size_t i = 0; i < kReplicas.size() && (i + 1) * kDim <= std::min(pulled.size(), from.size());
       ++i) {
    const std::vector<float> owner_row = InitialRow(kReplicas[i]);
    const std::span<const float> p(pulled.data() + i * kDim, kDim), f(from.data() + i * kDim, kDim);
    if (table.Owner(kReplicas[i]) == comm.rank()) {
      EXPECT_TRUE(SameBits(p, owner_row)) << "owned id " << kReplicas[i];
    } else {
      EXPECT_EQ(p[0], 1000.0f + static_cast<float>(i)) << "replicated id " << kReplicas[i];
    }
    EXPECT_TRUE(SameBits(f, owner_row)) << "PullFrom id " << kReplicas[i];
  }
}

TEST(ShardedEmbeddingTable, push_and_apply_with_replicas_match_the_table_without_replicas) {
  Communicator comm;
  const int me = comm.rank();
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kAdagrad}) {
    SCOPED_TRACE(kind == OptimizerKind::kAdam ? "adam" : "adagrad");
    OptimizerOptions options;
    options.kind = kind;
    options.learning_rate = 0.05f;
    options.adagrad_initial = 0.1f;
    const SparseOptimizer opt(options);
    ShardedEmbeddingTable plain = MakeTable(comm);
    ShardedEmbeddingTable table = MakeReplicatedTable(comm);
    plain.InitOptimizerState(opt);
    table.InitOptimizerState(opt);
    int64_t replica_pushed = 0, replica_pushed_remote = 0;
    for (int step = 1; step <= 4; ++step) {
      const std::vector<NodeId> ids = StepIds(me, step);
      const std::vector<float> grads = StepGrads(me, step, ids.size());
      OwnedGradients want = plain.Push(ids, grads);
      OwnedGradients got = table.Push(ids, grads);
      // The owned part, the owner's replicated rows included, is the replica-less result.
      EXPECT_EQ(got.local_rows, want.local_rows) << "step " << step;
      EXPECT_TRUE(SameBits(got.grads, want.grads)) << "step " << step;
      EXPECT_TRUE(want.replica_rows.empty());
      // Every replicated row any rank touched, on every rank.
      std::set<int64_t> touched;
      for (int s = 0; s < comm.size(); ++s)
        for (NodeId id : StepIds(s, step))
          if (IsReplicated(id)) touched.insert(table.ReplicaIndex(id));
      EXPECT_EQ(got.replica_rows, std::vector<int64_t>(touched.begin(), touched.end()))
          << "step " << step;
      EXPECT_EQ(got.replica_grads.size(), got.replica_rows.size() * kDim);
      // The owner's replicated rows: the same gradient in both parts.
      for (size_t i = 0; i < got.replica_rows.size() && (i + 1) * kDim <= got.replica_grads.size();
           ++i) {
        const int64_t id = kReplicas[static_cast<size_t>(got.replica_rows[i])];
        if (table.Owner(id) != me) continue;
        const auto it = std::find(got.local_rows.begin(), got.local_rows.end(), id - table.begin());
        EXPECT_NE(it, got.local_rows.end()) << "owned replicated id " << id;
        if (it == got.local_rows.end()) continue;
        const size_t owned_i = static_cast<size_t>(it - got.local_rows.begin());
        EXPECT_TRUE(SameBits(std::span<const float>(got.replica_row(i), kDim),
                             std::span<const float>(got.row(owned_i), kDim)))
            << "owned replicated id " << id;
      }
      for (NodeId id : std::set<NodeId>(ids.begin(), ids.end())) {
        if (!IsReplicated(id)) continue;
        ++replica_pushed;
        if (table.Owner(id) != me) ++replica_pushed_remote;
      }
      plain.ApplyGradients(opt, std::move(want), step);
      table.ApplyGradients(opt, std::move(got), step);
    }
    EXPECT_EQ(table.stats().replica_pushed_rows, replica_pushed);
    EXPECT_EQ(table.stats().pushed_rows, plain.stats().pushed_rows);
    EXPECT_EQ(plain.stats().remote_pushed_rows - table.stats().remote_pushed_rows,
              replica_pushed_remote);
    EXPECT_TRUE(SameBits(table.local().values, plain.local().values));
    EXPECT_TRUE(SameBits(table.local().state1, plain.local().state1));
    EXPECT_TRUE(SameBits(table.local().state2, plain.local().state2));
    // Every rank's copy equals the owner's row and state, bit for bit.
    EXPECT_TRUE(SameBits(table.replicas().values, plain.Pull(kReplicas)));
    EXPECT_TRUE(SameBits(table.replicas().state1, plain.PullFrom(plain.local().state1, kReplicas)));
    if (kind == OptimizerKind::kAdam)
      EXPECT_TRUE(
          SameBits(table.replicas().state2, plain.PullFrom(plain.local().state2, kReplicas)));
    else
      EXPECT_TRUE(table.replicas().state2.empty());
    // Row 2 moved; row 17 (touched by no rank) did not.
    const int64_t r2 = table.ReplicaIndex(2), r17 = table.ReplicaIndex(17);
    EXPECT_FALSE(SameBits(std::span<const float>(table.replicas().row(r2), kDim), InitialRow(2)));
    EXPECT_TRUE(SameBits(std::span<const float>(table.replicas().row(r17), kDim), InitialRow(17)));
  }
}

TEST(ShardedEmbeddingTable, refresh_replicas_restores_the_owner_values_and_state) {
  Communicator comm;
  OptimizerOptions options;
  options.kind = OptimizerKind::kAdam;
  options.learning_rate = 0.05f;
  const SparseOptimizer opt(options);
  ShardedEmbeddingTable table = MakeReplicatedTable(comm);
  table.InitOptimizerState(opt);
  for (int step = 1; step <= 2; ++step) {
    const std::vector<NodeId> ids = StepIds(comm.rank(), step);
    table.ApplyGradients(opt, table.Push(ids, StepGrads(comm.rank(), step, ids.size())), step);
  }
  // A restore that loads only the owned rows: owned rows change, replicas are stale or garbage.
  for (float& x : table.local().values) x += 0.5f;
  for (float& x : table.local().state1) x *= 2.0f;
  std::fill(table.replicas().values.begin(), table.replicas().values.end(), 42.0f);
  std::fill(table.replicas().state1.begin(), table.replicas().state1.end(), -1.0f);
  table.replicas().state2.clear();  // refresh sizes the state arrays like the owned ones
  table.RefreshReplicas();
  EXPECT_TRUE(SameBits(table.replicas().values, table.PullFrom(table.owned_values(), kReplicas)));
  EXPECT_TRUE(SameBits(table.replicas().state1, table.PullFrom(table.local().state1, kReplicas)));
  EXPECT_TRUE(SameBits(table.replicas().state2, table.PullFrom(table.local().state2, kReplicas)));
  EXPECT_TRUE(SameBits(table.Pull(kReplicas), table.PullFrom(table.owned_values(), kReplicas)));
}

TEST(ShardedEmbeddingTable, bad_replica_lists_are_usage_errors) {
  Communicator comm;
  // Every rank passes the same bad list: all throw before any collective.
  auto expect_error = [&](const std::vector<NodeId>& ids, const std::vector<NodeId>& orig,
                          const std::string& what) {
    try {
      MakeReplicatedTable(comm, ids, orig);
      ADD_FAILURE() << "expected UsageError: " << what;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_error({5, 2}, OriginalIds(std::vector<NodeId>{5, 2}),
               "replica ids not sorted ascending (2 after 5)");
  expect_error({2, 2}, OriginalIds(std::vector<NodeId>{2, 2}), "replica id 2 listed twice");
  expect_error({3, kNodes}, {3, 3}, "replica id 23 outside [0, 23)");
  expect_error({-1, 3}, {3, 3}, "replica id -1 outside [0, 23)");
  expect_error({2, 5}, {OriginalId(2)}, "2 replica ids but 1 replica original ids");
#if MELOGRAPH_ASSERT_LEVEL >= 2
  // Lists that differ between ranks: the communicating assertion throws on every rank.
  if (comm.size() > 1) {
    const std::vector<NodeId> ids{comm.rank() == 0 ? NodeId{2} : NodeId{5}};
    EXPECT_THROW(MakeReplicatedTable(comm, ids, OriginalIds(ids)), MpiError);
  }
#endif
}

}  // namespace
}  // namespace melograph
