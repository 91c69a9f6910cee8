#include "kg_builder/kg_builder.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "common/huge_pages.h"
#include "common/short_text.h"
#include "common/text.h"
#include "kg_builder/catalog_reader.h"
#include "kg_builder/derived_relations.h"
#include "kg_builder/playlist_follows.h"
#include "kg_builder/session_split.h"
#include "kg_builder/triple_io.h"
#include "proto/kg_config.pb.h"

namespace melograph {
namespace {

// weights.Compress memoised in a direct-mapped table: pairs' sums repeat (one full play, one
// like...): on the medium world the 256 most common of 279k distinct weights cover 80% of the
// behaviour triples. The same value as Compress, bit for bit (a hit needs the same sum bits).
class CompressCache {
 public:
  explicit CompressCache(const BehaviourWeights& weights) : weights_(weights) {
    for (Entry& e : table_) e.bits = kEmpty;
  }
  double Compress(double sum) {
    uint64_t bits;
    std::memcpy(&bits, &sum, sizeof bits);
    Entry& e = table_[Mix64(bits) % kSize];
    if (e.bits != bits) e = Entry{bits, weights_.Compress(sum)};
    return e.value;
  }

 private:
  static constexpr size_t kSize = 4096;
  static constexpr uint64_t kEmpty = 0x7ff8000000000123ULL;  // a NaN: never a sum's bits
  struct Entry {
    uint64_t bits;
    double value;
  };
  const BehaviourWeights& weights_;
  Entry table_[kSize];
};

}  // namespace

int64_t WriteBehaviourTriples(const InteractionLog& log, const StringInterner& songs,
                              const Split& split, const BehaviourWeights& weights, TripleSink& sink,
                              int32_t block_pairs, const std::function<void(size_t)>& events_done) {
  struct Sums {
    double positive = 0, negative = 0;
    int64_t last_positive = kNoTimestamp, last_negative = kNoTimestamp;
  };
  // Pairs are aggregated a block at a time (one pass over the events per block), so the sums
  // take a block's 32 bytes per pair instead of all pairs'; within a pair the events are summed
  // in array order, as in a single pass. Output stays in pair order. Each block's pass covers
  // only the events from the first to the last that hit it: when the log lists one user's
  // events together, the blocks' ranges barely overlap and the passes add up to about one.
  // Then blocks are small: the most of 64, 32, 16 or 8 blocks whose passes add up to at most
  // 1.25 passes (sums of 2.5 MB at 10^7 events, in the cache, rather than 20 MB of fresh
  // memory probed at random); otherwise (a log in random order) at most 8 passes, each with at
  // least 4 MiB of sums.
  constexpr size_t kAhead = 16;  // events hit pairs in random order: prefetch ahead
  const int32_t pairs = log.pair_count();
  const size_t n = log.events.size();
  using Range = std::pair<size_t, size_t>;  // [first, last) of the events a block's pairs have
  const auto ranges_of = [&](int32_t block) {
    const size_t count = pairs == 0 ? 0 : static_cast<size_t>((pairs - 1) / block + 1);
    std::vector<Range> range(count, {n, 0});
    for (size_t i = 0; i < n; ++i) {
      auto& [first, last] = range[static_cast<size_t>(log.events[i].pair / block)];
      first = std::min(first, i);
      last = i + 1;
    }
    return range;
  };
  int32_t block = block_pairs;
  std::vector<Range> range;
  if (block > 0) {
    range = ranges_of(block);
  } else {
    constexpr int32_t kFinest = 64;
    const int32_t fine = pairs / kFinest + 1;
    const std::vector<Range> fine_range = ranges_of(fine);
    // Groups of 1, 2, 4, 8 finest blocks: 64, 32, 16, 8 blocks.
    for (int32_t group = 1; group <= kFinest / 8 && block <= 0; group *= 2) {
      std::vector<Range> merged(
          (fine_range.size() + static_cast<size_t>(group) - 1) / static_cast<size_t>(group),
          {n, 0});
      size_t scanned = 0;
      for (size_t b = 0; b < merged.size(); ++b) {
        for (size_t f = b * static_cast<size_t>(group);
             f < std::min(fine_range.size(), (b + 1) * static_cast<size_t>(group)); ++f) {
          merged[b].first = std::min(merged[b].first, fine_range[f].first);
          merged[b].second = std::max(merged[b].second, fine_range[f].second);
        }
        if (merged[b].second > merged[b].first) scanned += merged[b].second - merged[b].first;
      }
      if (scanned <= n + n / 4) {
        block = fine * group;
        range = std::move(merged);
      }
    }
    if (block <= 0) {
      block =
          std::max<int32_t>((int32_t{4} << 20) / static_cast<int32_t>(sizeof(Sums)), pairs / 8 + 1);
      range = ranges_of(block);
    }
  }
  const size_t blocks = range.size();
  // Hit at random, and up to 25 MB per block at 10^7 events in random order: on huge pages
  // from 1 MiB on (common/huge_pages.h).
  HugeVector<Sums> sums(static_cast<size_t>(std::min(pairs, block)));
  // later_first[b]: the first event any pass after block b reads.
  std::vector<size_t> later_first(blocks, n);
  for (size_t b = blocks; b-- > 1;) later_first[b - 1] = std::min(later_first[b], range[b].first);
  int64_t training_events = 0;
  TypedKey user_key("user"), song_key("song");
  std::string_view user;
  int32_t user_id = -1;  // whose key `user` holds
  CompressCache compress(weights);
  for (int32_t begin = 0; begin < pairs; begin += block) {
    const int32_t end = pairs - begin > block ? begin + block : pairs;
    std::fill(sums.begin(), sums.end(), Sums{});
    const auto [first, last] = range[static_cast<size_t>(begin / block)];
    for (size_t i = first; i < last; ++i) {
      if (i + kAhead < last) {
        const int32_t ahead = log.events[i + kAhead].pair;
        if (ahead >= begin && ahead < end) __builtin_prefetch(&sums[ahead - begin]);
      }
      const InteractionEvent& e = log.events[i];
      if (e.pair < begin || e.pair >= end || !split.IsTrainingEvent(e)) continue;
      ++training_events;
      Sums& s = sums[e.pair - begin];
      if (e.weight > 0) {
        s.positive += e.weight;
        s.last_positive = std::max(s.last_positive, e.timestamp());
      } else if (e.weight < 0) {
        s.negative += e.weight;
        s.last_negative = std::max(s.last_negative, e.timestamp());
      }
    }
    if (events_done) events_done(later_first[static_cast<size_t>(begin / block)]);
    for (int32_t p = begin; p < end; ++p) {
      // Songs' names are read in random order: fetch their offsets 16 pairs ahead, bytes 8.
      if (p + 16 < end) songs.PrefetchOffsets(log.pair_song[static_cast<size_t>(p + 16)]);
      if (p + 8 < end) songs.PrefetchBytes(log.pair_song[static_cast<size_t>(p + 8)]);
      const Sums& s = sums[p - begin];
      if (split.is_test[p] || (s.positive <= 0 && s.negative >= 0)) continue;
      if (log.pair_user[p] != user_id) {  // a user's pairs mostly follow each other
        user_id = log.pair_user[p];
        user = user_key.With(log.users.Get(user_id));
      }
      const std::string_view song = song_key.With(songs.Get(log.pair_song[p]));
      if (s.positive > 0) sink.Add(user, "listened", song, compress.Compress(s.positive), s.last_positive);
      if (s.negative < 0) sink.Add(user, "rejected", song, -compress.Compress(-s.negative), s.last_negative);
    }
  }
  return training_events;
}

int64_t WriteTestPairs(const InteractionLog& log, const StringInterner& songs, const Split& split,
                       AtomicFile& out) {
  std::vector<uint8_t> user_has_test(log.users.size(), 0);
  int64_t users = 0;
  for (int32_t p = 0; p < log.pair_count(); ++p) {
    if (!split.is_test[p]) continue;
    const int32_t u = log.pair_user[p];
    users += !user_has_test[u];
    user_has_test[u] = 1;
    // "user:<id>\tsong:<id>\n", formatted straight into the file's buffer.
    const std::string_view user = log.users.Get(u), song = songs.Get(log.pair_song[p]);
    char* const begin = out.Space(user.size() + song.size() + 12);
    char* q = begin;
    std::memcpy(q, "user:", 5);
    std::memcpy(q + 5, user.data(), user.size());
    q += 5 + user.size();
    std::memcpy(q, "\tsong:", 6);
    std::memcpy(q + 6, song.data(), song.size());
    q += 6 + song.size();
    *q++ = '\n';
    out.Advance(static_cast<size_t>(q - begin));
  }
  return users;
}

KgBuildStats BuildKg(const KgBuildOptions& options) {
  ValidateSplitOptions(options.split);
  if (options.session_gap_s < 0) throw UsageError("--session-gap must be >= 0 (0: no sessions)");
  // Sessions read the events a second time (ReadSessionEvents): a pipe would block or be empty.
  if (options.session_gap_s > 0 && PathExists(options.events_path) && !IsRegularFile(options.events_path))
    throw UsageError("--session-gap reads the events file twice, but " + options.events_path +
                     " is not a regular file (a pipe?): write the events to a file first");
  const BehaviourWeights weights(options.config);
  BadLineBudget budget(options.max_bad_lines);
  KgBuildStats stats;
  AtomicDirectory out(options.out_dir);
  TripleWriter train(out, "train.tsv");
  FileTripleSink sink(&train);

  Catalog catalog = ReadCatalog(options.catalog_dir, &budget, sink);
  stats.unknown_song_refs = catalog.unknown_song_refs;
  stats.first_unknown_song_refs = catalog.first_unknown_song_refs;

  InteractionLog log = ReadInteractions(options.events_path, catalog.songs, weights, &budget,
                                        static_cast<size_t>(catalog.user_ids));
  stats.events_by_type = log.events_by_type;
  stats.events_read = log.events_read();
  stats.unknown_song_events = log.unknown_song_events;
  stats.first_unknown_song_events = log.first_unknown_song_events;
  stats.pairs = log.pair_count();
  // From here only Get is used on the songs and the log's users, unless sessions are on (they
  // look both up again): their hash tables (~70 MB at 10^7 events) go back now, so the page
  // cache that takes train.tsv reuses their pages rather than fresh ones (docs/BENCHMARKS.md,
  // eighteenth session).
  if (options.session_gap_s == 0) {
    catalog.songs.DropIndex();
    log.users.DropIndex();
  }

  const Split split = SplitInteractions(log, catalog.songs, options.split);
  stats.split = std::string(ToString(options.split.mode));
  stats.has_cutoff = split.time_filter;
  stats.cutoff = split.cutoff;
  stats.test_pairs = split.test_pairs;
  // Nothing below reads log.events again (sessions have their own log): the events each block
  // has summed are discarded before its triples are written, so the page cache that takes
  // train.tsv reuses their pages (~120 MB at 10^7 events; docs/BENCHMARKS.md, sixteenth session).
  // Whole 2 MiB pages only: discarding part of a huge page splits it (and a block's events are
  // about 2 MB at 10^7).
  const auto* discarded = reinterpret_cast<const char*>(log.events.data());
  stats.training_events =
      WriteBehaviourTriples(log, catalog.songs, split, weights, sink, 0, [&](size_t done) {
        const auto end =
            reinterpret_cast<uintptr_t>(log.events.data() + done) / kHugePageBytes * kHugePageBytes;
        if (end <= reinterpret_cast<uintptr_t>(discarded)) return;
        DiscardPages(discarded, reinterpret_cast<const char*>(end));
        discarded = reinterpret_cast<const char*>(end);
      });
  stats.works_skipped =
      WriteDerivedRelations(catalog, options.config.max_artists_per_work(), sink).works_skipped;
  SessionLog sessions;
  SessionStats session_stats;
  stats.sessions_on = options.session_gap_s > 0;
  if (stats.sessions_on) {
    sessions = ReadSessionEvents(options.events_path, catalog.songs, log, weights, options.max_bad_lines);
    CutSessions(sessions, options.session_gap_s, split);
    WriteNextInSession(sessions, catalog.songs, split, sink, session_stats);
  }
  // Playlist follows (optional catalog file): training triples, held-out pairs to
  // test_playlists.tsv (kg_builder/playlist_follows.h).
  if (const std::string follows = FindCatalogFile(options.catalog_dir, "playlist_follows.tsv"); !follows.empty()) {
    AtomicFile test_playlists(out, "test_playlists.tsv");
    stats.playlist_follows =
        SplitPlaylistFollows(follows, catalog.playlists, split.time_filter, split.cutoff, &budget,
                             sink, test_playlists, static_cast<size_t>(catalog.user_ids));
    stats.has_playlist_follows = true;
    test_playlists.Commit();
  }
  train.Commit();

  AtomicFile test(out, "test.tsv");
  stats.test_users = WriteTestPairs(log, catalog.songs, split, test);
  test.Commit();
  if (stats.sessions_on && split.time_filter) {
    AtomicFile test_sessions(out, "test_sessions.tsv");
    WriteTestSessions(sessions, log, catalog.songs, split, test_sessions, session_stats);
    test_sessions.Commit();
  }
  stats.sessions = session_stats.sessions;
  stats.session_transitions = session_stats.training_transitions;
  stats.test_sessions = session_stats.test_sessions;
  stats.test_session_events = session_stats.test_session_events;

  stats.triples_by_relation = sink.counts();
  stats.triples = sink.total();
  stats.bad_lines_skipped = budget.count();
  stats.bad_lines_summary = budget.Summary();

  proto::KgBuildManifest manifest;
  manifest.mutable_version()->set_tool("melograph");
  manifest.mutable_version()->set_major(1);
  manifest.mutable_version()->set_minor(0);
  manifest.set_events_path(options.events_path);
  manifest.set_catalog_dir(options.catalog_dir);
  *manifest.mutable_config() = options.config;
  manifest.set_split(stats.split);
  if (split.time_filter) manifest.set_cutoff(split.cutoff);
  if (options.split.mode == SplitMode::kLastN) manifest.set_test_last_n(options.split.test_last_n);
  if (options.split.mode == SplitMode::kFraction) manifest.set_test_fraction(options.split.test_fraction);
  manifest.set_seed(options.split.seed);
  manifest.set_events_read(stats.events_read);
  manifest.set_pairs(stats.pairs);
  manifest.set_test_pairs(stats.test_pairs);
  manifest.set_bad_lines_skipped(stats.bad_lines_skipped);
  for (const auto& [relation, n] : stats.triples_by_relation) (*manifest.mutable_triples_by_relation())[relation] = n;
  // train.tsv is plain text, so the writer's byte count and CRC are the file's (no re-read).
  manifest.set_train_bytes(train.bytes_written());
  manifest.set_train_crc32(train.crc32());
  manifest.set_test_bytes(test.bytes_written());
  manifest.set_test_crc32(test.crc32());
  if (stats.sessions_on) {
    manifest.set_session_gap_s(options.session_gap_s);
    manifest.set_sessions(stats.sessions);
    manifest.set_test_sessions(stats.test_sessions);
    manifest.set_test_session_events(stats.test_session_events);
  }
  std::string bytes;
  {
    // Deterministic: the triples_by_relation map is written in key order, so equal builds give
    // byte-identical manifests.
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!manifest.SerializeToCodedStream(&coded)) throw IoError("cannot serialise the build-kg manifest");
  }
  WriteWholeFile(out, "manifest.pb", bytes);
  out.Commit();
  return stats;
}

std::string FormatKgBuildStats(const KgBuildStats& s) {
  std::string out;
  const auto line = [&](std::string_view key, int64_t value) {
    out.append(key).append(": ");
    AppendInt(out, value);
    out.push_back('\n');
  };
  line("events_read", s.events_read);
  for (int i = 0; i < kEventTypeCount; ++i)
    line("events." + std::string(EventTypeName(static_cast<EventType>(i))), s.events_by_type[i]);
  line("events_unknown_song", s.unknown_song_events);
  line("pairs", s.pairs);
  line("training_events", s.training_events);
  out.append("split: ").append(s.split).append("\n");
  if (s.has_cutoff) line("cutoff", s.cutoff);
  line("test_pairs", s.test_pairs);
  line("test_users", s.test_users);
  line("triples", s.triples);
  for (const auto& [relation, n] : s.triples_by_relation) line("triples." + relation, n);
  line("playlist_unknown_song", s.unknown_song_refs);
  line("works_skipped", s.works_skipped);
  line("bad_lines_skipped", s.bad_lines_skipped);
  if (s.has_playlist_follows) {
    line("playlist_follows_read", s.playlist_follows.lines);
    line("playlist_follow_pairs", s.playlist_follows.pairs);
    line("playlist_follows_unknown_playlist", s.playlist_follows.unknown_playlist);
    line("test_playlist_pairs", s.playlist_follows.test_pairs);
    line("test_playlist_users", s.playlist_follows.test_users);
  }
  if (s.sessions_on) {
    line("sessions", s.sessions);
    line("session_transitions", s.session_transitions);
    line("test_sessions", s.test_sessions);
    line("test_session_events", s.test_session_events);
  }
  return out;
}

}  // namespace melograph
