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

// Fixes glibc's mmap threshold at `bytes` (allocations at least this large get their own
// mapping, returned to the system when freed) and the heap trim threshold at twice that.
// glibc otherwise raises the mmap threshold (up to 32 MiB) each time it frees such a mapping,
// so what a freed buffer gives back depends on the allocation history. Call once, at the start
// of a command: builders want a low value (128 KiB: their freed tables and buffers leave the
// peak), the trainer a high one (32 MiB: its per-step buffers are reused, not faulted in again).
// No-op without glibc.
void FixMallocThresholds(int64_t bytes);

}  // namespace melograph
