// Fold-in: a new row for one node of a trained embedding table, by a few local optimisation
// steps with every other row frozen (the "folding in" of matrix factorisation, applied to the
// final, propagated vectors of a run). Scores are inner products, as in `melograph eval --run`.
//
// FoldInQuery (a user against frozen item rows): minimises, by Adam on the one vector x,
//   L(x) = sum_p a_p [ log( exp(x.e_p / T) + sum_{j in N_t} exp(x.e_j / T) ) - x.e_p / T ]
//          + (l2 / 2) |x - x0|^2
// over the positives p (weights a_p = w_p / sum w), with N_t = `negatives` items drawn from
// the NegativeDistribution at step t (items that are positives are redrawn, up to a few tries) plus the
// hard negatives (e.g. the user's `rejected` songs), and x0 = sum_p a_p e_p as start and
// anchor (LightGCN's user vector is a normalised sum of its items' vectors, so x0 is already
// close; the steps sharpen it against the rest of the catalogue).
//
// FoldInItem (a song against frozen user rows and the other item rows): minimises
//   L(y) = sum_u a_u [ log( exp(u.y / T) + Z_u ) - u.y / T ] + (l2 / 2) |y - y0|^2
// over its listeners u, where Z_u = sum_{j in N_u} exp(u.e_j / T) over `negatives` items drawn
// once per listener (they do not depend on y). y0 is the caller's prior (the mean of the rows of
// the song's KG and co-listening neighbours) and the start.
//
// Negatives and logQ: as in training (worker/trainer.cc), items are drawn with probability
// q_j proportional to max(1, degree_j)^power, and with logq_correction every candidate's logit
// x.e_j / T is shifted by -log q_j, so the fold-in optimises the same objective the frozen
// item vectors were trained for (a sampled softmax with logQ correction). Without the
// correction (or with power 0: uniform draws) it is a plain sampled softmax.
//
// Determinism: every draw comes from Rng(HashCombine(seed, work_key, step or listener index)),
// where work_key identifies the node (a hash of its KEY, so it does not change when ids shift).
// Results depend only on the inputs, never on threads. Cost per step: (|positives| + negatives)
// dot products of length dim for a query; |listeners| dot products for an item (plus
// |listeners| * negatives once).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace melograph {

struct FoldInOptions {
  int steps = 30;
  int negatives = 256;
  float learning_rate = 0.01f;
  float temperature = 0.5f;
  float l2 = 1.0f;  // pull toward the start vector
  float negative_power = 0.75f;  // q_j ~ max(1, degree_j)^power (0: uniform)
  bool logq_correction = true;
  uint64_t seed = 1;
};

// The item sampling distribution: q_j proportional to weights[j]; Draw is a binary search on
// the cumulative weights. LogQ(j) is log q_j when logq correction is on, else 0.
class NegativeDistribution {
 public:
  NegativeDistribution(std::vector<double> weights, bool logq_correction);
  int64_t size() const { return static_cast<int64_t>(cdf_.size()); }
  template <typename R>
  int64_t Draw(R& rng) const {
    const double u = rng.UniformDouble() * cdf_.back();
    const int64_t i = UpperBound(u);
    return i < size() ? i : size() - 1;
  }
  double LogQ(int64_t j) const { return logq_.empty() ? 0.0 : logq_[static_cast<size_t>(j)]; }

 private:
  int64_t UpperBound(double u) const;
  std::vector<double> cdf_;
  std::vector<double> logq_;
};

// Frozen rows: row(i) is candidate i's vector (dim floats).
struct FrozenRows {
  const float* values = nullptr;
  int64_t rows = 0;
  int dim = 0;
  const float* row(int64_t i) const { return values + i * dim; }
};

struct WeightedRow {
  int64_t row = 0;  // index into FrozenRows
  float weight = 1.0f;
};

// Positives and hard negatives index `items`; negatives are drawn from `dist` (over the same
// rows: dist.size() == items.rows). Returns
// the new vector (zeros when there are no positives: nothing to fold in). `positives` must be
// sorted by row (used to reject accidental hits).
std::vector<float> FoldInQuery(const FrozenRows& items, std::span<const WeightedRow> positives,
                               std::span<const int64_t> hard_negatives,
                               const NegativeDistribution& dist, const FoldInOptions& options,
                               uint64_t work_key);

// Listeners index `users`; negatives are drawn from `dist` over `items` (`self`, the item's own row there
// or -1, is never a negative). y0 has dim floats.
std::vector<float> FoldInItem(const FrozenRows& users, const FrozenRows& items,
                              std::span<const WeightedRow> listeners, int64_t self,
                              std::span<const float> y0, const NegativeDistribution& dist,
                              const FoldInOptions& options, uint64_t work_key);

}  // namespace melograph
