// EmbeddingScorer: see embedding_scorer.h.
#include "recall/embedding_scorer.h"

#include <Eigen/Core>
#include <vector>

#include "common/error.h"

namespace melograph {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

EmbeddingScorer::EmbeddingScorer(EmbeddingMatrix users, EmbeddingMatrix items, std::string name)
    : users_(std::move(users)), items_(std::move(items)), name_(std::move(name)) {
  if (users_.dim != items_.dim)
    throw UsageError("user vectors have dimension " + std::to_string(users_.dim) +
                     " but item vectors " + std::to_string(items_.dim));
  if (static_cast<int64_t>(users_.values.size()) != users_.rows * users_.dim ||
      static_cast<int64_t>(items_.values.size()) != items_.rows * items_.dim)
    throw UsageError("embedding matrix size does not match rows x dim");
}

void EmbeddingScorer::ScoreUsers(std::span<const int32_t> users, std::span<float> scores) const {
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

}  // namespace melograph
