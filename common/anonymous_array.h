// AnonymousArray<T>: n uninitialised elements of a trivial type in their own anonymous mapping.
//
// Contract: the memory comes straight from mmap, so (1) a page becomes resident only when it is
// first written (a large array filled in scattered order costs only the pages reached so far,
// and unwritten elements read as zero bytes), and (2) destruction or Shrink returns the pages
// to the system at once (munmap), whatever malloc's thresholds and fragmentation. That is
// what a builder needs to keep its peak low while it frees one structure as it fills the next
// (graph/graph_builder.cc, model/tape.cc). std::bad_alloc when the mapping fails. Move-only.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "common/huge_pages.h"

namespace melograph {

// kHuge: a large array (common/huge_pages.h threshold) is advised onto 2 MiB pages, for arrays
// written or probed at random; pages then become resident 2 MiB at a time.
enum class PageSize { kSmall, kHuge };

template <typename T>
class AnonymousArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  AnonymousArray() = default;
  explicit AnonymousArray(size_t n, PageSize pages = PageSize::kSmall) : size_(n) {
    if (n == 0) return;
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    if (pages == PageSize::kHuge) {
      data_ = static_cast<T*>(MapMemory(n * sizeof(T)));
      mapped_bytes_ = MappedBytes(n * sizeof(T));
      return;
    }
    void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    mapped_bytes_ = n * sizeof(T);
  }
  AnonymousArray(AnonymousArray&& o) noexcept : data_(o.data_), size_(o.size_), mapped_bytes_(o.mapped_bytes_) {
    o.data_ = nullptr;
    o.size_ = o.mapped_bytes_ = 0;
  }
  AnonymousArray& operator=(AnonymousArray&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = o.data_;
      size_ = o.size_;
      mapped_bytes_ = o.mapped_bytes_;
      o.data_ = nullptr;
      o.size_ = o.mapped_bytes_ = 0;
    }
    return *this;
  }
  AnonymousArray(const AnonymousArray&) = delete;
  AnonymousArray& operator=(const AnonymousArray&) = delete;
  ~AnonymousArray() { Release(); }

  // Keeps the first n <= size() elements and unmaps the whole pages after them.
  void Shrink(size_t n) {
    if (n >= size_) return;
    size_ = n;
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t keep = (n * sizeof(T) + page - 1) / page * page;
    if (keep < mapped_bytes_) {
      munmap(reinterpret_cast<char*>(data_) + keep, mapped_bytes_ - keep);
      mapped_bytes_ = keep;
      if (keep == 0) data_ = nullptr;
    }
  }

  // Returns the whole pages inside elements [begin, end) to the system (MADV_DONTNEED); those
  // elements read as zero afterwards, the rest are kept. For a consumer done with part of the
  // array: SaveGraph(Graph&&) discards what it has written, so the page cache that takes the
  // bytes reuses those pages rather than fresh ones (docs/BENCHMARKS.md, sixteenth session).
  void Discard(size_t begin, size_t end) {
    if (end > size_) end = size_;
    if (begin < end) DiscardPages(data_ + begin, data_ + end);
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  void Release() {
    if (data_) munmap(data_, mapped_bytes_);
    data_ = nullptr;
    size_ = mapped_bytes_ = 0;
  }
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_bytes_ = 0;
};

}  // namespace melograph
