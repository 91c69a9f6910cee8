// page_fault_bench: what first-touching fresh anonymous memory costs on this machine, per 4 KiB,
// with 4 KiB pages (a fault each), with MAP_POPULATE (faulted in by the kernel in one call), and
// with 2 MiB transparent huge pages (common/huge_pages.h: MapMemory), CPU time (user + system).
//
//   page_fault_bench [--mib M] [--rounds R] [--pause-s P]
//
// Prints stable `key: value` lines, the median over R rounds of writing one byte per 4 KiB of
// an M MiB mapping: small_us_per_4k, populate_us_per_4k, huge_us_per_4k (huge_first_us_per_4k
// is the first round alone: the first huge pages a process gets may need compaction or, in a
// VM, the host to back them), huge_reused_us_per_4k (a huge-page round right after the
// previous one unmapped its memory: the kernel hands the same pages back) and, with --pause-s,
// huge_after_pause_us_per_4k (the same after a pause of P seconds: on a VM with free page
// reporting the host has taken the freed memory back by then; docs/BENCHMARKS.md, nineteenth
// session). Why it matters: build-kg and build-graph write ~0.6 GB of fresh
// memory each at 10^7 events, so at 10 us per 4 KiB page (a VM with shadow page tables; ~0.25
// us on bare metal) the faults alone cost more than a second (docs/BENCHMARKS.md).
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "common/huge_pages.h"

namespace melograph {
namespace {

double CpuSeconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

enum class Mode { kSmall, kPopulate, kHuge };

// CPU microseconds per 4 KiB to map `bytes`, write one byte per 4 KiB, and unmap.
double TouchOnce(size_t bytes, Mode mode) {
  const double start = CpuSeconds();
  char* p = nullptr;
  if (mode == Mode::kHuge) {
    p = static_cast<char*>(MapMemory(bytes));
  } else {
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | (mode == Mode::kPopulate ? MAP_POPULATE : 0);
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    p = static_cast<char*>(m);
  }
  for (size_t i = 0; i < bytes; i += 4096) p[i] = static_cast<char>(i >> 12);
  const double cpu = CpuSeconds() - start;
  if (mode == Mode::kHuge)
    UnmapMemory(p, bytes);
  else
    munmap(p, bytes);
  return 1e6 * cpu / static_cast<double>(bytes / 4096);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace melograph

int main(int argc, char** argv) {
  using namespace melograph;
  CLI::App app("page_fault_bench: CPU cost of first-touching fresh memory, per 4 KiB");
  size_t mib = 256;
  int rounds = 5;
  double pause_s = 0;
  app.add_option("--mib", mib, "mapping size in MiB")->check(CLI::Range(size_t{8}, size_t{1} << 16));
  app.add_option("--rounds", rounds, "rounds per mode (median reported)")->check(CLI::Range(1, 100));
  app.add_option("--pause-s", pause_s, "also measure huge pages after this pause (seconds)")
      ->check(CLI::Range(0.0, 60.0));
  CLI11_PARSE(app, argc, argv);
  const size_t bytes = mib << 20;
  std::vector<double> small, populate, huge, reused, after_pause;
  double huge_first = 0;
  for (int r = 0; r < rounds; ++r) {  // interleaved, so a drift in machine speed hits all three
    small.push_back(TouchOnce(bytes, Mode::kSmall));
    populate.push_back(TouchOnce(bytes, Mode::kPopulate));
    huge.push_back(TouchOnce(bytes, Mode::kHuge));
    if (r == 0) huge_first = huge.back();
    reused.push_back(TouchOnce(bytes, Mode::kHuge));
    if (pause_s > 0) {
      ::usleep(static_cast<useconds_t>(pause_s * 1e6));
      after_pause.push_back(TouchOnce(bytes, Mode::kHuge));
    }
  }
  std::printf("mib: %zu\nrounds: %d\nhuge_pages_enabled: %d\n", mib, rounds, HugePagesEnabled() ? 1 : 0);
  std::printf("small_us_per_4k: %.3f\npopulate_us_per_4k: %.3f\nhuge_us_per_4k: %.3f\nhuge_first_us_per_4k: %.3f\n",
              Median(small), Median(populate), Median(huge), huge_first);
  std::printf("huge_reused_us_per_4k: %.3f\n", Median(reused));
  if (!after_pause.empty()) std::printf("huge_after_pause_us_per_4k: %.3f\n", Median(after_pause));
  return 0;
}
