// CPU time of application code: the host's accounting of the stub process
// the application runs in (the sentry's own time is not the application's).
#ifndef SENTRY_KERNEL_CPU_TIME_H_
#define SENTRY_KERNEL_CPU_TIME_H_

#include <sys/types.h>

#include <cstdint>

namespace sentry {

struct CpuTimes {
  int64_t user_ns = 0;
  int64_t sys_ns = 0;
  int64_t maxrss_kb = 0;
};

// Reads the times of host process `pid` (0 when it is gone).
CpuTimes HostProcessTimes(pid_t pid);

}  // namespace sentry

#endif  // SENTRY_KERNEL_CPU_TIME_H_
