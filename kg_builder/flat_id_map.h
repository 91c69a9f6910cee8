// FlatIdMap: an open-addressing hash map from a 64-bit key (usually two int32 ids packed by
// PackIds) to a non-negative int32 value. Linear probing, stored keys, load <= 1/2, 12 bytes a
// slot (key halves and value, 4-byte aligned): 24-48 bytes per entry, no allocation per
// insert. Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/hash.h"
#include "common/huge_pages.h"

namespace melograph {

constexpr uint64_t PackIds(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}
constexpr int32_t FirstId(uint64_t packed) { return static_cast<int32_t>(packed >> 32); }
constexpr int32_t SecondId(uint64_t packed) { return static_cast<int32_t>(packed & 0xffffffffu); }

class FlatIdMap {
 public:
  explicit FlatIdMap(size_t expected = 0) {
    size_t n = 1024;
    while (n < expected * 2) n *= 2;
    slots_.assign(n, Slot{0, 0, -1});
    mask_ = n - 1;
  }
  // Value slot of `key`, inserting `value_if_new` (>= 0) if absent; *inserted says which.
  int32_t& FindOrInsert(uint64_t key, int32_t value_if_new, bool* inserted) {
    size_t slot = Mix64(key) & mask_;
    while (slots_[slot].value >= 0) {
      if (slots_[slot].key() == key) {
        *inserted = false;
        return slots_[slot].value;
      }
      slot = (slot + 1) & mask_;
    }
    *inserted = true;
    if ((size_ + 1) * 2 > slots_.size()) {
      Grow();
      return FindOrInsert(key, value_if_new, inserted);
    }
    ++size_;
    slots_[slot] = Slot::Make(key, value_if_new);
    return slots_[slot].value;
  }
  // Hints the cache to fetch the slot where `key` starts probing (batched lookups).
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Mix64(key) & mask_]); }
  // True (and *value set) if present.
  bool Find(uint64_t key, int32_t* value) const {
    size_t slot = Mix64(key) & mask_;
    while (slots_[slot].value >= 0) {
      if (slots_[slot].key() == key) {
        *value = slots_[slot].value;
        return true;
      }
      slot = (slot + 1) & mask_;
    }
    return false;
  }
  size_t size() const { return size_; }
  // Calls f(key, value) for every entry, in slot order (callers sort if order matters).
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_)
      if (s.value >= 0) f(s.key(), s.value);
  }

 private:
  struct Slot {
    uint32_t key_low, key_high;
    int32_t value;  // < 0: empty
    uint64_t key() const { return uint64_t{key_high} << 32 | key_low; }
    static Slot Make(uint64_t key, int32_t value) {
      return Slot{static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32), value};
    }
  };
  static_assert(sizeof(Slot) == 12);
  void Grow() {
    HugeVector<Slot> old;
    old.swap(slots_);
    slots_.assign(GrownTableSlots(old.size(), sizeof(Slot)), Slot{0, 0, -1});  // a power of two
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value < 0) continue;
      size_t slot = Mix64(s.key()) & mask_;
      while (slots_[slot].value >= 0) slot = (slot + 1) & mask_;
      slots_[slot] = s;
    }
  }
  HugeVector<Slot> slots_;  // probed at random: huge pages once large
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace melograph
