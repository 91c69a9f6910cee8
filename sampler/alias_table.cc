#include "sampler/alias_table.h"

#include <cmath>
#include <string>

#include "common/error.h"

namespace melograph {

void AliasTable::Build(std::span<const double> weights) {
  const size_t n = weights.size();
  if (n > static_cast<size_t>(INT32_MAX)) throw LimitError("alias table: more than 2^31 - 1 outcomes");
  total_ = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double w = weights[i];
    if (!(w >= 0.0) || !std::isfinite(w))
      throw UsageError("alias table: weight " + std::to_string(i) + " is negative or not finite");
    total_ += w;
  }
  prob_.assign(n, 0.0);
  alias_.assign(n, 0);
  if (!(total_ > 0.0)) {
    total_ = 0.0;
    return;
  }
  // Scaled weights p_i = w_i * n / total; columns below 1 borrow from columns above 1.
  std::vector<int32_t> small, large;
  const double scale = static_cast<double>(n) / total_;
  for (size_t i = 0; i < n; ++i) {
    prob_[i] = weights[i] * scale;
    alias_[i] = static_cast<int32_t>(i);
    (prob_[i] < 1.0 ? small : large).push_back(static_cast<int32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const int32_t s = small.back();
    small.pop_back();
    const int32_t l = large.back();
    alias_[static_cast<size_t>(s)] = l;
    prob_[static_cast<size_t>(l)] -= 1.0 - prob_[static_cast<size_t>(s)];
    if (prob_[static_cast<size_t>(l)] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding: they always accept themselves.
  for (int32_t i : large) prob_[static_cast<size_t>(i)] = 1.0;
  for (int32_t i : small) prob_[static_cast<size_t>(i)] = 1.0;
}

}  // namespace melograph
