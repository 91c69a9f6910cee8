// Scorer and Channel: what the evaluator and `melograph recall` rank items with.
//
// A Scorer gives every item of the evaluated item type a score for a user (higher is better);
// the evaluator and SelectTopK (recall/top_k.h) do the ranking, so embedding runs and the
// classic channels share one evaluation path. A Channel is a Scorer over a graph that can also
// say why it recommends an item (a reason path of typed keys and relation names).
//
// Contract:
//  * users and items are type-local ids of the Interactions the scorer was built on;
//  * kNoScore (-inf) marks items the scorer has nothing to say about; scores are never NaN;
//  * ScoreUsers / ScoreUser / Explain are const and are called concurrently from several
//    threads on disjoint outputs; implementations keep no mutable shared state.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "graph/graph.h"
#include "recall/interactions.h"

namespace melograph {

inline constexpr float kNoScore = -std::numeric_limits<float>::infinity();

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::string name() const = 0;
  virtual int32_t num_items() const = 0;
  // Users per ScoreUsers call the scorer works best with (matrix products like large ones).
  virtual int preferred_batch() const { return 1; }
  // scores[b * num_items() + i] = score of item i for users[b].
  virtual void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const = 0;
};

// What a channel recommends an item for: the channel that produced it and a path such as
// "user:7 -listened-> song:12 -by_artist-> artist:3 -rev_by_artist-> song:98".
struct Reason {
  std::string channel;
  std::string path;
};

// What every channel reads: the graph (for keys and KG relations) and the training matrix.
struct ChannelContext {
  const Graph* graph = nullptr;
  const Interactions* train = nullptr;
  int threads = 1;  // for precomputation (results do not depend on it)
};

class Channel : public Scorer {
 public:
  explicit Channel(ChannelContext context) : context_(context) {}
  int32_t num_items() const override { return context_.train->num_items(); }
  void ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const override {
    const size_t n = static_cast<size_t>(num_items());
    for (size_t b = 0; b < users.size(); ++b) ScoreUser(users[b], scores.subspan(b * n, n));
  }
  // Fills row[i] for every item (kNoScore where the channel has no candidate).
  virtual void ScoreUser(int32_t user, std::span<float> row) const = 0;
  // Why `item` is recommended to `user` (only called for items with a finite score).
  virtual Reason Explain(int32_t user, int32_t item) const = 0;
  // False when the graph lacks what the channel needs (e.g. no by_artist relation): the
  // channel then scores nothing. `why_not` says what is missing.
  virtual bool applicable() const { return true; }
  virtual std::string why_not() const { return {}; }

 protected:
  const Graph& graph() const { return *context_.graph; }
  const Interactions& train() const { return *context_.train; }
  std::string UserKey(int32_t u) const { return graph().Key(train().user_begin() + u); }
  std::string ItemKey(int32_t i) const { return graph().Key(train().item_begin() + i); }
  ChannelContext context_;
};

}  // namespace melograph
