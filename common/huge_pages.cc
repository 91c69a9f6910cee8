#include "common/huge_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace melograph {

bool HugePagesEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("MELOGRAPH_HUGE_PAGES");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return enabled;
}

bool UsesHugePages(size_t bytes) { return bytes >= kHugePageThreshold && HugePagesEnabled(); }

size_t MappedBytes(size_t bytes) {
  if (UsesHugePages(bytes)) return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  return bytes;
}

size_t GrownTableSlots(size_t slots, size_t slot_bytes) {
  const size_t doubled = 2 * slots;
  const size_t bytes = doubled * slot_bytes;
  if (bytes >= kHugePageThreshold / 4 && bytes < kHugePageThreshold && HugePagesEnabled())
    return std::bit_ceil((kHugePageThreshold + slot_bytes - 1) / slot_bytes);
  return doubled;
}

void* MapMemory(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (!UsesHugePages(bytes)) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  const size_t size = MappedBytes(bytes);
  // Over-map by one huge page, then cut the mapping down to a 2 MiB aligned block of `size`.
  const size_t span = size + kHugePageBytes;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + span;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // a hint: failure is harmless
  return reinterpret_cast<void*>(aligned);
}

void AdviseSmallTail(void* p, size_t bytes) {
  if (p == nullptr || !UsesHugePages(bytes)) return;
  const size_t whole = bytes / kHugePageBytes * kHugePageBytes;
  if (whole < MappedBytes(bytes))
    AdviseSmallPages(static_cast<char*>(p) + whole, MappedBytes(bytes) - whole);
}

void AdviseSmallPages(void* p, size_t bytes) {
  if (p == nullptr || bytes == 0) return;
  madvise(p, bytes, MADV_NOHUGEPAGE);  // a hint: failure is harmless
}

void DiscardPages(const void* begin, const void* end) {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
  const uintptr_t last = reinterpret_cast<uintptr_t>(end) / page * page;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void UnmapMemory(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes == 0) bytes = 1;
  munmap(p, MappedBytes(bytes));
}

}  // namespace melograph
