// Process resource figures for reports and benchmarks.
#pragma once

#include <cstdint>

namespace melograph {

// Peak resident set size of this process in bytes (VmHWM), 0 if unknown.
int64_t PeakRssBytes();
// Current resident set size in bytes (VmRSS), 0 if unknown.
int64_t CurrentRssBytes();
// Monotonic wall clock in seconds.
double WallSeconds();

}  // namespace melograph
