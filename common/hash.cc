#include "common/hash.h"

#include <cmath>

namespace melograph {

double Rng::Normal() {
  double u1 = UniformDouble();
  while (u1 <= 0.0) u1 = UniformDouble();
  const double u2 = UniformDouble();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::Exponential() {
  double u = UniformDouble();
  while (u <= 0.0) u = UniformDouble();
  return -std::log(u);
}

}  // namespace melograph
