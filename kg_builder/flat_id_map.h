// FlatIdMap: an open-addressing hash map from a 64-bit key (usually two int32 ids packed by
// PackIds) to a non-negative int32 value. Linear probing, stored keys, load <= 1/2, 16 bytes a
// slot: ~32 bytes per entry, no allocation per insert. Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/hash.h"

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
    slots_.assign(n, Slot{0, -1});
    mask_ = n - 1;
  }
  // Value slot of `key`, inserting `value_if_new` (>= 0) if absent; *inserted says which.
  int32_t& FindOrInsert(uint64_t key, int32_t value_if_new, bool* inserted) {
    size_t slot = Mix64(key) & mask_;
    while (slots_[slot].value >= 0) {
      if (slots_[slot].key == key) {
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
    slots_[slot] = Slot{key, value_if_new};
    return slots_[slot].value;
  }
  // True (and *value set) if present.
  bool Find(uint64_t key, int32_t* value) const {
    size_t slot = Mix64(key) & mask_;
    while (slots_[slot].value >= 0) {
      if (slots_[slot].key == key) {
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
      if (s.value >= 0) f(s.key, s.value);
  }

 private:
  struct Slot {
    uint64_t key;
    int32_t value;  // < 0: empty
  };
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{0, -1});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value < 0) continue;
      size_t slot = Mix64(s.key) & mask_;
      while (slots_[slot].value >= 0) slot = (slot + 1) & mask_;
      slots_[slot] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace melograph
