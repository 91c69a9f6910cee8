#include "common/resource.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "common/file_util.h"

namespace melograph {
namespace {
int64_t ReadStatusKb(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  int64_t kb = 0;
  const size_t klen = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, klen) == 0) {
      long long v = 0;
      if (std::sscanf(line + klen, " %lld", &v) == 1) kb = v;
      break;
    }
  }
  std::fclose(f);
  return kb * 1024;
}
}  // namespace

int64_t PeakRssBytes() { return ReadStatusKb("VmHWM:"); }
int64_t CurrentRssBytes() { return ReadStatusKb("VmRSS:"); }
double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void FixMallocThresholds(int64_t bytes) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * bytes));
#else
  (void)bytes;
#endif
}

void KeepHeapPad(int64_t bytes) {
#ifdef __GLIBC__
  mallopt(M_TOP_PAD, static_cast<int>(bytes));
#else
  (void)bytes;
#endif
}

int64_t HeapPadFor(int64_t input_bytes) {
  return std::clamp<int64_t>(input_bytes / 16, int64_t{128} << 10, int64_t{64} << 20);
}

void ReleaseFreeHeap() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

void UseBuilderMallocPolicy(const std::vector<std::string>& inputs) {
  FixMallocThresholds(int64_t{128} << 10);
  int64_t bytes = 0;
  for (const std::string& path : inputs) bytes += IsRegularFile(path) ? FileSize(path) : 0;
  KeepHeapPad(HeapPadFor(bytes));
}

}  // namespace melograph
