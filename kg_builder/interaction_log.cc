#include "kg_builder/interaction_log.h"

#include <algorithm>

#include "common/error.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "common/huge_pages.h"
#include "common/line_reader.h"
#include "common/short_text.h"
#include "common/text.h"
#include "kg_builder/events_reader.h"
#include "kg_builder/flat_id_map.h"

namespace melograph {

int64_t InteractionLog::events_read() const {
  int64_t n = 0;
  for (int64_t c : events_by_type) n += c;
  return n;
}

namespace {

// (user, song) -> pair id, for the pairs of an InteractionLog. Linear probing over 8-byte slots
// (32-bit hash tag, pair id); a tag match is confirmed against the log's own pair_user /
// pair_song, so the keys are not stored twice. The table has any size n (home slot = the high
// 64 bits of hash x n, tag = the low 32 bits) and grows by 1.5x at load 4/5, so it holds 10-15
// bytes per pair (a power-of-two table: 10-20). Growing frees the old table first and rebuilds
// from the log, so no two tables coexist: this is build-kg's read-phase peak.
class PairIndex {
 public:
  explicit PairIndex(const InteractionLog& log) : log_(log) {}
  // Builds the table from the pairs the log holds so far (at load 2/3, below the 4/5 limit);
  // until then it holds nothing.
  void Start() {
    const auto pairs = static_cast<size_t>(log_.pair_count());
    Resize(std::max<size_t>(1 << 16, pairs + pairs / 2 + 1));
  }

  static uint64_t HashOf(int32_t user, int32_t song) { return Mix64(PackIds(user, song)); }
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[Home(h)]); }
  // Prefetches the pair arrays of the first slot in the probe sequence whose tag matches.
  void PrefetchMatch(uint64_t h) const {
    const auto tag = static_cast<uint32_t>(h);
    for (size_t slot = Home(h);; slot = Next(slot)) {
      const Slot& x = slots_[slot];
      if (x.id < 0) return;
      if (x.tag == tag) {
        __builtin_prefetch(&log_.pair_user[static_cast<size_t>(x.id)]);
        __builtin_prefetch(&log_.pair_song[static_cast<size_t>(x.id)]);
        return;
      }
    }
  }
  // Id of (user, song), or -1 after reserving its slot for `new_id` (the caller then appends
  // the pair to the log with that id).
  int32_t FindOrInsert(int32_t user, int32_t song, uint64_t h, int32_t new_id) {
    const auto tag = static_cast<uint32_t>(h);
    size_t slot = Home(h);
    for (;; slot = Next(slot)) {
      const Slot& x = slots_[slot];
      if (x.id < 0) break;
      if (x.tag == tag && log_.pair_user[static_cast<size_t>(x.id)] == user &&
          log_.pair_song[static_cast<size_t>(x.id)] == song)
        return x.id;
    }
    slots_[slot] = Slot{tag, new_id};
    if ((static_cast<size_t>(new_id) + 1) * 5 > slots_.size() * 4) grow_pending_ = true;
    return -1;
  }
  // Grows the table by 1.5x if the last insert crossed the load limit; call once the new pair
  // is in the log (rehashing reads the keys from there).
  void GrowIfNeeded() {
    if (!grow_pending_) return;
    grow_pending_ = false;
    Resize(slots_.size() + slots_.size() / 2);
  }

 private:
  struct Slot {
    uint32_t tag;
    int32_t id;  // < 0: empty
  };
  size_t Home(uint64_t h) const {
    return static_cast<size_t>((static_cast<Uint128>(h) * slots_.size()) >> 64);
  }
  size_t Next(size_t slot) const { return slot + 1 == slots_.size() ? 0 : slot + 1; }
  void Resize(size_t n) {
    Slots().swap(slots_);  // the old table is rebuilt from the log, not copied
    slots_.assign(n, Slot{0, -1});
    const int32_t count = log_.pair_count();
    for (int32_t id = 0; id < count; ++id) {
      const uint64_t h = HashOf(log_.pair_user[static_cast<size_t>(id)], log_.pair_song[static_cast<size_t>(id)]);
      size_t slot = Home(h);
      while (slots_[slot].id >= 0) slot = Next(slot);
      slots_[slot] = Slot{static_cast<uint32_t>(h), id};
    }
  }
  const InteractionLog& log_;
  using Slots = HugeVector<Slot>;  // probed at random: huge pages
  Slots slots_;
  bool grow_pending_ = false;
};

// (song -> pair id) for the pairs of one run of a user's events, while every run so far has
// been its user's first: logs that list each user's events together (sorted by user, as exports
// usually are) never need the global PairIndex, whose probes miss the cache on every event; this
// table holds one user's distinct songs and stays in L1/L2. Cleared per run by its used slots.
class RunPairTable {
 public:
  RunPairTable() { slots_.assign(kInitial, Slot{-1, -1}); }
  // Pair id of `song` in this run, or -1 after reserving its slot for `new_id`.
  int32_t FindOrInsert(int32_t song, int32_t new_id) {
    size_t slot = Home(song);
    for (;; slot = (slot + 1) & (slots_.size() - 1)) {
      const Slot& x = slots_[slot];
      if (x.song < 0) break;
      if (x.song == song) return x.pair;
    }
    slots_[slot] = Slot{song, new_id};
    used_.push_back(static_cast<uint32_t>(slot));
    if (used_.size() * 2 > slots_.size()) Grow();
    return -1;
  }
  void Clear() {
    for (uint32_t slot : used_) slots_[slot] = Slot{-1, -1};
    used_.clear();
  }

 private:
  static constexpr size_t kInitial = 256;
  struct Slot {
    int32_t song;  // < 0: empty
    int32_t pair;
  };
  size_t Home(int32_t song) const {
    return static_cast<size_t>(Mix64(static_cast<uint64_t>(song))) & (slots_.size() - 1);
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{-1, -1});
    old.swap(slots_);
    used_.clear();
    for (const Slot& x : old) {
      if (x.song < 0) continue;
      size_t slot = Home(x.song);
      while (slots_[slot].song >= 0) slot = (slot + 1) & (slots_.size() - 1);
      slots_[slot] = x;
      used_.push_back(static_cast<uint32_t>(slot));
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint32_t> used_;
};

// Events are resolved in batches: the song lookups and the pair-table probes of a batch are
// hashed and prefetched first, so their cache misses overlap (both tables outgrow the cache on
// big logs). Processing order, and so every id, is the same as one event at a time.
class BatchedInteractionReader {
 public:
  BatchedInteractionReader(const std::string& path, const StringInterner& songs,
                           const BehaviourWeights& weights, InteractionLog& log)
      : path_(path), songs_(songs), weights_(weights), log_(log) {}

  void Add(const EventRecord& e, int64_t line) {
    ++log_.events_by_type[static_cast<int>(e.type)];
    Pending& p = pending_[size_];
    p.user_offset = ids_.size();
    p.user_size = e.user_id.size();
    ids_.append(e.user_id);
    p.song_offset = ids_.size();
    p.song_size = e.song_id.size();
    ids_.append(e.song_id);
    p.timestamp = e.timestamp;
    p.weight = static_cast<float>(weights_.EventWeight(e.type, e.played_ms, e.duration_ms));
    p.line = line;
    if (++size_ == kBatch) Flush();
  }

  void Flush() {
    // Logs usually list one user's events together: a user id equal to the previous event's is
    // neither hashed nor prefetched, and is resolved from the last interned user below.
    for (size_t i = 0; i < size_; ++i) {
      song_hash_[i] = StringInterner::HashOf(SongId(pending_[i]));
      songs_.Prefetch(song_hash_[i]);
      const std::string_view user = UserId(pending_[i]);
      same_user_[i] = SameText(user, i == 0 ? std::string_view(last_user_id_) : UserId(pending_[i - 1]));
      if (!same_user_[i]) {
        user_hash_[i] = StringInterner::HashOf(user);
        log_.users.Prefetch(user_hash_[i]);
      }
    }
    // Users are interned only for events whose song is known (as one event at a time would).
    for (size_t i = 0; i < size_; ++i) {
      Pending& p = pending_[i];
      p.song = songs_.Find(SongId(p), song_hash_[i]);
      if (p.song < 0) continue;
      const std::string_view user = UserId(p);
      if (last_user_ >= 0 && SameText(user, last_user_id_)) {
        p.user = last_user_;
      } else {
        p.user = log_.users.Intern(user, same_user_[i] ? StringInterner::HashOf(user) : user_hash_[i]);
        last_user_ = p.user;
        last_user_id_.assign(user);
      }
      pair_hash_[i] = PairIndex::HashOf(p.user, p.song);
      if (global_) pairs_.Prefetch(pair_hash_[i]);
    }
    // Read-only probe to prefetch the pair arrays a tag match will be checked against (the
    // real, in-order lookup below may see pairs inserted earlier in the batch).
    if (global_)
      for (size_t i = 0; i < size_; ++i)
        if (pending_[i].song >= 0) pairs_.PrefetchMatch(pair_hash_[i]);
    for (size_t i = 0; i < size_; ++i) {
      const Pending& p = pending_[i];
      if (p.song < 0) {
        if (log_.first_unknown_song_events.size() < 5)
          log_.first_unknown_song_events.push_back(InputError::Format(
              path_, p.line, 0, "song '" + std::string(SongId(p)) + "' is not in songs.tsv"));
        ++log_.unknown_song_events;
        continue;
      }
      if (p.user != run_user_) StartRun(p.user);
      int32_t pair = global_ ? pairs_.FindOrInsert(p.user, p.song, pair_hash_[i], log_.pair_count())
                             : run_pairs_.FindOrInsert(p.song, log_.pair_count());
      if (pair < 0) {
        if (log_.pair_user.size() >= static_cast<size_t>(INT32_MAX - 1))
          throw LimitError("more than 2^31 distinct (user, song) pairs in " + path_);
        pair = log_.pair_count();
        log_.pair_user.push_back(p.user);
        log_.pair_song.push_back(p.song);
        if (global_) pairs_.GrowIfNeeded();
      }
      log_.events.push_back({static_cast<uint32_t>(p.timestamp), pair, p.weight});  // in range: EventsReader
    }
    size_ = 0;
    ids_.clear();
  }

 private:
  static constexpr size_t kBatch = 64;
  struct Pending {
    size_t user_offset, user_size, song_offset, song_size;
    int32_t user, song;
    int64_t timestamp;
    float weight;
    int64_t line;
  };
  // A new run of events of one user. Users are interned in event order, so a user met for the
  // first time has the next id; any other user comes back after a run of its own, and from then
  // on every pair goes through the global index (built from the pairs so far).
  void StartRun(int32_t user) {
    run_user_ = user;
    if (global_) return;
    if (user == users_with_runs_) {
      ++users_with_runs_;
      run_pairs_.Clear();
      return;
    }
    global_ = true;
    pairs_.Start();
  }
  std::string_view SongId(const Pending& p) const {
    return std::string_view(ids_.data() + p.song_offset, p.song_size);
  }
  std::string_view UserId(const Pending& p) const {
    return std::string_view(ids_.data() + p.user_offset, p.user_size);
  }

  const std::string& path_;
  const StringInterner& songs_;
  const BehaviourWeights& weights_;
  InteractionLog& log_;
  PairIndex pairs_{log_};  // empty until global_
  RunPairTable run_pairs_;  // the current run's pairs while !global_
  bool global_ = false;
  int32_t run_user_ = -1;
  int32_t users_with_runs_ = 0;
  Pending pending_[kBatch];
  uint64_t song_hash_[kBatch], user_hash_[kBatch], pair_hash_[kBatch];
  bool same_user_[kBatch];
  size_t size_ = 0;
  int32_t last_user_ = -1;    // the last interned user and its id string
  std::string last_user_id_;
  TextBuffer ids_;  // user and song ids of the pending events
};

}  // namespace

InteractionLog ReadInteractions(const std::string& events_path, const StringInterner& songs,
                                const BehaviourWeights& weights, BadLineBudget* budget,
                                size_t expected_users) {
  InteractionLog log;
  // Pairs are at most events: reserving the pair arrays for the estimate too costs only the
  // pages written, and spares the doublings (each held the old and the new array, and up to
  // half of the last one stayed unused).
  const size_t estimate = EstimateLineCount(events_path);  // about the events
  log.events.reserve(estimate);
  log.pair_user.reserve(estimate);
  log.pair_song.reserve(estimate);
  log.users.Reserve(std::min(expected_users, estimate));
  EventsReader reader(events_path, budget);
  BatchedInteractionReader batch(events_path, songs, weights, log);
  EventRecord e;
  while (reader.Next(e)) batch.Add(e, reader.line_number());
  batch.Flush();
  return log;
}

}  // namespace melograph
