// Optimisers: sparse (embedding rows, applied by the row's owner) and dense (replicated weights).
//
// EmbeddingTable keeps its optimiser state beside the rows: state arrays indexed like `values`
// (row r's state is state1[r * dim, (r+1) * dim)), so a checkpoint or a rank's shard is the rows
// plus the same rows of state. SparseOptimizer::Apply takes one aggregated SparseRowGrad
// (model/sparse_grad.h: rows ascending and unique, each row's contributions summed in a fixed
// order), so the update of a row depends only on that row's aggregated gradient: the order in
// which gradients for different rows arrive cannot change the result.
//
// Update rules (g: the row's aggregated gradient, t: the 1-based global step):
//   sgd:        x -= lr * g
//   adagrad:    a += g^2;            x -= lr * g / (sqrt(a) + eps)
//   lazy adam:  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2   (rows in the gradient only)
//               x -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Rows without a gradient are untouched (lazy). Dense Adam/SGD apply the same rules to every
// element of a flat parameter vector.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/sparse_grad.h"

namespace melograph {

enum class OptimizerKind { kSgd, kAdagrad, kAdam };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::kAdam;
  float learning_rate = 0.001f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float adagrad_initial = 0.0f;  // initial accumulator value
};

// Parses "sgd", "adagrad", "adam"; UsageError otherwise.
OptimizerKind ParseOptimizerKind(const std::string& name);

struct EmbeddingTable {
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<float> values;  // rows * dim
  std::vector<float> state1;  // adagrad accumulator / adam first moment (empty for sgd)
  std::vector<float> state2;  // adam second moment
  float* row(int64_t r) { return values.data() + r * dim; }
  const float* row(int64_t r) const { return values.data() + r * dim; }
};

// A table of rows x dim with values uniform in [-scale, scale] drawn per (seed, row) (so a
// row's initial value does not depend on which rank owns it: pass the row's global id in
// `row_ids`, or leave it empty to use the local index).
EmbeddingTable MakeEmbeddingTable(int64_t rows, int64_t dim, float scale, uint64_t seed,
                                  std::span<const int64_t> row_ids = {});
// Same, normal(0, stddev) per element.
EmbeddingTable MakeNormalEmbeddingTable(int64_t rows, int64_t dim, float stddev, uint64_t seed,
                                        std::span<const int64_t> row_ids = {});

class SparseOptimizer {
 public:
  explicit SparseOptimizer(OptimizerOptions options) : options_(options) {}
  const OptimizerOptions& options() const { return options_; }
  // Sizes the table's state arrays for this optimiser (zeros / adagrad_initial).
  void InitState(EmbeddingTable* table) const;
  // One step at global step `step` (1-based). grad.rows index the table's rows.
  void Apply(EmbeddingTable* table, const SparseRowGrad& grad, int64_t step) const;

 private:
  OptimizerOptions options_;
};

class DenseOptimizer {
 public:
  DenseOptimizer(OptimizerOptions options, int64_t size);
  // One step on every element; increments the internal step (for Adam's bias correction).
  void Step(std::span<float> params, std::span<const float> grads);
  int64_t step() const { return step_; }
  // The state (for checkpoints).
  std::vector<float>& first_moment() { return m_; }
  std::vector<float>& second_moment() { return v_; }
  void set_step(int64_t step) { step_ = step; }

 private:
  OptimizerOptions options_;
  std::vector<float> m_, v_;
  int64_t step_ = 0;
};

// Replicated dense weights in one flat buffer (one allreduce for all gradients): named tensors
// at fixed offsets, with a gradient buffer of the same layout.
class DenseParameters {
 public:
  struct Tensor {
    std::string name;
    int64_t rows = 0, cols = 0, offset = 0;
  };
  // Adds a rows x cols tensor, Glorot-uniform initialised from (seed, name); returns its index.
  int Add(const std::string& name, int64_t rows, int64_t cols, uint64_t seed);
  const Tensor& tensor(int i) const { return tensors_[i]; }
  int num_tensors() const { return static_cast<int>(tensors_.size()); }
  float* values(int i) { return values_.data() + tensors_[i].offset; }
  const float* values(int i) const { return values_.data() + tensors_[i].offset; }
  float* grads(int i) { return grads_.data() + tensors_[i].offset; }
  std::span<float> all_values() { return values_; }
  std::span<float> all_grads() { return grads_; }
  void ZeroGrads();
  int64_t size() const { return static_cast<int64_t>(values_.size()); }

 private:
  std::vector<Tensor> tensors_;
  std::vector<float> values_;
  std::vector<float> grads_;
};

}  // namespace melograph
