// skipgram_bench: (center, context) pair updates per second of the SGNS kernel (model/skipgram.h
// SkipGramStep: forward, loss and gradients of a batch) on one core, at a given dimension and
// negatives per pair, with rows drawn uniformly from tables far larger than the batch.
// Prints stable `key: value` lines (docs/BENCHMARKS.md, "Training (distributed)").
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/hash.h"
#include "model/optimizer.h"
#include "model/skipgram.h"

// CPU time of this thread: the per-core figure, not diluted by other processes on the machine.
static double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int main(int argc, char** argv) {
  using namespace melograph;
  int64_t rows = 200000, dim = 64, batch = 4096, steps = 200;
  int negatives = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    const int64_t v = std::atoll(argv[i + 1]);
    if (f == "--rows") rows = v;
    else if (f == "--dim") dim = v;
    else if (f == "--batch") batch = v;
    else if (f == "--steps") steps = v;
    else if (f == "--negatives") negatives = static_cast<int>(v);
  }
  const EmbeddingTable center = MakeNormalEmbeddingTable(rows, dim, 0.1f, 1);
  const EmbeddingTable context = MakeNormalEmbeddingTable(rows, dim, 0.1f, 2);
  std::vector<int64_t> c(static_cast<size_t>(batch)), o(static_cast<size_t>(batch)),
      n(static_cast<size_t>(batch * negatives));
  SkipGramGradients g;
  double seconds = 0, cpu_seconds = 0, loss = 0;
  for (int64_t s = 0; s < steps; ++s) {
    Rng rng(HashCombine(7, static_cast<uint64_t>(s)));
    for (auto& x : c) x = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(rows)));
    for (auto& x : o) x = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(rows)));
    for (auto& x : n) x = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(rows)));
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = CpuSeconds();
    SkipGramStep(center, context, {c, o, n, negatives}, &g);
    cpu_seconds += CpuSeconds() - c0;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    loss += g.loss;
  }
  std::printf("dim: %lld\nnegatives: %d\nbatch: %lld\nsteps: %lld\n", static_cast<long long>(dim), negatives,
              static_cast<long long>(batch), static_cast<long long>(steps));
  std::printf("pair_updates_per_cpu_s: %.4g\n", static_cast<double>(batch * steps) / cpu_seconds);
  std::printf("pair_updates_per_s: %.4g\nmean_loss: %.6f\n", static_cast<double>(batch * steps) / seconds, loss / static_cast<double>(steps));
  return 0;
}
