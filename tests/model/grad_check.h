// Finite-difference gradient check for tape programs: compares the tape's gradient of
// L = sum(out .* R) (R fixed pseudo-random weights) with central differences of L evaluated in
// double from the float forward pass.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/hash.h"
#include "model/ops.h"
#include "model/tape.h"

namespace melograph::testing {

using Builder = std::function<Var(Tape&, std::span<const Var>)>;

// A rows x cols matrix from row-major values (hand-written test inputs).
inline RowMatrix M(int64_t r, int64_t c, std::vector<float> v) {
  RowMatrix m(r, c);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = v[static_cast<size_t>(i)];
  return m;
}

inline RowMatrix RandomMatrix(int64_t rows, int64_t cols, uint64_t seed, float scale = 1.0f) {
  RowMatrix m(rows, cols);
  Rng rng(seed);
  for (int64_t i = 0; i < m.size(); ++i)
    m.data()[i] = scale * (2.0f * rng.UniformFloat() - 1.0f);
  return m;
}

inline double WeightedOutput(const Builder& build, const std::vector<RowMatrix>& inputs,
                             const RowMatrix** weights_out, RowMatrix* weights) {
  Tape t;
  std::vector<Var> vars;
  for (const RowMatrix& m : inputs) vars.push_back(t.Leaf(m, false));
  Var out = build(t, vars);
  auto v = t.Value(out);
  if (weights->size() == 0) *weights = RandomMatrix(v.rows(), v.cols(), 77, 1.0f);
  *weights_out = weights;
  double sum = 0;
  for (int64_t i = 0; i < v.size(); ++i)
    sum += static_cast<double>(v.data()[i]) * static_cast<double>(weights->data()[i]);
  return sum;
}

// Compares d sum(out .* R) / d input for every element of every input in `check` (all inputs
// when empty); returns the mismatches as "input i element e: tape a, numeric n" lines.
inline std::vector<std::string> GradientMismatches(const Builder& build, std::vector<RowMatrix> inputs,
                                 std::vector<int> check = {}, double eps = 1e-2,
                                 double atol = 5e-3, double rtol = 2e-2) {
  RowMatrix weights;
  const RowMatrix* w = nullptr;
  WeightedOutput(build, inputs, &w, &weights);
  Tape t;
  std::vector<Var> vars;
  for (const RowMatrix& m : inputs) vars.push_back(t.Leaf(m, true));
  Var out = build(t, vars);
  Var rw = t.Leaf(weights, false);
  Var loss = Sum(t, Mul(t, out, rw));
  t.Backward(loss);
  std::vector<std::string> mismatches;
  if (check.empty())
    for (size_t i = 0; i < inputs.size(); ++i) check.push_back(static_cast<int>(i));
  for (int which : check) {
    RowMatrix analytic = t.Grad(vars[which]);
    for (int64_t i = 0; i < inputs[which].size(); ++i) {
      std::vector<RowMatrix> plus = inputs, minus = inputs;
      plus[which].data()[i] += static_cast<float>(eps);
      minus[which].data()[i] -= static_cast<float>(eps);
      const double fp = WeightedOutput(build, plus, &w, &weights);
      const double fm = WeightedOutput(build, minus, &w, &weights);
      const double numeric = (fp - fm) / (2 * eps);
      const double a = analytic.data()[i];
      if (std::abs(a - numeric) > atol + rtol * std::max(std::abs(a), std::abs(numeric)))
        mismatches.push_back("input " + std::to_string(which) + " element " + std::to_string(i) +
                             ": tape " + std::to_string(a) + ", numeric " +
                             std::to_string(numeric));
    }
  }
  return mismatches;
}

inline void ExpectGradientsMatch(const Builder& build, std::vector<RowMatrix> inputs,
                                 std::vector<int> check = {}, double eps = 1e-2,
                                 double atol = 5e-3, double rtol = 2e-2) {
  const std::vector<std::string> m =
      GradientMismatches(build, std::move(inputs), std::move(check), eps, atol, rtol);
  std::string all;
  for (const std::string& line : m) all += line + "\n";
  EXPECT_TRUE(m.empty()) << all;
}

}  // namespace melograph::testing
