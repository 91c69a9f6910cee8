// Memory plan: exact terms for a hand-made partition manifest and config; the limit check names
// the rank and the term that does not fit.
#include "worker/memory_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
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
  // Without relation records the estimate treats the whole graph as one relation: 5000 edges
  // over 1000 nodes (degree 5). BPR: seeds = Distinct(1000, 2) + Distinct(1000, 4) (users and
  // items default to the whole graph here); hop 1 (config hop 1, fanout 3) then hop 2 (fanout 2).
  auto distinct = [](double draws) { return 1000 * -std::expm1(-draws / 1000); };
  const BatchShape shape = EstimateBatchShape(TwoParts(), c);
  const double seeds = distinct(2) + distinct(4);
  EXPECT_DOUBLE_EQ(shape.seeds, seeds);
  ASSERT_EQ(shape.edges.size(), 2u);
  EXPECT_DOUBLE_EQ(shape.edges[0], seeds * 3);
  const double n1 = seeds + distinct(seeds * 3) * (1 - seeds / 1000);
  EXPECT_DOUBLE_EQ(shape.nodes[1], n1);
  EXPECT_DOUBLE_EQ(shape.edges[1], n1 * 2);
  EXPECT_DOUBLE_EQ(shape.nodes[2], n1 + distinct(n1 * 2) * (1 - n1 / 1000));
  // batch = tape + the sampled subgraph twice + the pulled rows and their gradients.
  const TapeEstimate tape = EstimateTape(shape, c);
  double subgraph = 0;
  for (size_t k = 0; k < 2; ++k) subgraph += 16 * shape.nodes[k] + 8 * shape.nodes[k + 1] + 12 * shape.edges[k];
  EXPECT_EQ(Term(plan[0], "batch"), tape.total() + static_cast<int64_t>(2 * subgraph + 2 * shape.nodes[2] * 8 * 4));
  EXPECT_EQ(Term(plan[0], "exchange"), static_cast<int64_t>(4 * shape.nodes[2] * 8 * 4));
  EXPECT_EQ(Term(plan[0], "inference"), (4 * 400 + 3 * 50) * 8 * 4);
  // Training and inference are phases: the total counts the larger.
  const int64_t always = Term(plan[0], "embeddings") + Term(plan[0], "optimiser") + Term(plan[0], "adjacency") +
                         Term(plan[0], "replicas") + Term(plan[0], "id tables") + Term(plan[0], "full graph") +
                         Term(plan[0], "dense") + Term(plan[0], "examples") + Term(plan[0], "runtime");
  EXPECT_EQ(plan[0].total(), always + std::max(Term(plan[0], "batch") + Term(plan[0], "exchange"), Term(plan[0], "inference")));
  // Hub replicas: every rank maps the replicas/ files; their embedding rows (with Adam's two
  // moments) only with replicate_embeddings.
  EXPECT_EQ(Term(plan[0], "replicas"), 0);
  proto::PartitionManifest replicated = TwoParts();
  replicated.mutable_replication()->set_nodes(10);
  auto* rf = replicated.add_files();
  rf->set_name("replicas/col_idx.bin");
  rf->set_bytes(700);
  replicated.add_files()->set_name("old_to_new.bin");  // not a replica file
  replicated.mutable_files(1)->set_bytes(4000);
  EXPECT_EQ(Term(PlanMemory(replicated, c)[1], "replicas"), 700);
  proto::TrainConfig rc = c;
  rc.set_replicate_embeddings(true);
  EXPECT_EQ(Term(PlanMemory(replicated, rc)[0], "replicas"), 700 + 10 * 8 * 4 * 3);
  // Examples: a rank's share (by seeds) of the target relation's edges, 32 bytes each.
  proto::PartitionManifest with_target = TwoParts();
  auto* rel = with_target.add_relations();
  rel->set_name("listened");
  rel->set_edge_count(1000);
  with_target.mutable_parts(0)->set_seeds(30);
  with_target.mutable_parts(1)->set_seeds(70);
  const auto targeted = PlanMemory(with_target, c);
  EXPECT_EQ(Term(targeted[0], "examples"), 300 * 32);
  EXPECT_EQ(Term(targeted[1], "examples"), 700 * 32);
  c.set_loss(proto::TrainConfig::BPR);
  c.set_negatives(1);
  c.set_model(proto::TrainConfig::SGNS);
  c.set_optimizer(proto::TrainConfig::SGD);
  const auto sg = PlanMemory(TwoParts(), c);
  EXPECT_EQ(Term(sg[0], "embeddings"), 2 * 400 * 8 * 4);  // input and output vectors
  EXPECT_EQ(Term(sg[0], "optimiser"), 0);
  EXPECT_EQ(Term(sg[0], "inference"), 0);
}

// LightGCN's tape, by the documented formula, for a hand-made two-hop shape (BPR, dim 4).
TEST(MemoryPlan, lightgcn_and_kgnn_tapes_follow_the_documented_formulas) {
  BatchShape s;
  s.batch = 10;
  s.negatives = 10;
  s.seeds = 25;
  s.nodes = {25, 60, 100};
  s.edges = {200, 500};
  s.transforms = {40, 90};
  proto::TrainConfig c;
  c.set_model(proto::TrainConfig::LIGHTGCN);
  c.set_dim(4);
  c.set_loss(proto::TrainConfig::BPR);
  TapeEstimate t = EstimateTape(s, c);
  // values: outputs (25 + 60) * 4 + edges 700, layer mean (2 * 2 + 2) * 25 * 4, BPR 6 * 10 * 4 + 40
  EXPECT_EQ(t.value_bytes, ((25 + 60) * 4 + 700 + 6 * 25 * 4 + 6 * 10 * 4 + 40) * 4);
  EXPECT_EQ(t.grad_bytes, ((25 + 60) * 4 + 6 * 25 * 4 + 100 * 4 + 6 * 10 * 4 + 40) * 4);
  EXPECT_EQ(t.index_bytes, (700 + 85) * 8);
  // KGNN (normalized): per hop (3 r + 2 e + 2 n) d + 8 e values, + 6 e gradients.
  c.set_model(proto::TrainConfig::KGNN);
  c.set_kgnn_aggregator(proto::TrainConfig::NORMALIZED_ATTENTION);
  t = EstimateTape(s, c);
  const int64_t m0 = (3 * 40 + 2 * 200 + 2 * 25) * 4, m1 = (3 * 90 + 2 * 500 + 2 * 60) * 4;
  EXPECT_EQ(t.value_bytes, (m0 + m1 + 8 * 700 + 6 * 25 * 4 + 6 * 10 * 4 + 40) * 4);
  EXPECT_EQ(t.grad_bytes, (m0 + m1 + 6 * 700 + 6 * 25 * 4 + 100 * 4 + 6 * 10 * 4 + 40) * 4);
  // CONCAT adds [h | n] W_out and its activation: 4 n d per hop, values and gradients.
  c.set_kgnn_aggregator(proto::TrainConfig::CONCAT);
  const TapeEstimate concat = EstimateTape(s, c);
  EXPECT_EQ(concat.value_bytes - t.value_bytes, (4 * 85 * 4 - 3 * 700) * 4);
  EXPECT_EQ(concat.grad_bytes - t.grad_bytes, (4 * 85 * 4 - 700) * 4);
  // Sampled softmax: 5 / 4 batch x (batch + negatives) logit matrices and the gathered rows.
  c.set_model(proto::TrainConfig::LIGHTGCN);
  c.set_loss(proto::TrainConfig::SAMPLED_SOFTMAX);
  const TapeEstimate softmax = EstimateTape(s, c);
  EXPECT_EQ(softmax.value_bytes - EstimateTape(s, [&] { auto b = c; b.set_loss(proto::TrainConfig::BPR); return b; }()).value_bytes,
            (5 * 10 * 20 + 2 * 30 * 4 - 6 * 10 * 4 - 40) * 4);
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
