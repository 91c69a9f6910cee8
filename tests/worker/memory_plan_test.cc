// Memory plan: exact terms for a hand-made partition manifest and config; the limit check names
// the rank and the term that does not fit.
#include "worker/memory_plan.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

namespace melograph {
namespace {

proto::PartitionManifest TwoParts() {
  proto::PartitionManifest m;
  m.set_num_parts(2);
  m.set_num_nodes(1000);
  m.set_num_edges(5000);
  for (int p = 0; p < 2; ++p) {
    auto* part = m.add_parts();
    part->set_nodes(p == 0 ? 400 : 600);
    part->set_halo_nodes(50);
    auto* f = part->add_files();
    f->set_bytes(10000 * (p + 1));
  }
  return m;
}

int64_t Term(const RankMemoryPlan& r, const std::string& name) {
  for (const auto& t : r.terms)
    if (t.name == name) return t.bytes;
  ADD_FAILURE() << "no term " << name;
  return -1;
}

TEST(MemoryPlan, terms_follow_the_documented_formulas) {
  proto::TrainConfig c;
  c.set_model(proto::TrainConfig::LIGHTGCN);
  c.set_dim(8);
  c.set_batch_size(4);  // 2 per rank
  c.set_negatives(1);
  c.add_fanouts(2);
  c.add_fanouts(3);
  c.set_optimizer(proto::TrainConfig::ADAM);
  const auto plan = PlanMemory(TwoParts(), c);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(Term(plan[1], "embeddings"), 600 * 8 * 4);
  EXPECT_EQ(Term(plan[1], "optimiser"), 2 * 600 * 8 * 4);
  EXPECT_EQ(Term(plan[1], "adjacency"), 20000);
  EXPECT_EQ(Term(plan[0], "id tables"), 1000 * 20);
  EXPECT_EQ(Term(plan[1], "full graph"), 1001 * 8 + 5000 * 6);
  // seeds = 2 * (2 + 1) = 6; hop 1: 6 * 2 = 12 picks (edges) add 1000 (1 - e^-0.012) distinct
  // nodes; hop 2: 3 picks per frontier node. 66 edges in all.
  auto distinct = [](double picks) { return 1000 * -std::expm1(-picks / 1000); };
  double nodes = 6;
  nodes += distinct(nodes * 2);
  nodes += distinct(nodes * 3);
  const auto batch_nodes = static_cast<int64_t>(nodes);
  EXPECT_EQ(batch_nodes, 70);  // 72 without repeats
  EXPECT_EQ(Term(plan[0], "batch"), batch_nodes * 8 * 4 * (3 + 2 * 2) + static_cast<int64_t>(6 * 2 + (6 + distinct(12)) * 3) * 16);
  EXPECT_EQ(Term(plan[0], "exchange"), 4 * batch_nodes * 8 * 4);
  EXPECT_EQ(Term(plan[0], "inference"), (400 * 4 + 50) * 8 * 4);
  // Sampled softmax shares its negatives across the batch: seeds = 2 * 2 + 5 = 9.
  c.set_loss(proto::TrainConfig::SAMPLED_SOFTMAX);
  c.set_negatives(5);
  const auto softmax = PlanMemory(TwoParts(), c);
  double sm = 9;
  const double sm_edges = sm * 2 + (sm + distinct(sm * 2)) * 3;
  sm += distinct(sm * 2);
  sm += distinct(sm * 3);
  EXPECT_EQ(Term(softmax[0], "batch"),
            static_cast<int64_t>(sm) * 8 * 4 * (3 + 2 * 2) + static_cast<int64_t>(sm_edges) * 16);
  c.set_loss(proto::TrainConfig::BPR);
  c.set_negatives(1);
  c.set_model(proto::TrainConfig::SGNS);
  c.set_optimizer(proto::TrainConfig::SGD);
  const auto sg = PlanMemory(TwoParts(), c);
  EXPECT_EQ(Term(sg[0], "embeddings"), 2 * 400 * 8 * 4);  // input and output vectors
  EXPECT_EQ(Term(sg[0], "optimiser"), 0);
  EXPECT_EQ(Term(sg[0], "inference"), 0);
}

TEST(MemoryPlan, limit_check_names_rank_and_largest_term) {
  proto::TrainConfig c;
  c.set_model(proto::TrainConfig::SGNS);  // no inference term; adam state = 2x the embeddings
  c.set_dim(65536);
  c.set_batch_size(2);
  c.set_negatives(1);
  c.add_fanouts(1);
  const auto plan = PlanMemory(TwoParts(), c);
  EXPECT_NO_THROW(CheckMemoryPlan(plan, 0));
  EXPECT_NO_THROW(CheckMemoryPlan(plan, plan[1].total()));
  try {
    CheckMemoryPlan(plan, plan[1].total() - 1);
    ADD_FAILURE() << "expected LimitError";
  } catch (const LimitError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rank 1 needs"), std::string::npos) << what;
    EXPECT_NE(what.find("optimiser"), std::string::npos) << what;  // adam state: 2x the embeddings
  }
  const std::string text = FormatMemoryPlan(plan, plan[0].total());
  EXPECT_NE(text.find("rank1_total_bytes: " + std::to_string(plan[1].total())), std::string::npos);
  EXPECT_NE(text.find("OVER LIMIT"), std::string::npos);
  EXPECT_NE(text.find("fits: no"), std::string::npos);
  EXPECT_EQ(FormatBytes(3LL << 30), "3.00 GiB");
  EXPECT_EQ(FormatBytes(512), "512 B");
}

}  // namespace
}  // namespace melograph
