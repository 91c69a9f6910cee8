#include "model/optimizer.h"

#include <cmath>

#include "common/error.h"
#include "common/hash.h"

namespace melograph {

OptimizerKind ParseOptimizerKind(const std::string& name) {
  if (name == "sgd") return OptimizerKind::kSgd;
  if (name == "adagrad") return OptimizerKind::kAdagrad;
  if (name == "adam") return OptimizerKind::kAdam;
  throw UsageError("unknown optimiser '" + name + "' (expected sgd, adagrad or adam)");
}

namespace {

template <typename Draw>
EmbeddingTable MakeTable(int64_t rows, int64_t dim, std::span<const int64_t> row_ids,
                         uint64_t seed, Draw draw) {
  if (!row_ids.empty() && static_cast<int64_t>(row_ids.size()) != rows)
    throw UsageError("MakeEmbeddingTable: row_ids must have one id per row");
  EmbeddingTable t;
  t.rows = rows;
  t.dim = dim;
  t.values.resize(static_cast<size_t>(rows * dim));
  for (int64_t r = 0; r < rows; ++r) {
    Rng rng(HashCombine(seed, static_cast<uint64_t>(row_ids.empty() ? r : row_ids[r])));
    for (int64_t k = 0; k < dim; ++k) t.values[r * dim + k] = draw(rng);
  }
  return t;
}

}  // namespace

EmbeddingTable MakeEmbeddingTable(int64_t rows, int64_t dim, float scale, uint64_t seed,
                                  std::span<const int64_t> row_ids) {
  return MakeTable(rows, dim, row_ids, seed,
                   [scale](Rng& rng) { return scale * (2.0f * rng.UniformFloat() - 1.0f); });
}

EmbeddingTable MakeNormalEmbeddingTable(int64_t rows, int64_t dim, float stddev, uint64_t seed,
                                        std::span<const int64_t> row_ids) {
  return MakeTable(rows, dim, row_ids, seed,
                   [stddev](Rng& rng) { return stddev * static_cast<float>(rng.Normal()); });
}

void SparseOptimizer::InitState(EmbeddingTable* table) const {
  const size_t n = table->values.size();
  table->state1.clear();
  table->state2.clear();
  if (options_.kind == OptimizerKind::kAdagrad) table->state1.assign(n, options_.adagrad_initial);
  if (options_.kind == OptimizerKind::kAdam) {
    table->state1.assign(n, 0.0f);
    table->state2.assign(n, 0.0f);
  }
}

void SparseOptimizer::Apply(EmbeddingTable* table, const SparseRowGrad& grad, int64_t step) const {
  if (grad.size() == 0) return;
  if (grad.dim != table->dim) throw UsageError("SparseOptimizer: gradient dimension mismatch");
  if (step < 1) throw UsageError("SparseOptimizer: step must be >= 1");
  const bool has_state = options_.kind == OptimizerKind::kSgd ||
                         table->state1.size() == table->values.size();
  if (!has_state) throw UsageError("SparseOptimizer: table state not initialised (InitState)");
  const int64_t dim = table->dim;
  const float lr = options_.learning_rate, eps = options_.epsilon;
  const float b1 = options_.beta1, b2 = options_.beta2;
  const float c1 = 1.0f - static_cast<float>(std::pow(static_cast<double>(b1), step));
  const float c2 = 1.0f - static_cast<float>(std::pow(static_cast<double>(b2), step));
  for (int64_t i = 0; i < grad.size(); ++i) {
    const int64_t r = grad.rows[i];
    if (r < 0 || r >= table->rows) throw UsageError("SparseOptimizer: row out of range");
    const float* g = grad.row(i);
    float* x = table->row(r);
    switch (options_.kind) {
      case OptimizerKind::kSgd:
        for (int64_t k = 0; k < dim; ++k) x[k] -= lr * g[k];
        break;
      case OptimizerKind::kAdagrad: {
        float* a = table->state1.data() + r * dim;
        for (int64_t k = 0; k < dim; ++k) {
          a[k] += g[k] * g[k];
          x[k] -= lr * g[k] / (std::sqrt(a[k]) + eps);
        }
        break;
      }
      case OptimizerKind::kAdam: {
        float* m = table->state1.data() + r * dim;
        float* v = table->state2.data() + r * dim;
        for (int64_t k = 0; k < dim; ++k) {
          m[k] = b1 * m[k] + (1.0f - b1) * g[k];
          v[k] = b2 * v[k] + (1.0f - b2) * g[k] * g[k];
          x[k] -= lr * (m[k] / c1) / (std::sqrt(v[k] / c2) + eps);
        }
        break;
      }
    }
  }
}

DenseOptimizer::DenseOptimizer(OptimizerOptions options, int64_t size) : options_(options) {
  if (options_.kind == OptimizerKind::kAdam || options_.kind == OptimizerKind::kAdagrad)
    m_.assign(static_cast<size_t>(size), options_.kind == OptimizerKind::kAdagrad
                                             ? options_.adagrad_initial
                                             : 0.0f);
  if (options_.kind == OptimizerKind::kAdam) v_.assign(static_cast<size_t>(size), 0.0f);
}

void DenseOptimizer::Step(std::span<float> params, std::span<const float> grads) {
  if (params.size() != grads.size()) throw UsageError("DenseOptimizer: size mismatch");
  if (options_.kind != OptimizerKind::kSgd && params.size() != m_.size())
    throw UsageError("DenseOptimizer: parameter count differs from the optimiser's");
  ++step_;
  const float lr = options_.learning_rate, eps = options_.epsilon;
  const float b1 = options_.beta1, b2 = options_.beta2;
  const float c1 = 1.0f - static_cast<float>(std::pow(static_cast<double>(b1), step_));
  const float c2 = 1.0f - static_cast<float>(std::pow(static_cast<double>(b2), step_));
  for (size_t k = 0; k < params.size(); ++k) {
    const float g = grads[k];
    switch (options_.kind) {
      case OptimizerKind::kSgd:
        params[k] -= lr * g;
        break;
      case OptimizerKind::kAdagrad:
        m_[k] += g * g;
        params[k] -= lr * g / (std::sqrt(m_[k]) + eps);
        break;
      case OptimizerKind::kAdam:
        m_[k] = b1 * m_[k] + (1.0f - b1) * g;
        v_[k] = b2 * v_[k] + (1.0f - b2) * g * g;
        params[k] -= lr * (m_[k] / c1) / (std::sqrt(v_[k] / c2) + eps);
        break;
    }
  }
}

int DenseParameters::Add(const std::string& name, int64_t rows, int64_t cols, uint64_t seed) {
  Tensor t{name, rows, cols, static_cast<int64_t>(values_.size())};
  const float bound = std::sqrt(6.0f / static_cast<float>(rows + cols));
  Rng rng(HashCombine(seed, HashBytes(name)));
  for (int64_t i = 0; i < rows * cols; ++i)
    values_.push_back(bound * (2.0f * rng.UniformFloat() - 1.0f));
  grads_.resize(values_.size(), 0.0f);
  tensors_.push_back(t);
  return static_cast<int>(tensors_.size() - 1);
}

void DenseParameters::ZeroGrads() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

}  // namespace melograph
