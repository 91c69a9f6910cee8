// Huge pages for large tables probed at random (hash tables, id maps, CSR row pointers).
//
// A probe into a table of tens of MB lands on a different 4 KiB page almost every time, and
// the page walks of those TLB misses cost as much as the cache misses themselves (build-graph:
// interner probes stall on the walk, not only the line; docs/BENCHMARKS.md). MapMemory backs a
// block of at least kHugePageThreshold bytes by its own anonymous mapping, aligned to 2 MiB and
// advised MADV_HUGEPAGE, so the kernel's transparent huge pages (mode "madvise" or "always")
// serve it with 2 MiB pages: 512 times fewer TLB entries.
//
// Contract:
//  * MapMemory(bytes) returns zero-filled memory, page aligned; UnmapMemory(p, bytes) with the
//    same size returns it to the system at once (no malloc arena holds it). std::bad_alloc when
//    the mapping fails. Below the threshold, or with huge pages off, the block is an ordinary
//    anonymous mapping: the same contract, 4 KiB pages.
//  * Huge pages are only a hint: with THP "never" (or on a kernel without it) nothing changes but
//    speed. MELOGRAPH_HUGE_PAGES=0 in the environment turns the advice off (read once), for
//    comparisons and for machines where THP compaction stalls.
//  * Only memory that is written becomes resident; a huge page becomes resident 2 MiB at a time,
//    so a table touched everywhere costs the same, and a sparse one up to 2 MiB per touched page.
//  * HugePageAllocator<T, kMinBytes> is a std::allocator drop-in for std::vector: blocks below
//    kMinBytes (by default the threshold) come from operator new as usual, larger ones from
//    MapMemory.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace melograph {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;
// Blocks this large or larger get huge pages. A 2 MiB page is then at least half used, so a
// fully written block holds at most twice its size resident (a 1 MiB block: 2 MiB), and the
// rounding is at most 1 MiB per block below 2 MiB. What it buys is page faults: on the VMs we
// measure, a 4 KiB fault costs ~12.7 us (3.2 ms per MiB written) and a whole 2 MiB page ~0.14
// ms, so a 1 MiB table costs 25 times less to fill on a huge page (bench/page_fault_bench.cc;
// docs/BENCHMARKS.md, eighteenth session: a threshold of 4 MiB left build-kg's and
// build-graph's growing hash tables between 1 and 4 MiB on 4 KiB pages, ~45% of their faults).
inline constexpr size_t kHugePageThreshold = size_t{1} << 20;

// False when MELOGRAPH_HUGE_PAGES=0 (read once per process).
bool HugePagesEnabled();
// Whether MapMemory(bytes) gives huge pages: at least the threshold, and huge pages enabled.
bool UsesHugePages(size_t bytes);
// What MapMemory(bytes) maps: bytes rounded up to 2 MiB when it gives huge pages.
size_t MappedBytes(size_t bytes);
void* MapMemory(size_t bytes);
// The next size of a hash table of `slots` slots of `slot_bytes` bytes that doubles as it
// grows: twice as many slots, except that tables of 256 KiB up to the threshold are skipped
// for the first one past it (a power of two of slots), which is on huge pages. Those would
// take fresh 4 KiB pages, ~3.2 ms per MiB of page faults on the VMs we measure, where the huge
// one takes a fault per 2 MiB; a table that stops growing there holds up to 1.5 MiB more
// (docs/BENCHMARKS.md, eighteenth session). Plain doubling with huge pages off.
size_t GrownTableSlots(size_t slots, size_t slot_bytes);
void UnmapMemory(void* p, size_t bytes);
// Returns the whole pages inside [begin, end) to the system (MADV_DONTNEED), in any private
// anonymous memory (a mapping or a heap block) that the caller owns and is done with while the
// rest of it stays in use: those bytes read as zero afterwards. Freed memory that is reused at
// once is cheap where fresh memory is not (a VM whose host takes back what the guest frees):
// writers discard what they have consumed before the page cache takes their output. A hint:
// failure is harmless.
void DiscardPages(const void* begin, const void* end);
// For a MapMemory block of `bytes` whose end does not fill a 2 MiB page: keeps that partial
// last page on 4 KiB pages, so it is resident only as far as the block reaches (and is
// written), not whole. For blocks held at a memory peak; before the block is first written.
// A hint, like the rest.
void AdviseSmallTail(void* p, size_t bytes);
// Keeps [p, p + bytes) of a mapping (p page aligned) on 4 KiB pages (MADV_NOHUGEPAGE), for a
// part of a huge-page block that is written sparsely. A hint, like the rest.
void AdviseSmallPages(void* p, size_t bytes);

template <typename T, size_t kMinBytes = kHugePageThreshold>
class HugePageAllocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = HugePageAllocator<U, kMinBytes>;
  };
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U, kMinBytes>&) noexcept {}  // NOLINT: allocator rebind

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    const size_t bytes = n * sizeof(T);
    if (bytes < kMinBytes) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(MapMemory(bytes));
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMinBytes)
      ::operator delete(p);
    else
      UnmapMemory(p, bytes);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U, kMinBytes>&) const noexcept { return true; }
};

// A vector whose large blocks are on huge pages.
template <typename T, size_t kMinBytes = kHugePageThreshold>
using HugeVector = std::vector<T, HugePageAllocator<T, kMinBytes>>;

}  // namespace melograph
