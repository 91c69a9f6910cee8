// Tape arenas: value chunks never move (maps taken early stay valid as the graph grows), a step
// that overflowed its chunk leaves one chunk of the step's size (and some room) behind, and a
// third step of the same shape allocates nothing (memory_plan.h relies on it).
#include "model/tape.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/ops.h"

namespace melograph {
namespace {

constexpr int64_t kRows = 1000, kCols = 300;  // 1.14 MiB per node: beyond one minimum chunk

// Builds a chain of `nodes` additions over a kRows x kCols leaf and returns the sum's value.
float BuildChain(Tape& t, int nodes, ConstMatrixMap* first_value = nullptr) {
  std::vector<float> ones(static_cast<size_t>(kRows * kCols), 1.0f);
  Var x = t.Leaf(kRows, kCols, ones, true);
  Var acc = x;
  if (first_value) new (first_value) ConstMatrixMap(t.Value(x));
  for (int i = 0; i < nodes; ++i) acc = Add(t, acc, x);
  Var loss = Sum(t, acc);
  t.Backward(loss);
  return t.Scalar(loss);
}

TEST(Tape, values_do_not_move_while_the_graph_grows) {
  Tape t;
  ConstMatrixMap first(nullptr, 0, 0);
  const float sum = BuildChain(t, 12, &first);
  EXPECT_FLOAT_EQ(sum, 13.0f * kRows * kCols);
  // The leaf's map, taken before 12 more nodes were added, still reads the leaf.
  EXPECT_EQ(first.data(), t.Value(Var{0}).data());
  EXPECT_EQ(first(kRows - 1, kCols - 1), 1.0f);
  EXPECT_FLOAT_EQ(t.Grad(Var{0})(3, 7), 13.0f);
}

TEST(Tape, a_repeated_step_holds_one_steps_values_and_allocates_nothing_more) {
  Tape t;
  BuildChain(t, 12);
  const int64_t values = 13 * kRows * kCols * static_cast<int64_t>(sizeof(float));  // leaf, 12 adds (+ a 1x1 sum)
  t.Reset();
  BuildChain(t, 12);
  const int64_t second = t.ArenaBytes();
  t.Reset();
  EXPECT_FLOAT_EQ(BuildChain(t, 12), 13.0f * kRows * kCols);
  EXPECT_EQ(t.ArenaBytes(), second) << "a third step of the same shape must not grow the arenas";
  // Values (one chunk of the step's size) + gradients, each with a quarter of room for larger
  // steps (address space only: untouched pages are not resident), + small index / node arenas.
  EXPECT_GE(second, 2 * values);
  EXPECT_LT(second, 2 * (values + values / 4) + (int64_t{2} << 20));
  // A smaller step fits in the same chunk.
  t.Reset();
  BuildChain(t, 3);
  EXPECT_LE(t.ArenaBytes(), second);
}

}  // namespace
}  // namespace melograph
