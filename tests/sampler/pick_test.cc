#include "sampler/pick.h"

#include <gtest/gtest.h>

#include <set>

namespace melograph {
namespace {

std::vector<int64_t> Uniform(int64_t n, int64_t k, uint64_t seed) {
  Rng rng(seed);
  std::vector<int64_t> out;
  PickUniform(n, k, rng, [&](int64_t i) { out.push_back(i); });
  return out;
}

TEST(PickUniform, takes_all_when_row_is_short_and_k_distinct_sorted_otherwise) {
  EXPECT_EQ(Uniform(3, 5, 1), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_TRUE(Uniform(0, 5, 1).empty());
  for (uint64_t s = 0; s < 200; ++s) {
    const auto v = Uniform(20, 7, s);
    ASSERT_EQ(v.size(), 7u);
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    EXPECT_EQ(std::set<int64_t>(v.begin(), v.end()).size(), 7u);
    for (int64_t x : v) EXPECT_LT(x, 20);
  }
  EXPECT_EQ(Uniform(1000, 10, 99), Uniform(1000, 10, 99));  // deterministic
}

// Each position must be included with probability k/n.
TEST(PickUniform, inclusion_frequencies_are_flat_chi_square) {
  const int64_t n = 10, k = 3, trials = 30000;
  std::vector<double> count(n, 0);
  for (int64_t t = 0; t < trials; ++t)
    for (int64_t x : Uniform(n, k, HashCombine(7, t))) ++count[x];
  const double expected = static_cast<double>(trials * k) / n;
  double chi2 = 0;
  for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 27.88);  // chi-square, 9 dof, p = 0.001
}

// Single weighted draws must follow the weights (chi-square goodness of fit).
TEST(PickOneWeighted, frequencies_follow_weights_chi_square) {
  const std::vector<float> w = {1, 2, 0, 4, 8, -1};
  std::vector<double> count(w.size(), 0);
  const int64_t trials = 30000;
  for (int64_t t = 0; t < trials; ++t) {
    Rng rng(HashCombine(11, t));
    const int64_t i = PickOneWeighted(static_cast<int64_t>(w.size()), [&](int64_t j) { return w[j]; }, rng);
    ASSERT_GE(i, 0);
    ++count[i];
  }
  EXPECT_EQ(count[2], 0);
  EXPECT_EQ(count[5], 0);
  const double total = 15;
  double chi2 = 0;
  for (size_t i : {0, 1, 3, 4}) {
    const double expected = trials * w[i] / total;
    chi2 += (count[i] - expected) * (count[i] - expected) / expected;
  }
  EXPECT_LT(chi2, 16.27);  // 3 dof, p = 0.001
}

TEST(PickWeighted, without_replacement_first_pick_follows_weights_and_skips_nonpositive) {
  const std::vector<float> w = {1, 3, 0, 6};
  std::vector<double> count(w.size(), 0);
  const int64_t trials = 20000;
  for (int64_t t = 0; t < trials; ++t) {
    Rng rng(HashCombine(5, t));
    std::vector<int64_t> got;
    PickWeighted(4, 1, [&](int64_t j) { return w[j]; }, rng, [&](int64_t i) { got.push_back(i); });
    ASSERT_EQ(got.size(), 1u);
    ++count[got[0]];
  }
  EXPECT_EQ(count[2], 0);
  double chi2 = 0;
  for (size_t i : {0, 1, 3}) {
    const double expected = trials * w[i] / 10.0;
    chi2 += (count[i] - expected) * (count[i] - expected) / expected;
  }
  EXPECT_LT(chi2, 13.82);  // 2 dof, p = 0.001
  // k >= number of positive weights: all of them, ascending.
  Rng rng(1);
  std::vector<int64_t> all;
  PickWeighted(4, 10, [&](int64_t j) { return w[j]; }, rng, [&](int64_t i) { all.push_back(i); });
  EXPECT_EQ(all, (std::vector<int64_t>{0, 1, 3}));
}

}  // namespace
}  // namespace melograph
