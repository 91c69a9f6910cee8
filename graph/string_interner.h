// StringInterner: string -> dense int32 id in first-seen order, with the strings kept in one
// arena. Open addressing (linear probing, load <= 1/2); far leaner and faster than
// std::unordered_map<std::string, int> on millions of keys.
//
// A slot is 24 bytes: a 32-bit hash tag, the id, the string's arena offset (40 bits) and length
// (24 bits), and its first 8 bytes. A lookup of a key of at most 8 bytes touches only its slot;
// a longer key touches the slot and the arena, never the offsets array (on tables larger than
// the cache, that is one or two cache misses fewer per lookup). Keys are limited to
// 16 MiB - 1 bytes and the arena to 1 TiB (LimitError beyond). Rehashing re-reads the arena in
// id order. Hashing reads 8 bytes at a time. Ids never depend on the hash.
//
// Batched use (tables larger than the cache): compute HashOf(key) for a batch of keys,
// Prefetch(hash) each, then Intern(key, hash) / Find(key, hash) in order; the answers are the
// same as without the hash, only the cache misses overlap.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "common/huge_pages.h"

namespace melograph {

class StringInterner {
 public:
  StringInterner() { Rehash(1024); }

  // Returns the id of s, inserting it if new.
  int32_t Intern(std::string_view s) { return Intern(s, Hash(s)); }
  // Returns the id of s or -1.
  int32_t Find(std::string_view s) const { return Find(s, Hash(s)); }

  // The hash the two-argument forms expect.
  static uint64_t HashOf(std::string_view s) { return Hash(s); }
  // Hints the cache to fetch the slot where a key of hash h starts probing.
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  // Intern / Find with h == HashOf(s) (precondition; not checked).
  int32_t Intern(std::string_view s, uint64_t h) {
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const uint64_t prefix = Prefix(s);
    size_t slot = h & mask_;
    for (;;) {
      const Slot& x = slots_[slot];
      if (x.id < 0) break;
      if (x.tag == tag && Equals(x, s, prefix)) return x.id;
      slot = (slot + 1) & mask_;
    }
    if (s.size() > kMaxLength) throw LimitError("string interner: key longer than 16 MiB");
    const auto offset = static_cast<uint64_t>(arena_.size());
    if (offset + s.size() > kMaxArena) throw LimitError("string interner: more than 1 TiB of keys");
    const int32_t id = static_cast<int32_t>(offsets_.size() - 1);
    arena_.insert(arena_.end(), s.begin(), s.end());
    offsets_.push_back(static_cast<int64_t>(arena_.size()));
    slots_[slot] = Slot{tag, id, offset << 24 | s.size(), prefix};
    if (static_cast<size_t>(id + 1) * 2 > slots_.size())
      Rehash(GrownTableSlots(slots_.size(), sizeof(Slot)));
    return id;
  }
  int32_t Find(std::string_view s, uint64_t h) const {
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const uint64_t prefix = Prefix(s);
    size_t slot = h & mask_;
    for (;;) {
      const Slot& x = slots_[slot];
      if (x.id < 0) return -1;
      if (x.tag == tag && Equals(x, s, prefix)) return x.id;
      slot = (slot + 1) & mask_;
    }
  }
  std::string_view Get(int32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], static_cast<size_t>(offsets_[id + 1] - offsets_[id]));
  }
  // Hints the cache to fetch what Get(id) reads: PrefetchOffsets first, PrefetchBytes a few
  // steps later (it reads the offset, so it should be in the cache by then).
  void PrefetchOffsets(int32_t id) const { __builtin_prefetch(&offsets_[id]); }
  void PrefetchBytes(int32_t id) const { __builtin_prefetch(arena_.data() + offsets_[id]); }
  size_t size() const { return offsets_.size() - 1; }
  size_t slot_count() const { return slots_.size(); }  // the hash table's size (0 once dropped)
  // Sizes the table for `keys` keys and the id offsets for as many, so that reaching that
  // count rehashes no more: each doubling on the way would take fresh pages (a 2^20-slot table
  // is 24 MiB) for a table dropped at the next. For callers that know about how many keys come
  // (an exact count, or a file's EstimateLineCount where its lines are alike: an estimate past a
  // power of two doubles the table for nothing). Ids are unchanged.
  void Reserve(size_t keys) {
    if (keys > (size_t{1} << 30)) keys = size_t{1} << 30;
    if (keys * 2 > slots_.size()) Rehash(std::bit_ceil(keys * 2));
    offsets_.reserve(keys + 1);
  }
  // Frees the hash table (lookups no longer work; Get still does).
  void DropIndex() {
    decltype(slots_)().swap(slots_);
  }
  size_t MemoryBytes() const {
    return arena_.capacity() + offsets_.capacity() * sizeof(int64_t) + slots_.capacity() * sizeof(Slot);
  }

 private:
  static constexpr uint64_t kMaxLength = (uint64_t{1} << 24) - 1;
  static constexpr uint64_t kMaxArena = uint64_t{1} << 40;
  struct Slot {
    uint32_t tag;
    int32_t id;
    uint64_t where;   // arena offset << 24 | length
    uint64_t prefix;  // first min(length, 8) bytes, zero padded
  };
  static uint64_t Prefix(std::string_view s) {
    if (s.size() >= 8) {
      uint64_t w;
      std::memcpy(&w, s.data(), 8);
      return w;
    }
    return LoadShort(s.data(), s.size());
  }
  // The n < 8 bytes at p as a little-endian word, zero padded: what memcpy(&w, p, n) into a
  // zeroed w gives, but from overlapping 4-byte (or single-byte) loads combined in registers.
  // (A variable-length memcpy compiles to byte stores followed by one 8-byte load, which the
  // CPU cannot forward from the stores: a ~12-cycle stall on every short key.)
  static uint64_t LoadShort(const char* p, size_t n) {
    static_assert(std::endian::native == std::endian::little);
    if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      return lo | uint64_t{hi} << (8 * (n - 4));  // the overlapping bytes agree
    }
    if (n == 0) return 0;
    const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])} << (8 * i); };
    return byte(0) | byte(n / 2) | byte(n - 1);
  }
  [[gnu::always_inline]] static uint64_t Hash(std::string_view s) {
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 31;
      p += 8;
      n -= 8;
    }
    if (n > 0) h = (h ^ LoadShort(p, n)) * 0x94d049bb133111ebULL;
    return Mix64(h);
  }
  bool Equals(const Slot& x, std::string_view s, uint64_t prefix) const {
    const size_t len = x.where & kMaxLength;
    if (len != s.size() || x.prefix != prefix) return false;
    if (len <= 8) return true;
    const char* a = arena_.data() + (x.where >> 24);
    if (len <= 16) {  // the last 8 bytes (overlapping the prefix): no call for short keys
      uint64_t u, v;
      std::memcpy(&u, a + len - 8, 8);
      std::memcpy(&v, s.data() + len - 8, 8);
      return u == v;
    }
    return std::memcmp(a + 8, s.data() + 8, len - 8) == 0;
  }
  void Rehash(size_t n) {
    HugeVector<Slot> fresh(n, Slot{0, -1, 0, 0});
    const size_t m = n - 1;
    const int32_t count = static_cast<int32_t>(size());
    // In blocks: the block's home slots are fetched before any is written (the table is far
    // bigger than the cache once it holds a few hundred thousand keys).
    constexpr int32_t kBlock = 32;
    uint64_t hashes[kBlock];
    for (int32_t begin = 0; begin < count; begin += kBlock) {
      const int32_t end = count - begin > kBlock ? begin + kBlock : count;
      for (int32_t id = begin; id < end; ++id) {
        hashes[id - begin] = Hash(Get(id));
        __builtin_prefetch(&fresh[hashes[id - begin] & m], 1);
      }
      for (int32_t id = begin; id < end; ++id) {
        const std::string_view s = Get(id);
        const uint64_t h = hashes[id - begin];
        size_t slot = h & m;
        while (fresh[slot].id >= 0) slot = (slot + 1) & m;
        fresh[slot] = Slot{static_cast<uint32_t>(h >> 32), id,
                           static_cast<uint64_t>(offsets_[id]) << 24 | s.size(), Prefix(s)};
      }
    }
    slots_.swap(fresh);
    mask_ = m;
  }
  // Large tables on huge pages (common/huge_pages.h): probes and Get land anywhere in them.
  HugeVector<char> arena_;
  HugeVector<int64_t> offsets_{0};
  HugeVector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace melograph
