#include "sentry/kernel/cpu_time.h"

#include <time.h>

#include <cstdio>
#include <cstring>

namespace sentry {

namespace {

// MAKE_PROCESS_CPUCLOCK(pid, clock): the host's per-process CPU clocks.
clockid_t ProcessClock(pid_t pid, int which) {
  return static_cast<clockid_t>((~static_cast<unsigned>(pid) << 3) | which);
}
constexpr int kCpuClockProf = 0;  // user + system
constexpr int kCpuClockVirt = 1;  // user

int64_t Read(clockid_t id) {
  timespec ts;
  if (clock_gettime(id, &ts) != 0) return 0;
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

}  // namespace

CpuTimes HostProcessTimes(pid_t pid) {
  CpuTimes t;
  if (pid <= 0) return t;
  const int64_t prof = Read(ProcessClock(pid, kCpuClockProf));
  t.user_ns = Read(ProcessClock(pid, kCpuClockVirt));
  t.sys_ns = prof > t.user_ns ? prof - t.user_ns : 0;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/status", pid);
  if (FILE* f = fopen(path, "re")) {
    char line[256];
    while (fgets(line, sizeof(line), f)) {
      long long kb;
      if (sscanf(line, "VmHWM: %lld kB", &kb) == 1) t.maxrss_kb = kb;
    }
    fclose(f);
  }
  return t;
}

}  // namespace sentry
