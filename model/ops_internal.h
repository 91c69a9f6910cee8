// Internal to model/: the backward passes of the op families, dispatched by BackwardOp.
#pragma once

#include <string>

#include "model/tape.h"

namespace melograph::internal {

// model/segment_ops.cc: gather, slice, concat and segment ops.
void BackwardIndexOp(Tape& t, int32_t id);
// Throws UsageError("<op>: <what>") when cond is false.
void Require(bool cond, const char* op, const std::string& what);

}  // namespace melograph::internal
