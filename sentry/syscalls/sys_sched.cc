#include "sentry/syscalls/sys_sched.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "abi/linux/resource.h"
#include "abi/linux/time.h"
#include "sentry/kernel/cpu_time.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

// The scheduling policies of sched(7).
constexpr int kSchedOther = 0, kSchedFifo = 1, kSchedRr = 2, kSchedBatch = 3,
              kSchedIdle = 5, kSchedDeadline = 6;
constexpr int kSchedResetOnFork = 0x40000000;

// The process a pid names for these calls: 0 is the caller; threads of
// other processes are found by their tid.
std::shared_ptr<ThreadGroup> Target(Task& t, pid_t pid) {
  if (pid == 0) return t.shared_thread_group();
  if (auto task = t.kernel().FindTask(pid)) return task->shared_thread_group();
  return nullptr;
}

int64_t ToTimeval(int64_t ns, uapi::Timeval* tv) {
  tv->tv_sec = ns / 1'000'000'000;
  tv->tv_usec = (ns % 1'000'000'000) / 1000;
  return 0;
}

}  // namespace

int64_t SysSchedSetaffinity(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -ESRCH;
  if (!Target(t, a.Int(0))) return -ESRCH;
  const uint64_t len = std::min<uint64_t>(a.Size(1), 8192);
  std::vector<uint8_t> mask(len);
  if (len && t.CopyIn(a.Ptr(2), mask.data(), len) < 0) return -EFAULT;
  // The mask must name at least one CPU this machine has: the host decides
  // that, checking it against the sentry thread's own set without changing
  // it (the sandbox's threads are not pinned).
  cpu_set_t host;
  if (sched_getaffinity(0, sizeof(host), &host) != 0) return -errno;
  for (uint64_t i = 0; i < len * 8 && i < CPU_SETSIZE; i++) {
    if ((mask[i / 8] >> (i % 8) & 1) && CPU_ISSET(i, &host)) return 0;
  }
  return -EINVAL;
}

int64_t SysSchedGetscheduler(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EINVAL;
  std::shared_ptr<ThreadGroup> tg = Target(t, a.Int(0));
  if (!tg) return -ESRCH;
  return tg->sched_policy();
}

int64_t SysSchedSetscheduler(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EINVAL;
  const int policy = a.Int(1) & ~kSchedResetOnFork;
  int32_t prio;
  if (!a.Ptr(2)) return -EINVAL;
  if (t.CopyInObj(a.Ptr(2), &prio) < 0) return -EFAULT;
  std::shared_ptr<ThreadGroup> tg = Target(t, a.Int(0));
  if (!tg) return -ESRCH;
  switch (policy) {
    case kSchedOther:
    case kSchedBatch:
    case kSchedIdle:
      if (prio != 0) return -EINVAL;
      // Recorded (the host runs every stub at SCHED_OTHER).
      tg->set_sched_policy(a.Int(1));
      return 0;
    case kSchedFifo:
    case kSchedRr:
      if (prio < 1 || prio > 99) return -EINVAL;
      // Real-time scheduling would need the host's CAP_SYS_NICE for the
      // stub; the sandbox refuses it like an unprivileged process.
      return -EPERM;
    case kSchedDeadline:
      return -EINVAL;
  }
  return -EINVAL;
}

int64_t SysSchedGetparam(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0 || !a.Ptr(1)) return -EINVAL;
  if (!Target(t, a.Int(0))) return -ESRCH;
  const int32_t prio = 0;
  return t.CopyOutObj(a.Ptr(1), prio) < 0 ? -EFAULT : 0;
}

int64_t SysSchedSetparam(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0 || !a.Ptr(1)) return -EINVAL;
  int32_t prio;
  if (t.CopyInObj(a.Ptr(1), &prio) < 0) return -EFAULT;
  if (!Target(t, a.Int(0))) return -ESRCH;
  return prio == 0 ? 0 : -EINVAL;
}

int64_t SysSchedGetPriorityMax(Task&, const SyscallArgs& a) {
  switch (a.Int(0)) {
    case kSchedFifo:
    case kSchedRr:
      return 99;
    case kSchedOther:
    case kSchedBatch:
    case kSchedIdle:
    case kSchedDeadline:
      return 0;
  }
  return -EINVAL;
}

int64_t SysSchedGetPriorityMin(Task&, const SyscallArgs& a) {
  switch (a.Int(0)) {
    case kSchedFifo:
    case kSchedRr:
      return 1;
    case kSchedOther:
    case kSchedBatch:
    case kSchedIdle:
    case kSchedDeadline:
      return 0;
  }
  return -EINVAL;
}

int64_t SysSchedRrGetInterval(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EINVAL;
  if (!Target(t, a.Int(0))) return -ESRCH;
  // SCHED_OTHER tasks report 0 (no fixed slice), as CFS does.
  uapi::Timespec ts{0, 0};
  return t.CopyOutObj(a.Ptr(1), ts) < 0 ? -EFAULT : 0;
}

int64_t SysGetpriority(Task& t, const SyscallArgs& a) {
  const int which = a.Int(0);
  const int who = a.Int(1);
  if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
    return -EINVAL;
  if (which != PRIO_PROCESS) return 20 - t.thread_group().nice();
  auto tg = Target(t, who);
  if (!tg) return -ESRCH;
  // The syscall returns 20 - nice so the result is never negative.
  return 20 - tg->nice();
}

int64_t SysSetpriority(Task& t, const SyscallArgs& a) {
  const int which = a.Int(0);
  const int who = a.Int(1);
  if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
    return -EINVAL;
  int nice = a.Int(2);
  nice = std::max(-20, std::min(19, nice));
  std::shared_ptr<ThreadGroup> tg =
      which == PRIO_PROCESS ? Target(t, who) : t.shared_thread_group();
  if (!tg) return -ESRCH;
  // Raising priority needs CAP_SYS_NICE (the sandbox's root has it).
  if (nice < tg->nice() && !t.thread_group().creds().HasCap(kCapSysNice))
    return -EACCES;
  tg->set_nice(nice);
  return 0;
}

namespace {

// getrusage(2)'s answer for `who`, or -EINVAL.
int64_t CollectRusage(Task& t, int who, uapi::Rusage* ru) {
  *ru = uapi::Rusage{};
  ThreadGroup& tg = t.thread_group();
  if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
    CpuTimes c = HostProcessTimes(t.mm().address_space().StubPid());
    ToTimeval(c.user_ns, &ru->ru_utime);
    ToTimeval(c.sys_ns, &ru->ru_stime);
    ru->ru_maxrss = c.maxrss_kb;
  } else if (who == RUSAGE_CHILDREN) {
    absl::MutexLock l(&t.kernel().tree_mu());
    ToTimeval(tg.children_utime_ns, &ru->ru_utime);
    ToTimeval(tg.children_stime_ns, &ru->ru_stime);
    ru->ru_maxrss = tg.children_maxrss_kb;
  } else {
    return -EINVAL;
  }
  return 0;
}

// times(2)'s structure (clock ticks) and return value.
int64_t CollectTimes(Task& t, uapi::Tms* tms) {
  const int64_t tick = 1'000'000'000 / uapi::kUserHz;
  CpuTimes c = HostProcessTimes(t.mm().address_space().StubPid());
  *tms = uapi::Tms{};
  tms->tms_utime = c.user_ns / tick;
  tms->tms_stime = c.sys_ns / tick;
  {
    absl::MutexLock l(&t.kernel().tree_mu());
    tms->tms_cutime = t.thread_group().children_utime_ns / tick;
    tms->tms_cstime = t.thread_group().children_stime_ns / tick;
  }
  // Clock ticks since an arbitrary point (boot, on Linux).
  struct tms dummy;
  return static_cast<int64_t>(::times(&dummy));
}

uapi::Timeval32 ToTimeval32(const uapi::Timeval& tv) {
  return {static_cast<int32_t>(tv.tv_sec), static_cast<int32_t>(tv.tv_usec)};
}

}  // namespace

int64_t SysGetrusage(Task& t, const SyscallArgs& a) {
  uapi::Rusage ru;
  if (int64_t r = CollectRusage(t, a.Int(0), &ru); r < 0) return r;
  return t.CopyOutObj(a.Ptr(1), ru) < 0 ? -EFAULT : 0;
}

// compat_sys_getrusage(): struct compat_rusage (32-bit fields).
int64_t SysGetrusageI386(Task& t, const SyscallArgs& a) {
  uapi::Rusage ru;
  if (int64_t r = CollectRusage(t, a.Int(0), &ru); r < 0) return r;
  return t.CopyOutObj(a.Ptr(1), Rusage32From(ru)) < 0 ? -EFAULT : 0;
}

uapi::Rusage32 Rusage32From(const uapi::Rusage& ru) {
  uapi::Rusage32 out{};
  out.ru_utime = ToTimeval32(ru.ru_utime);
  out.ru_stime = ToTimeval32(ru.ru_stime);
  out.ru_maxrss = static_cast<int32_t>(ru.ru_maxrss);
  out.ru_minflt = static_cast<int32_t>(ru.ru_minflt);
  out.ru_majflt = static_cast<int32_t>(ru.ru_majflt);
  out.ru_nvcsw = static_cast<int32_t>(ru.ru_nvcsw);
  out.ru_nivcsw = static_cast<int32_t>(ru.ru_nivcsw);
  return out;
}

int64_t SysTimes(Task& t, const SyscallArgs& a) {
  uapi::Tms tms;
  const int64_t ticks = CollectTimes(t, &tms);
  if (a.Ptr(0) && t.CopyOutObj(a.Ptr(0), tms) < 0) return -EFAULT;
  return ticks;
}

// compat_sys_times(): struct tms of 32-bit clock_t.
int64_t SysTimesI386(Task& t, const SyscallArgs& a) {
  uapi::Tms tms;
  const int64_t ticks = CollectTimes(t, &tms);
  if (a.Ptr(0)) {
    uapi::Tms32 out{static_cast<int32_t>(tms.tms_utime),
                    static_cast<int32_t>(tms.tms_stime),
                    static_cast<int32_t>(tms.tms_cutime),
                    static_cast<int32_t>(tms.tms_cstime)};
    if (t.CopyOutObj(a.Ptr(0), out) < 0) return -EFAULT;
  }
  return ticks;
}

int64_t SysPersonality(Task& t, const SyscallArgs& a) {
  // Linux stores any value and returns the old one; 0xffffffff queries.
  // The flags only matter to the loader (ADDR_NO_RANDOMIZE: the sandbox
  // does not randomize anyway).
  const uint32_t persona = a.UInt(0);
  const uint32_t old = t.thread_group().personality();
  if (persona != 0xffffffffu) t.thread_group().set_personality(persona);
  return old;
}

}  // namespace sentry
