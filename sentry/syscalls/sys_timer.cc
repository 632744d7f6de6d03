// alarm(2), setitimer(2)/getitimer(2) (kernel/time/itimer.c) and POSIX
// timers (kernel/time/posix-timers.c): argument checks and layouts here,
// the timers in kernel/timers.cc.
#include "sentry/syscalls/sys_timer.h"

#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "abi/linux/signal.h"
#include "abi/linux/time.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/kernel/timers.h"

namespace sentry {

namespace {

constexpr int64_t kNsPerSec = uapi::kNanosPerSecond;
constexpr int kCapWakeAlarm = 35;

// sigev_notify values (include/uapi/asm-generic/siginfo.h).
constexpr int kSigevSignal = 0;
constexpr int kSigevNone = 1;
constexpr int kSigevThread = 2;
constexpr int kSigevThreadId = 4;

// struct sigevent (x86_64).
struct Sigevent {
  uapi::Sigval value;
  int32_t signo;
  int32_t notify;
  union {
    int32_t pad[12];
    int32_t tid;  // SIGEV_THREAD_ID
  };
};
static_assert(sizeof(Sigevent) == 64);
static_assert(offsetof(Sigevent, signo) == 8);
static_assert(offsetof(Sigevent, notify) == 12);
static_assert(offsetof(Sigevent, tid) == 16);

// struct compat_sigevent (i386).
struct Sigevent32 {
  uapi::Sigval32 value;
  int32_t signo;
  int32_t notify;
  union {
    int32_t pad[13];
    int32_t tid;
  };
};
static_assert(sizeof(Sigevent32) == 64);
static_assert(offsetof(Sigevent32, tid) == 12);

// ---------------------------------------------------------------------------
// Conversions

template <typename Tv>
bool ValidTimeval(const Tv& tv) {
  return tv.tv_sec >= 0 && tv.tv_usec >= 0 &&
         tv.tv_usec < uapi::kMicrosPerSecond;
}

template <typename Ts>
bool ValidTimespec(const Ts& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < kNsPerSec;
}

// Saturates at INT64_MAX ns (292 years) instead of overflowing.
int64_t ToNs(int64_t sec, int64_t nsec) {
  if (sec > (INT64_MAX - nsec) / kNsPerSec) return INT64_MAX;
  return sec * kNsPerSec + nsec;
}

template <typename Tv>
Tv ToTimeval(int64_t ns) {
  Tv tv;
  tv.tv_sec = ns / kNsPerSec;
  tv.tv_usec = (ns % kNsPerSec) / 1000;
  return tv;
}

template <typename Ts>
Ts ToTimespec(int64_t ns) {
  Ts ts;
  ts.tv_sec = ns / kNsPerSec;
  ts.tv_nsec = ns % kNsPerSec;
  return ts;
}

template <typename Itv>
Itv ToItimerval(const TimerSetting& s) {
  using Tv = decltype(Itv::it_value);
  Itv out;
  out.it_interval = ToTimeval<Tv>(s.interval_ns);
  out.it_value = ToTimeval<Tv>(s.value_ns);
  return out;
}

template <typename Its>
Its ToItimerspec(const TimerSetting& s) {
  using Ts = decltype(Its::it_value);
  Its out;
  out.it_interval = ToTimespec<Ts>(s.interval_ns);
  out.it_value = ToTimespec<Ts>(s.value_ns);
  return out;
}

// ---------------------------------------------------------------------------
// Interval timers

template <typename Itv>
int64_t Setitimer(Task& t, const SyscallArgs& a) {
  const int which = a.Int(0);
  TimerSetting set;
  if (a.Ptr(1)) {
    Itv in;
    if (t.CopyInObj(a.Ptr(1), &in) < 0) return -EFAULT;
    if (!ValidTimeval(in.it_value) || !ValidTimeval(in.it_interval)) {
      return -EINVAL;
    }
    set.value_ns = ToNs(in.it_value.tv_sec, in.it_value.tv_usec * 1000);
    set.interval_ns = ToNs(in.it_interval.tv_sec, in.it_interval.tv_usec * 1000);
  }
  // A null new value disarms the timer (Linux has accepted it since 2.6).
  if (which < TimerService::kItimerReal || which > TimerService::kItimerProf) {
    return -EINVAL;
  }
  TimerSetting old;
  t.kernel().timers().SetItimer(t, which, set, &old);
  if (a.Ptr(2) && t.CopyOutObj(a.Ptr(2), ToItimerval<Itv>(old)) < 0) {
    return -EFAULT;
  }
  return 0;
}

template <typename Itv>
int64_t Getitimer(Task& t, const SyscallArgs& a) {
  const int which = a.Int(0);
  if (which < TimerService::kItimerReal || which > TimerService::kItimerProf) {
    return -EINVAL;
  }
  const TimerSetting cur = t.kernel().timers().GetItimer(t, which);
  return t.CopyOutObj(a.Ptr(1), ToItimerval<Itv>(cur)) < 0 ? -EFAULT : 0;
}

// ---------------------------------------------------------------------------
// POSIX timers

// clockid_to_kclock() and its timer_create: -EINVAL for unknown clocks,
// -EOPNOTSUPP for clocks without timers.
int64_t DecodeTimerClock(Task& t, int clock, TimerClock* out) {
  if (clock < 0) {
    // A CPU clock made by MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK
    // (glibc turns CLOCK_PROCESS_CPUTIME_ID into pid 0's). Only the
    // caller's own process and threads are offered.
    const pid_t pid = ~(clock >> 3);
    const bool thread = clock & 4;
    const int which = clock & 3;
    if (which == 3) return -EINVAL;  // CPUCLOCK_MAX, or a clock fd
    if (pid != 0) {
      std::shared_ptr<Task> owner = t.kernel().FindTask(pid);
      if (!owner || &owner->thread_group() != &t.thread_group()) return -EINVAL;
      if (!thread && pid != t.thread_group().tgid()) return -EINVAL;
    }
    out->cpu = true;
    out->cpu_which = which;
    return 0;
  }
  switch (clock) {
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      out->cpu = true;
      out->cpu_which = 2;  // CPUCLOCK_SCHED
      return 0;
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      out->wall_id = clock;
      return 0;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      if (!t.thread_group().creds().HasCap(kCapWakeAlarm)) return -EPERM;
      out->wall_id = clock == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : CLOCK_BOOTTIME;
      return 0;
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
      return -EOPNOTSUPP;
  }
  return -EINVAL;
}

// good_sigevent().
int64_t DecodeSigevent(int32_t notify, int32_t signo, int32_t tid,
                       uapi::Sigval value, TimerNotify* out) {
  out->value = value;
  out->signo = signo;
  switch (notify) {
    case kSigevThreadId:
      out->kind = TimerNotify::Kind::kThread;
      out->tid = tid;
      break;
    case kSigevSignal:
    case kSigevThread:
      out->kind = TimerNotify::Kind::kProcess;
      break;
    case kSigevNone:
      out->kind = TimerNotify::Kind::kNone;
      return 0;
    default:
      return -EINVAL;
  }
  if (signo <= 0 || signo > uapi::kSigRtMax) return -EINVAL;
  return 0;
}

int64_t TimerCreate(Task& t, const TimerClock& clock,
                    const TimerNotify* notify, uint64_t id_addr) {
  TimerService& timers = t.kernel().timers();
  int64_t id;
  if (notify) {
    id = timers.Create(t, clock, *notify);
  } else {
    // No sigevent: SIGALRM to the process, with the timer id as value.
    TimerNotify def;
    def.kind = TimerNotify::Kind::kProcess;
    def.signo = SIGALRM;
    def.value_is_id = true;
    id = timers.Create(t, clock, def);
  }
  if (id < 0) return id;
  const int32_t out = static_cast<int32_t>(id);
  if (t.CopyOutObj(id_addr, out) < 0) {
    timers.Delete(t, out);
    return -EFAULT;
  }
  return 0;
}

template <typename Its>
int64_t TimerSettime(Task& t, const SyscallArgs& a) {
  if (!a.Ptr(2)) return -EINVAL;
  Its in;
  if (t.CopyInObj(a.Ptr(2), &in) < 0) return -EFAULT;
  if (!ValidTimespec(in.it_value) || !ValidTimespec(in.it_interval)) {
    return -EINVAL;
  }
  TimerSetting set;
  set.value_ns = ToNs(in.it_value.tv_sec, in.it_value.tv_nsec);
  set.interval_ns = ToNs(in.it_interval.tv_sec, in.it_interval.tv_nsec);
  TimerSetting old;
  int64_t r = t.kernel().timers().Settime(t, a.Int(0), a.Int(1) & TIMER_ABSTIME,
                                          set, &old);
  if (r < 0) return r;
  if (a.Ptr(3) && t.CopyOutObj(a.Ptr(3), ToItimerspec<Its>(old)) < 0) {
    return -EFAULT;
  }
  return 0;
}

template <typename Its>
int64_t TimerGettime(Task& t, const SyscallArgs& a) {
  TimerSetting cur;
  int64_t r = t.kernel().timers().Gettime(t, a.Int(0), &cur);
  if (r < 0) return r;
  return t.CopyOutObj(a.Ptr(1), ToItimerspec<Its>(cur)) < 0 ? -EFAULT : 0;
}

}  // namespace

int64_t SysAlarm(Task& t, const SyscallArgs& a) {
  TimerSetting set;
  set.value_ns = static_cast<int64_t>(a.UInt(0)) * kNsPerSec;
  TimerSetting old;
  t.kernel().timers().SetItimer(t, TimerService::kItimerReal, set, &old);
  // alarm_setitimer(): the seconds left, rounded to nearest, and never 0
  // for an alarm that is still pending.
  int64_t sec = old.value_ns / kNsPerSec;
  const int64_t usec = (old.value_ns % kNsPerSec) / 1000;
  if ((!sec && usec) || usec >= 500000) sec++;
  return sec;
}

int64_t SysSetitimer(Task& t, const SyscallArgs& a) {
  return Setitimer<uapi::Itimerval>(t, a);
}

int64_t SysGetitimer(Task& t, const SyscallArgs& a) {
  return Getitimer<uapi::Itimerval>(t, a);
}

int64_t SysSetitimerI386(Task& t, const SyscallArgs& a) {
  return Setitimer<uapi::Itimerval32>(t, a);
}

int64_t SysGetitimerI386(Task& t, const SyscallArgs& a) {
  return Getitimer<uapi::Itimerval32>(t, a);
}

int64_t SysTimerCreate(Task& t, const SyscallArgs& a) {
  Sigevent ev;
  if (a.Ptr(1) && t.CopyInObj(a.Ptr(1), &ev) < 0) return -EFAULT;
  TimerClock clock;
  if (int64_t r = DecodeTimerClock(t, a.Int(0), &clock); r < 0) return r;
  if (!a.Ptr(1)) return TimerCreate(t, clock, nullptr, a.Ptr(2));
  TimerNotify n;
  if (int64_t r = DecodeSigevent(ev.notify, ev.signo, ev.tid, ev.value, &n);
      r < 0) {
    return r;
  }
  return TimerCreate(t, clock, &n, a.Ptr(2));
}

int64_t SysTimerCreateI386(Task& t, const SyscallArgs& a) {
  Sigevent32 ev;
  if (a.Ptr(1) && t.CopyInObj(a.Ptr(1), &ev) < 0) return -EFAULT;
  TimerClock clock;
  if (int64_t r = DecodeTimerClock(t, a.Int(0), &clock); r < 0) return r;
  if (!a.Ptr(1)) return TimerCreate(t, clock, nullptr, a.Ptr(2));
  uapi::Sigval value;
  value.sival_ptr = ev.value.sival_ptr;
  TimerNotify n;
  if (int64_t r = DecodeSigevent(ev.notify, ev.signo, ev.tid, value, &n);
      r < 0) {
    return r;
  }
  return TimerCreate(t, clock, &n, a.Ptr(2));
}

int64_t SysTimerSettime(Task& t, const SyscallArgs& a) {
  return TimerSettime<uapi::Itimerspec>(t, a);
}

int64_t SysTimerSettimeI386(Task& t, const SyscallArgs& a) {
  return TimerSettime<uapi::Itimerspec32>(t, a);
}

int64_t SysTimerGettime(Task& t, const SyscallArgs& a) {
  return TimerGettime<uapi::Itimerspec>(t, a);
}

int64_t SysTimerGettimeI386(Task& t, const SyscallArgs& a) {
  return TimerGettime<uapi::Itimerspec32>(t, a);
}

int64_t SysTimerGetoverrun(Task& t, const SyscallArgs& a) {
  return t.kernel().timers().Getoverrun(t, a.Int(0));
}

int64_t SysTimerDelete(Task& t, const SyscallArgs& a) {
  return t.kernel().timers().Delete(t, a.Int(0));
}

}  // namespace sentry
