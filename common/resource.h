// Process resource figures for reports and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// Keeps `bytes` of free memory at the top of glibc's heap instead of returning it (M_TOP_PAD):
// blocks below the mmap threshold, and larger ones while the top has room, are then carved from
// memory that is already resident, so growing buffers and short-lived temporaries stop paying a
// page fault per 4 KiB each time (build-kg and build-graph at 10^7: 14-18k faults fewer per
// stage, docs/BENCHMARKS.md). The price is up to `bytes` of resident free memory: call
// ReleaseFreeHeap() before a phase whose peak matters. No-op without glibc.
void KeepHeapPad(int64_t bytes);
// The pad for a command that reads `input_bytes` of text: 1/16 of it, between glibc's default
// (128 KiB) and 64 MiB, so the resident free memory it may keep stays a small fraction of the
// input's size (at most ~3.5 bytes per event of an events log, ~3 per triple).
int64_t HeapPadFor(int64_t input_bytes);
// Returns the heap's free memory to the system (malloc_trim(0)): the top pad and free pages
// inside the heap. No-op without glibc.
void ReleaseFreeHeap();
// The malloc policy of the builders (build-kg, build-graph and its bench), called once at the
// start: FixMallocThresholds(128 KiB), so freed tables leave the peak, and
// KeepHeapPad(HeapPadFor(total size of `inputs`)) while reading. Inputs that are not regular
// files (a pipe) count 0; a missing one is left for the reader to report.
void UseBuilderMallocPolicy(const std::vector<std::string>& inputs);

}  // namespace melograph
