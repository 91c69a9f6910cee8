// StringInterner: string -> dense int32 id in first-seen order, with the strings kept in one
// arena. Open addressing with stored 64-bit hashes; far leaner and faster than
// std::unordered_map<std::string, int> on millions of keys.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/hash.h"

namespace melograph {

class StringInterner {
 public:
  StringInterner() { Rehash(1024); }

  // Returns the id of s, inserting it if new.
  int32_t Intern(std::string_view s) {
    const uint64_t h = HashBytes(s);
    size_t slot = h & mask_;
    for (;;) {
      const int32_t id = slots_[slot].id;
      if (id < 0) break;
      if (slots_[slot].hash == h && Get(id) == s) return id;
      slot = (slot + 1) & mask_;
    }
    const int32_t id = static_cast<int32_t>(offsets_.size() - 1);
    arena_.insert(arena_.end(), s.begin(), s.end());
    offsets_.push_back(static_cast<int64_t>(arena_.size()));
    slots_[slot] = {h, id};
    if (static_cast<size_t>(id + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    return id;
  }
  // Returns the id of s or -1.
  int32_t Find(std::string_view s) const {
    const uint64_t h = HashBytes(s);
    size_t slot = h & mask_;
    for (;;) {
      const int32_t id = slots_[slot].id;
      if (id < 0) return -1;
      if (slots_[slot].hash == h && Get(id) == s) return id;
      slot = (slot + 1) & mask_;
    }
  }
  std::string_view Get(int32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], static_cast<size_t>(offsets_[id + 1] - offsets_[id]));
  }
  size_t size() const { return offsets_.size() - 1; }
  // Frees the hash table (lookups no longer work; Get still does).
  void DropIndex() {
    slots_.clear();
    slots_.shrink_to_fit();
  }
  size_t MemoryBytes() const {
    return arena_.capacity() + offsets_.capacity() * sizeof(int64_t) + slots_.capacity() * sizeof(Slot);
  }

 private:
  struct Slot {
    uint64_t hash;
    int32_t id;
  };
  void Rehash(size_t n) {
    std::vector<Slot> fresh(n, Slot{0, -1});
    const size_t m = n - 1;
    for (const Slot& s : slots_) {
      if (s.id < 0) continue;
      size_t slot = s.hash & m;
      while (fresh[slot].id >= 0) slot = (slot + 1) & m;
      fresh[slot] = s;
    }
    slots_.swap(fresh);
    mask_ = m;
  }
  std::vector<char> arena_;
  std::vector<int64_t> offsets_{0};
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace melograph
