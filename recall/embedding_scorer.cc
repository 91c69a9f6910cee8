// EmbeddingScorer: see embedding_scorer.h.
#include "recall/embedding_scorer.h"

#include <immintrin.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int kGroup = 64;     // items per packed group
constexpr int kTileUsers = 4;  // users per register tile

// out[r][j] = Σ_k u[r][k] * group[k * 64 + j] for the 4 users r and 64 items j.
__attribute__((target("avx512f"))) void TileAvx512(const float* const* u, const float* group,
                                                   int dim, float* const* out) {
  __m512 acc[kTileUsers][4];
  for (auto& row : acc)
    for (auto& a : row) a = _mm512_setzero_ps();
  for (int k = 0; k < dim; ++k) {
    const float* g = group + static_cast<size_t>(k) * kGroup;
    const __m512 p0 = _mm512_loadu_ps(g), p1 = _mm512_loadu_ps(g + 16),
                 p2 = _mm512_loadu_ps(g + 32), p3 = _mm512_loadu_ps(g + 48);
#pragma GCC unroll 4
    for (int r = 0; r < kTileUsers; ++r) {
      const __m512 s = _mm512_set1_ps(u[r][k]);
      acc[r][0] = _mm512_fmadd_ps(s, p0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(s, p1, acc[r][1]);
      acc[r][2] = _mm512_fmadd_ps(s, p2, acc[r][2]);
      acc[r][3] = _mm512_fmadd_ps(s, p3, acc[r][3]);
    }
  }
  for (int r = 0; r < kTileUsers; ++r)
    for (int q = 0; q < 4; ++q) _mm512_storeu_ps(out[r] + q * 16, acc[r][q]);
}

// Same result as TileAvx512 (same summation order, fused multiply-adds), 16 items per pass.
__attribute__((target("avx2,fma"))) void TileAvx2(const float* const* u, const float* group,
                                                  int dim, float* const* out) {
  for (int pass = 0; pass < kGroup / 16; ++pass) {
    __m256 acc[kTileUsers][2];
    for (auto& row : acc)
      for (auto& a : row) a = _mm256_setzero_ps();
    for (int k = 0; k < dim; ++k) {
      const float* g = group + static_cast<size_t>(k) * kGroup + pass * 16;
      const __m256 p0 = _mm256_loadu_ps(g), p1 = _mm256_loadu_ps(g + 8);
#pragma GCC unroll 4
      for (int r = 0; r < kTileUsers; ++r) {
        const __m256 s = _mm256_set1_ps(u[r][k]);
        acc[r][0] = _mm256_fmadd_ps(s, p0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(s, p1, acc[r][1]);
      }
    }
    for (int r = 0; r < kTileUsers; ++r) {
      _mm256_storeu_ps(out[r] + pass * 16, acc[r][0]);
      _mm256_storeu_ps(out[r] + pass * 16 + 8, acc[r][1]);
    }
  }
}

EmbeddingScorer::Kernel Supported(EmbeddingScorer::Kernel wanted) {
  __builtin_cpu_init();
  if (wanted == EmbeddingScorer::Kernel::kAvx512 && __builtin_cpu_supports("avx512f"))
    return wanted;
  if (wanted != EmbeddingScorer::Kernel::kEigen && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma"))
    return EmbeddingScorer::Kernel::kAvx2;
  return EmbeddingScorer::Kernel::kEigen;
}

}  // namespace

EmbeddingScorer::EmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix items, std::string name,
                                 Kernel kernel)
    : users_(std::move(users)),
      items_(std::move(items)),
      name_(std::move(name)),
      kernel_(Supported(kernel)) {
  if (users_.dim != items_.dim)
    throw UsageError("user vectors have dimension " + std::to_string(users_.dim) +
                     " but item vectors " + std::to_string(items_.dim));
  if (static_cast<int64_t>(users_.values.size()) != users_.rows * users_.dim ||
      static_cast<int64_t>(items_.values.size()) != items_.rows * items_.dim)
    throw UsageError("embedding matrix size does not match rows x dim");
  if (kernel_ == Kernel::kEigen) return;
  const int64_t groups = (items_.rows + kGroup - 1) / kGroup;
  const size_t dim = static_cast<size_t>(items_.dim);
  packed_.assign(static_cast<size_t>(groups) * dim * kGroup, 0.0f);
  for (int64_t i = 0; i < items_.rows; ++i) {
    float* group = packed_.data() + static_cast<size_t>(i / kGroup) * dim * kGroup;
    const float* row = items_.row(i);
    for (size_t k = 0; k < dim; ++k) group[k * kGroup + static_cast<size_t>(i % kGroup)] = row[k];
  }
}

void EmbeddingScorer::ScoreUsersEigen(std::span<const int32_t> users,
                                      std::span<float> scores) const {
  const Eigen::Index b = static_cast<Eigen::Index>(users.size());
  const Eigen::Index n = static_cast<Eigen::Index>(items_.rows);
  const Eigen::Index d = users_.dim;
  RowMatrix u(b, d);
  for (Eigen::Index r = 0; r < b; ++r)
    u.row(r) = Eigen::Map<const Eigen::RowVectorXf>(users_.row(users[r]), d);
  Eigen::Map<const RowMatrix> items(items_.values.data(), n, d);
  Eigen::Map<RowMatrix> out(scores.data(), b, n);
  out.noalias() = u * items.transpose();
}

void EmbeddingScorer::ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const {
  if (kernel_ == Kernel::kEigen) {
    ScoreUsersEigen(users, scores);
    return;
  }
  const int64_t n = items_.rows;
  const int dim = users_.dim;
  const size_t b = users.size();
  const std::vector<float> zeros(static_cast<size_t>(dim), 0.0f);
  alignas(64) float tile[kTileUsers * kGroup];
  const int64_t groups = (n + kGroup - 1) / kGroup;
  for (int64_t g = 0; g < groups; ++g) {
    const float* group = packed_.data() + static_cast<size_t>(g) * dim * kGroup;
    const int64_t first = g * kGroup;
    const size_t valid = static_cast<size_t>(std::min<int64_t>(kGroup, n - first));
    for (size_t b0 = 0; b0 < b; b0 += kTileUsers) {
      // Full groups of real users go straight to `scores`; the rest through `tile`.
      const float* u[kTileUsers];
      float* out[kTileUsers];
      const size_t rows = std::min<size_t>(kTileUsers, b - b0);
      for (size_t r = 0; r < kTileUsers; ++r) {
        u[r] = r < rows ? users_.row(users[b0 + r]) : zeros.data();
        out[r] = r < rows && valid == kGroup
                     ? scores.data() + (b0 + r) * static_cast<size_t>(n) + first
                     : tile + r * kGroup;
      }
      if (kernel_ == Kernel::kAvx512) {
        TileAvx512(u, group, dim, out);
      } else {
        TileAvx2(u, group, dim, out);
      }
      if (valid == kGroup) continue;
      for (size_t r = 0; r < rows; ++r)
        std::memcpy(scores.data() + (b0 + r) * static_cast<size_t>(n) + first, tile + r * kGroup,
                    valid * sizeof(float));
    }
  }
}

}  // namespace melograph
