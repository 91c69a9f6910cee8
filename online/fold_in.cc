// Fold-in of one row against frozen rows (contract and formulas in online/fold_in.h).
#include "online/fold_in.h"

#include <algorithm>
#include <cmath>

#include "common/hash.h"

namespace melograph {
namespace {

double Dot(const float* a, const float* b, int dim) {
  double s = 0;
  for (int k = 0; k < dim; ++k) s += static_cast<double>(a[k]) * static_cast<double>(b[k]);
  return s;
}

// Adam on one vector (bias-corrected, the usual constants).
class VectorAdam {
 public:
  VectorAdam(int dim, float learning_rate) : lr_(learning_rate), m_(dim, 0.0), v_(dim, 0.0) {}
  void Step(std::vector<float>& x, const std::vector<double>& grad) {
    ++t_;
    const double c1 = 1.0 - std::pow(kBeta1, t_);
    const double c2 = 1.0 - std::pow(kBeta2, t_);
    for (size_t k = 0; k < x.size(); ++k) {
      m_[k] = kBeta1 * m_[k] + (1.0 - kBeta1) * grad[k];
      v_[k] = kBeta2 * v_[k] + (1.0 - kBeta2) * grad[k] * grad[k];
      x[k] -= static_cast<float>(lr_ * (m_[k] / c1) / (std::sqrt(v_[k] / c2) + kEps));
    }
  }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  double lr_;
  int t_ = 0;
  std::vector<double> m_, v_;
};

bool IsPositive(std::span<const WeightedRow> positives, int64_t row) {
  const auto it = std::lower_bound(positives.begin(), positives.end(), row,
                                   [](const WeightedRow& p, int64_t r) { return p.row < r; });
  return it != positives.end() && it->row == row;
}

constexpr int kRedraws = 4;  // tries to avoid an accidental hit before keeping the draw

}  // namespace

NegativeDistribution::NegativeDistribution(std::vector<double> weights, bool logq_correction) {
  cdf_.resize(weights.size());
  double total = 0;
  for (size_t i = 0; i < weights.size(); ++i) cdf_[i] = total += weights[i];
  if (logq_correction && total > 0) {
    logq_.resize(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) logq_[i] = std::log(weights[i] / total);
  }
}

int64_t NegativeDistribution::UpperBound(double u) const {
  return static_cast<int64_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
}

std::vector<float> FoldInQuery(const FrozenRows& items, std::span<const WeightedRow> positives,
                               std::span<const int64_t> hard_negatives,
                               const NegativeDistribution& dist, const FoldInOptions& options,
                               uint64_t work_key) {
  const int dim = items.dim;
  std::vector<float> x0(static_cast<size_t>(dim), 0.0f);
  double total = 0;
  for (const WeightedRow& p : positives) total += p.weight;
  if (positives.empty() || !(total > 0) || dist.size() == 0) return x0;
  std::vector<double> a(positives.size());
  for (size_t i = 0; i < positives.size(); ++i) a[i] = positives[i].weight / total;
  std::vector<double> start(static_cast<size_t>(dim), 0.0);
  for (size_t i = 0; i < positives.size(); ++i) {
    const float* e = items.row(positives[i].row);
    for (int k = 0; k < dim; ++k) start[static_cast<size_t>(k)] += a[i] * e[k];
  }
  for (int k = 0; k < dim; ++k) x0[static_cast<size_t>(k)] = static_cast<float>(start[static_cast<size_t>(k)]);
  std::vector<float> x = x0;
  VectorAdam adam(dim, options.learning_rate);
  const double inv_t = 1.0 / options.temperature;
  std::vector<int64_t> negs;
  std::vector<double> neg_score, pos_score(positives.size()), grad(static_cast<size_t>(dim));
  for (int step = 0; step < options.steps; ++step) {
    Rng rng(HashCombine(options.seed, work_key, static_cast<uint64_t>(step)));
    negs.assign(hard_negatives.begin(), hard_negatives.end());
    for (int n = 0; n < options.negatives; ++n) {
      int64_t j = dist.Draw(rng);
      for (int r = 0; r < kRedraws && IsPositive(positives, j); ++r) j = dist.Draw(rng);
      negs.push_back(j);
    }
    double max_score = -1e300;
    neg_score.resize(negs.size());
    for (size_t n = 0; n < negs.size(); ++n) {
      neg_score[n] = Dot(x.data(), items.row(negs[n]), dim) * inv_t - dist.LogQ(negs[n]);
      max_score = std::max(max_score, neg_score[n]);
    }
    for (size_t i = 0; i < positives.size(); ++i) {
      pos_score[i] =
          Dot(x.data(), items.row(positives[i].row), dim) * inv_t - dist.LogQ(positives[i].row);
      max_score = std::max(max_score, pos_score[i]);
    }
    double z_neg = 0;
    for (double& s : neg_score) {
      s = std::exp(s - max_score);
      z_neg += s;
    }
    for (int k = 0; k < dim; ++k)
      grad[static_cast<size_t>(k)] = options.l2 * (static_cast<double>(x[static_cast<size_t>(k)]) - x0[static_cast<size_t>(k)]);
    double neg_coef = 0;
    for (size_t i = 0; i < positives.size(); ++i) {
      const double ep = std::exp(pos_score[i] - max_score);
      const double denom = ep + z_neg;
      const double c = a[i] * (ep / denom - 1.0) * inv_t;
      const float* e = items.row(positives[i].row);
      for (int k = 0; k < dim; ++k) grad[static_cast<size_t>(k)] += c * e[k];
      neg_coef += a[i] / denom;
    }
    for (size_t n = 0; n < negs.size(); ++n) {
      const double c = neg_coef * neg_score[n] * inv_t;
      const float* e = items.row(negs[n]);
      for (int k = 0; k < dim; ++k) grad[static_cast<size_t>(k)] += c * e[k];
    }
    adam.Step(x, grad);
  }
  return x;
}

std::vector<float> FoldInItem(const FrozenRows& users, const FrozenRows& items,
                              std::span<const WeightedRow> listeners, int64_t self,
                              std::span<const float> y0, const NegativeDistribution& dist,
                              const FoldInOptions& options, uint64_t work_key) {
  const int dim = users.dim;
  std::vector<float> y(y0.begin(), y0.end());
  double total = 0;
  for (const WeightedRow& l : listeners) total += l.weight;
  if (listeners.empty() || !(total > 0)) return y;
  const double inv_t = 1.0 / options.temperature;
  // log Z_u over negatives drawn once per listener (they do not move).
  std::vector<double> log_z(listeners.size(), -1e300);
  for (size_t i = 0; i < listeners.size() && dist.size() > 0; ++i) {
    Rng rng(HashCombine(options.seed, work_key, static_cast<uint64_t>(i)));
    const float* u = users.row(listeners[i].row);
    std::vector<double> scores;
    scores.reserve(static_cast<size_t>(options.negatives));
    double max_score = -1e300;
    for (int n = 0; n < options.negatives; ++n) {
      int64_t j = dist.Draw(rng);
      for (int r = 0; r < kRedraws && j == self; ++r) j = dist.Draw(rng);
      if (j == self) continue;
      scores.push_back(Dot(u, items.row(j), dim) * inv_t - dist.LogQ(j));
      max_score = std::max(max_score, scores.back());
    }
    if (scores.empty()) continue;
    double z = 0;
    for (const double s : scores) z += std::exp(s - max_score);
    log_z[i] = max_score + std::log(z);
  }
  const double self_logq = self >= 0 ? dist.LogQ(self) : 0.0;
  VectorAdam adam(dim, options.learning_rate);
  std::vector<double> grad(static_cast<size_t>(dim));
  for (int step = 0; step < options.steps; ++step) {
    for (int k = 0; k < dim; ++k)
      grad[static_cast<size_t>(k)] = options.l2 * (static_cast<double>(y[static_cast<size_t>(k)]) - y0[static_cast<size_t>(k)]);
    for (size_t i = 0; i < listeners.size(); ++i) {
      const float* u = users.row(listeners[i].row);
      const double s = Dot(u, y.data(), dim) * inv_t - self_logq;
      const double p = 1.0 / (1.0 + std::exp(log_z[i] - s));  // softmax share of the item
      const double c = (listeners[i].weight / total) * (p - 1.0) * inv_t;
      for (int k = 0; k < dim; ++k) grad[static_cast<size_t>(k)] += c * u[k];
    }
    adam.Step(y, grad);
  }
  return y;
}

}  // namespace melograph
