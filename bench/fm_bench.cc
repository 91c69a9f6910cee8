// fm_bench: per-event latency of the private FM (online/fm_session.h + online/fm_search.h) on a
// synthetic catalog: --songs vectors of --dim floats drawn around 64 cluster centres (so the
// HNSW graph sees realistic structure), 4 songs per artist, and --sessions sessions of
// --events-per-session events each (60% full_play, 10% like, 5% collect, 20% skip, 5% dislike;
// songs drawn near the session's current best guess half of the time, else uniformly).
// Each event = Observe + Query + Search (k = 10), timed individually. Everything is drawn from
// Rng(HashCombine(seed, ...)); the hit lists are therefore fixed, only times vary.
//
// Output: `key: value` lines: ef_search, songs, dim, index, index_build_s, events, wall-clock
// latency_mean_us / p50 / p99 / max, the same for the thread's CPU time (cpu_*_us: the event's
// own work, immune to being descheduled on a shared machine), exact_fallbacks, and for hnsw the
// recall@10 of the HNSW lists against the exact ones on the same queries (hnsw_recall_at_10).
#include <omp.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/resource.h"
#include "online/fm_catalog.h"
#include "online/fm_search.h"
#include "online/fm_session.h"

using namespace melograph;

namespace {
// CPU seconds of the calling thread: the event's own work, without the time it spent descheduled
// on a shared machine.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  int64_t songs = 100000;
  int dim = 64, sessions = 200, events_per_session = 20, k = 10, ef_search = 64;
  uint64_t seed = 1;
  std::string index = "hnsw";
  CLI::App app("fm_bench: private FM per-event latency");
  app.add_option("--songs", songs)->capture_default_str();
  app.add_option("--dim", dim)->capture_default_str();
  app.add_option("--sessions", sessions)->capture_default_str();
  app.add_option("--events-per-session", events_per_session)->capture_default_str();
  app.add_option("--index", index, "hnsw or exact")->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  app.add_option("--ef-search", ef_search, "HNSW search beam width")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  omp_set_num_threads(1);

  Rng rng(HashCombine(seed, 1));
  const int centres = 64;
  std::vector<float> centre(static_cast<size_t>(centres * dim));
  for (float& x : centre) x = static_cast<float>(rng.Normal());
  std::vector<float> vectors(static_cast<size_t>(songs * dim));
  std::vector<std::vector<int32_t>> artists(static_cast<size_t>(songs));
  std::vector<std::string> ids(static_cast<size_t>(songs));
  std::vector<float> popularity(static_cast<size_t>(songs));
  for (int64_t s = 0; s < songs; ++s) {
    const int c = static_cast<int>(rng.Uniform(centres));
    for (int j = 0; j < dim; ++j)
      vectors[static_cast<size_t>(s * dim + j)] =
          0.3f * (centre[static_cast<size_t>(c * dim + j)] + 0.7f * static_cast<float>(rng.Normal()));
    artists[static_cast<size_t>(s)] = {static_cast<int32_t>(s / 4)};
    ids[static_cast<size_t>(s)] = "s" + std::to_string(s);
    popularity[static_cast<size_t>(s)] = static_cast<float>(rng.UniformDouble());
  }
  const int32_t n_artists = static_cast<int32_t>((songs + 3) / 4);
  const FmCatalog catalog(dim, std::move(vectors), std::move(artists), n_artists, std::move(popularity), std::move(ids));
  FmSearchOptions so;
  so.kind = ParseFmIndexKind(index);
  so.seed = seed;
  so.hnsw_ef_search = ef_search;
  const FmSearcher searcher(&catalog, so);
  FmSearchOptions eo;
  eo.kind = FmIndexKind::kExact;
  const FmSearcher exact(&catalog, eo);

  FmSession session(&catalog, FmParams{});
  std::vector<double> latencies, cpu;
  std::vector<FmHit> hits, truth;
  int64_t overlap = 0, compared = 0;
  std::vector<float> user(static_cast<size_t>(dim));
  for (int sess = 0; sess < sessions; ++sess) {
    Rng srng(HashCombine(seed, 2, static_cast<uint64_t>(sess)));
    for (float& x : user) x = static_cast<float>(srng.Normal());
    session.Reset(sess % 10 == 0 ? std::span<const float>() : std::span<const float>(user));
    for (int e = 0; e < events_per_session; ++e) {
      int32_t song = static_cast<int32_t>(srng.Uniform(static_cast<uint64_t>(songs)));
      if (!hits.empty() && srng.UniformDouble() < 0.5) song = hits[srng.Uniform(hits.size())].song;
      const double x = srng.UniformDouble();
      const FmFeedback f = x < 0.6 ? FmFeedback::kFullPlay
                           : x < 0.7 ? FmFeedback::kLike
                           : x < 0.75 ? FmFeedback::kCollect
                           : x < 0.95 ? FmFeedback::kSkip
                                      : FmFeedback::kDislike;
      const double t0 = WallSeconds(), c0 = ThreadCpuSeconds();
      session.Observe(song, f);
      searcher.Search(session.Query(), k, session.exclusion_mask(), session.excluded_count(),
                      static_cast<int64_t>(session.played().size()), hits);
      latencies.push_back((WallSeconds() - t0) * 1e6);
      cpu.push_back((ThreadCpuSeconds() - c0) * 1e6);
      if (so.kind == FmIndexKind::kHnsw && e % 5 == 0) {
        exact.Search(session.Query(), k, session.exclusion_mask(), session.excluded_count(),
                     static_cast<int64_t>(session.played().size()), truth);
        for (const FmHit& t : truth)
          overlap += std::any_of(hits.begin(), hits.end(), [&](const FmHit& h) { return h.song == t.song; });
        compared += static_cast<int64_t>(truth.size());
      }
    }
  }
  double sum = 0;
  for (double v : latencies) sum += v;
  std::sort(latencies.begin(), latencies.end());
  std::sort(cpu.begin(), cpu.end());
  double cpu_sum = 0;
  for (double v : cpu) cpu_sum += v;
  const auto at = [&](double q) { return latencies[std::min(latencies.size() - 1, static_cast<size_t>(q * static_cast<double>(latencies.size())))]; };
  std::printf("ef_search: %d\n", ef_search);
  std::printf("songs: %lld\ndim: %d\nindex: %s\nindex_build_s: %.2f\nevents: %zu\n", static_cast<long long>(songs), dim,
              index.c_str(), searcher.build_seconds(), latencies.size());
  std::printf("latency_mean_us: %.1f\nlatency_p50_us: %.1f\nlatency_p99_us: %.1f\nlatency_max_us: %.1f\n",
              sum / static_cast<double>(latencies.size()), at(0.5), at(0.99), latencies.back());
  std::printf("cpu_mean_us: %.1f\ncpu_p50_us: %.1f\ncpu_p99_us: %.1f\n", cpu_sum / static_cast<double>(cpu.size()),
              cpu[cpu.size() / 2], cpu[std::min(cpu.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(cpu.size())))]);
  std::printf("exact_fallbacks: %lld\n", static_cast<long long>(searcher.exact_fallbacks()));
  if (compared > 0) std::printf("hnsw_recall_at_10: %.4f\n", static_cast<double>(overlap) / static_cast<double>(compared));
  return 0;
}
