// The single-process trainer on a drawn graph: deterministic for a seed, the loss falls, and the
// learned scores rank each user's community items first.
#include "model/serial_trainer.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "graph/graph_builder.h"

namespace melograph {
namespace {

// Two communities: users a0..a3 listen to songs p0..p3, users b0..b3 to songs q0..q3 (every
// user misses one song of their community, held out in the check below).
Graph TwoCommunities() {
  GraphBuilder b;
  for (int u = 0; u < 4; ++u)
    for (int s = 0; s < 4; ++s) {
      if (s == u) continue;  // held out
      b.AddEdge("user", "a" + std::to_string(u), "listened", "song", "p" + std::to_string(s));
      b.AddEdge("user", "b" + std::to_string(u), "listened", "song", "q" + std::to_string(s));
    }
  return b.Build();
}

TrainConfig Config(const std::string& extra) {
  return ParseTrainConfig(
      "dim: 8 epochs: 30 batch_size: 8 learning_rate: 0.05 layers: 2 l2: 0.0001 seed: 3\n" + extra,
      "test");
}

double Score(const EmbeddingTable& e, const Graph& g, const std::string& u, const std::string& s) {
  const float* x = e.row(*g.Find(u));
  const float* y = e.row(*g.Find(s));
  double d = 0;
  for (int64_t k = 0; k < e.dim; ++k) d += x[k] * y[k];
  return d;
}

void ExpectCommunitiesLearned(const std::string& extra) {
  const Graph g = TwoCommunities();
  const SerialTrainResult r = TrainSerial(g, Config(extra));
  EXPECT_EQ(r.epochs.size(), 30u);
  EXPECT_EQ(r.steps, 30 * 3);  // 24 examples, batches of 8
  EXPECT_LT(r.epochs.back().loss, r.epochs.front().loss);
  for (int u = 0; u < 4; ++u) {
    const std::string a = "user:a" + std::to_string(u), held = "song:p" + std::to_string(u);
    for (int s = 0; s < 4; ++s)
      EXPECT_GT(Score(r.embeddings, g, a, held), Score(r.embeddings, g, a, "song:q" + std::to_string(s)))
          << a;
  }
}

TEST(SerialTrainer, lightgcn_bpr_learns_communities) { ExpectCommunitiesLearned("loss: BPR"); }

TEST(SerialTrainer, lightgcn_sampled_softmax_learns_communities) {
  ExpectCommunitiesLearned("loss: SAMPLED_SOFTMAX negatives: 4 temperature: 0.5");
}

TEST(SerialTrainer, same_seed_gives_identical_embeddings) {
  const Graph g = TwoCommunities();
  TrainConfig c = Config("");
  c.set_epochs(3);
  EXPECT_EQ(TrainSerial(g, c).embeddings.values, TrainSerial(g, c).embeddings.values);
  TrainConfig other = c;
  other.set_seed(4);
  EXPECT_NE(TrainSerial(g, c).embeddings.values, TrainSerial(g, other).embeddings.values);
}

TEST(SerialTrainer, refuses_models_and_types_it_cannot_train) {
  const Graph g = TwoCommunities();
  EXPECT_THROW(TrainSerial(g, Config("model: KGNN fanouts: 2")), UsageError);
  EXPECT_THROW(TrainSerial(g, Config("item_type: \"artist\"")), UsageError);
}

}  // namespace
}  // namespace melograph
