#include "common/resource.h"

#include <chrono>
#include <cstdio>
#include <cstring>

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

}  // namespace melograph
