// Clocks and sleeping. The sandbox has no vDSO, so every clock read of the
// application arrives here. Sleeps block the task's sentry thread and end
// early when a signal must be handled (restart rules as Linux: relative
// sleeps continue through restart_syscall, absolute ones restart as they
// were).
#include "sentry/syscalls/sys_time.h"

#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <climits>

#include "abi/linux/errno.h"
#include "abi/linux/time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

// A CPU clock id made by MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK
// (clock_getcpuclockid, pthread_getcpuclockid): its CPUCLOCK_WHICH
// (PROF, VIRT, SCHED), or -1 when it is not one the sandbox offers. Only
// the caller's own process and threads are offered (pid 0 means self).
int CpuClockWhich(Task& t, int id) {
  if (id >= 0) return -1;
  const pid_t pid = ~(id >> 3);
  const bool thread = id & 4;
  const int which = id & 3;
  if (which == 3) return -1;  // CPUCLOCK_MAX, or a clock fd
  if (pid == 0) return which;
  std::shared_ptr<Task> owner = t.kernel().FindTask(pid);
  if (!owner || &owner->thread_group() != &t.thread_group()) return -1;
  if (!thread && pid != t.thread_group().tgid()) return -1;
  return which;
}

// Clock ids Linux accepts (include/uapi/linux/time.h).
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
  const int cpu_which = CpuClockWhich(t, id);
  if (!ValidClock(id) && cpu_which < 0) return -EINVAL;
  int host_id = id;
  if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ||
      cpu_which >= 0) {
    // The application's CPU time is the stub process's, not the sentry's:
    // the host's per-process CPU clock (MAKE_PROCESS_CPUCLOCK(pid, which));
    // thread clocks count the whole process.
    const pid_t pid = t.mm().address_space().StubPid();
    host_id = static_cast<int>((~static_cast<unsigned>(pid) << 3) |
                               (cpu_which >= 0 ? cpu_which : 2));
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

// A relative sleep until `end` (hrtimer_nanosleep() / do_nanosleep()).
// Interrupted, it writes the time left to `rem_addr` (if any) and returns
// -ERESTART_RESTARTBLOCK: a handler then sees EINTR; otherwise (no handler,
// a stop) restart_syscall(2) continues to the same end.
template <typename Ts>
int64_t SleepRelative(Task& t, absl::Time end, uint64_t rem_addr) {
  if (t.SleepUntil(end) == 0) return 0;
  const absl::Duration left = end - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  if (rem_addr) {
    const int64_t ns = absl::ToInt64Nanoseconds(left);
    Ts rem;
    rem.tv_sec = ns / uapi::kNanosPerSecond;
    rem.tv_nsec = ns % uapi::kNanosPerSecond;
    if (t.CopyOutObj(rem_addr, rem) < 0) return -EFAULT;
  }
  t.restart_block = [end, rem_addr](Task& t) {
    return SleepRelative<Ts>(t, end, rem_addr);
  };
  return -uapi::kERESTART_RESTARTBLOCK;
}

// clock_nanosleep(2) on a wall clock; `Ts` is the caller's timespec.
template <typename Ts>
int64_t ClockNanosleep(Task& t, const SyscallArgs& a) {
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
  Ts req;
  if (t.CopyInObj(a.Ptr(2), &req) < 0) return -EFAULT;
  if (int64_t r = ValidateTimespec(req.tv_sec, req.tv_nsec); r < 0) return r;
  const absl::Duration d = absl::Seconds(req.tv_sec) + absl::Nanoseconds(req.tv_nsec);
  if (!(flags & TIMER_ABSTIME)) {
    return SleepRelative<Ts>(t, absl::Now() + d, a.Ptr(3));
  }
  // An absolute time on `clock`, turned into a sentry deadline. An
  // interrupted absolute sleep restarts with the same arguments.
  timespec now;
  clock_gettime(clock, &now);
  const absl::Time end =
      absl::Now() + (d - absl::Seconds(now.tv_sec) - absl::Nanoseconds(now.tv_nsec));
  return t.SleepUntil(end) == 0 ? 0 : -uapi::kERESTARTNOHAND;
}

template <typename Ts>
int64_t Nanosleep(Task& t, const SyscallArgs& a) {
  Ts req;
  if (t.CopyInObj(a.Ptr(0), &req) < 0) return -EFAULT;
  if (int64_t r = ValidateTimespec(req.tv_sec, req.tv_nsec); r < 0) return r;
  const absl::Time end =
      absl::Now() + absl::Seconds(req.tv_sec) + absl::Nanoseconds(req.tv_nsec);
  return SleepRelative<Ts>(t, end, a.Ptr(1));
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

static int64_t GetRes(Task& t, int id, timespec* ts) {
  if (CpuClockWhich(t, id) >= 0) {
    *ts = {0, 1};
    return 0;
  }
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
  if (int64_t r = GetRes(t, a.Int(0), &ts); r < 0) return r;
  if (a.Ptr(1) == 0) return 0;
  uapi::Timespec out{ts.tv_sec, ts.tv_nsec};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

int64_t SysClockGetres32(Task& t, const SyscallArgs& a) {
  timespec ts;
  if (int64_t r = GetRes(t, a.Int(0), &ts); r < 0) return r;
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
  return Nanosleep<uapi::Timespec>(t, a);
}

int64_t SysNanosleep32(Task& t, const SyscallArgs& a) {
  return Nanosleep<uapi::Timespec32>(t, a);
}

int64_t SysClockNanosleep(Task& t, const SyscallArgs& a) {
  return ClockNanosleep<uapi::Timespec>(t, a);
}

int64_t SysClockNanosleep32(Task& t, const SyscallArgs& a) {
  return ClockNanosleep<uapi::Timespec32>(t, a);
}

}  // namespace sentry
