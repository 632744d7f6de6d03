// Clocks and sleeping. The sandbox has no vDSO, so every clock read of the
// application arrives here.
#include "sentry/syscalls/sys_time.h"

#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <climits>

#include "abi/linux/time.h"
#include "sentry/kernel/task.h"

namespace sentry {

namespace {

// Clock ids Linux accepts (include/uapi/linux/time.h); CPU-time clocks of
// other processes (negative ids) are not offered yet.
bool ValidClock(int id) {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
    case CLOCK_TAI:
      return true;
  }
  return false;
}

// Reads clock `id` as the application sees it.
int64_t ReadClock(Task& t, int id, timespec* ts) {
  if (!ValidClock(id)) return -EINVAL;
  int host_id = id;
  if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID) {
    // The application's CPU time is the stub process's, not the sentry's:
    // the host's per-process CPU clock (MAKE_PROCESS_CPUCLOCK(pid, SCHED)).
    const pid_t pid = t.mm().address_space().StubPid();
    host_id = static_cast<int>((~static_cast<unsigned>(pid) << 3) | 2);
  } else if (id == CLOCK_REALTIME_ALARM) {
    host_id = CLOCK_REALTIME;
  } else if (id == CLOCK_BOOTTIME_ALARM) {
    host_id = CLOCK_BOOTTIME;
  }
  if (clock_gettime(host_id, ts) < 0) return -errno;
  return 0;
}

int64_t ValidateTimespec(int64_t sec, int64_t nsec) {
  if (sec < 0 || nsec < 0 || nsec >= uapi::kNanosPerSecond) return -EINVAL;
  return 0;
}

// Sleeps on `clock` until `req` (relative unless `abstime`); on return the
// remaining time is in *rem when asked for. Not interruptible yet.
int64_t Sleep(int clock, bool abstime, timespec req) {
  while (clock_nanosleep(clock, abstime ? TIMER_ABSTIME : 0, &req, &req) ==
         EINTR) {
  }
  return 0;
}

}  // namespace

int64_t SysClockGettime(Task& t, const SyscallArgs& a) {
  timespec ts;
  if (int64_t r = ReadClock(t, a.Int(0), &ts); r < 0) return r;
  uapi::Timespec out{ts.tv_sec, ts.tv_nsec};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

int64_t SysClockGettime32(Task& t, const SyscallArgs& a) {
  timespec ts;
  if (int64_t r = ReadClock(t, a.Int(0), &ts); r < 0) return r;
  uapi::Timespec32 out{static_cast<int32_t>(ts.tv_sec),
                      static_cast<int32_t>(ts.tv_nsec)};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

static int64_t GetRes(int id, timespec* ts) {
  if (!ValidClock(id)) return -EINVAL;
  if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ||
      id == CLOCK_REALTIME_ALARM || id == CLOCK_BOOTTIME_ALARM) {
    *ts = {0, 1};
    return 0;
  }
  return clock_getres(id, ts) < 0 ? -errno : 0;
}

int64_t SysClockGetres(Task& t, const SyscallArgs& a) {
  timespec ts;
  if (int64_t r = GetRes(a.Int(0), &ts); r < 0) return r;
  if (a.Ptr(1) == 0) return 0;
  uapi::Timespec out{ts.tv_sec, ts.tv_nsec};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

int64_t SysClockGetres32(Task& t, const SyscallArgs& a) {
  timespec ts;
  if (int64_t r = GetRes(a.Int(0), &ts); r < 0) return r;
  if (a.Ptr(1) == 0) return 0;
  uapi::Timespec32 out{static_cast<int32_t>(ts.tv_sec),
                      static_cast<int32_t>(ts.tv_nsec)};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

int64_t SysGettimeofday(Task& t, const SyscallArgs& a) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (a.Ptr(0)) {
    uapi::Timeval tv{ts.tv_sec, ts.tv_nsec / 1000};
    if (t.CopyOutObj(a.Ptr(0), tv) < 0) return -EFAULT;
  }
  if (a.Ptr(1)) {
    uapi::Timezone tz{0, 0};
    if (t.CopyOutObj(a.Ptr(1), tz) < 0) return -EFAULT;
  }
  return 0;
}

int64_t SysGettimeofday32(Task& t, const SyscallArgs& a) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (a.Ptr(0)) {
    uapi::Timeval32 tv{static_cast<int32_t>(ts.tv_sec),
                      static_cast<int32_t>(ts.tv_nsec / 1000)};
    if (t.CopyOutObj(a.Ptr(0), tv) < 0) return -EFAULT;
  }
  if (a.Ptr(1)) {
    uapi::Timezone tz{0, 0};
    if (t.CopyOutObj(a.Ptr(1), tz) < 0) return -EFAULT;
  }
  return 0;
}

int64_t SysTime(Task& t, const SyscallArgs& a) {
  const int64_t now = ::time(nullptr);
  if (a.Ptr(0) && t.CopyOutObj(a.Ptr(0), now) < 0) return -EFAULT;
  return now;
}

int64_t SysTime32(Task& t, const SyscallArgs& a) {
  const int32_t now = static_cast<int32_t>(::time(nullptr));
  if (a.Ptr(0) && t.CopyOutObj(a.Ptr(0), now) < 0) return -EFAULT;
  return now;
}

int64_t SysNanosleep(Task& t, const SyscallArgs& a) {
  uapi::Timespec req;
  if (t.CopyInObj(a.Ptr(0), &req) < 0) return -EFAULT;
  if (int64_t r = ValidateTimespec(req.tv_sec, req.tv_nsec); r < 0) return r;
  return Sleep(CLOCK_MONOTONIC, false, timespec{req.tv_sec, req.tv_nsec});
}

int64_t SysNanosleep32(Task& t, const SyscallArgs& a) {
  uapi::Timespec32 req;
  if (t.CopyInObj(a.Ptr(0), &req) < 0) return -EFAULT;
  if (int64_t r = ValidateTimespec(req.tv_sec, req.tv_nsec); r < 0) return r;
  return Sleep(CLOCK_MONOTONIC, false, timespec{req.tv_sec, req.tv_nsec});
}

int64_t SysClockNanosleep(Task& t, const SyscallArgs& a) {
  const int clock = a.Int(0);
  const int flags = a.Int(1);
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      break;
    case CLOCK_THREAD_CPUTIME_ID:
      return -EINVAL;
    default:
      return ValidClock(clock) ? -ENOTSUP : -EINVAL;
  }
  uapi::Timespec req;
  if (t.CopyInObj(a.Ptr(2), &req) < 0) return -EFAULT;
  if (int64_t r = ValidateTimespec(req.tv_sec, req.tv_nsec); r < 0) return r;
  return Sleep(clock, flags & TIMER_ABSTIME, timespec{req.tv_sec, req.tv_nsec});
}

}  // namespace sentry
