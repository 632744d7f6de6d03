// Process identity, exit, limits, scheduling and the recorded parts of
// signal state.
#include "sentry/syscalls/sys_process.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "abi/linux/resource.h"
#include "abi/linux/signal.h"
#include "abi/linux/sysinfo.h"
#include "abi/linux/utsname.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timers.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

// arch_prctl(2) codes (arch/x86/include/uapi/asm/prctl.h).
constexpr int kArchSetGs = 0x1001;
constexpr int kArchSetFs = 0x1002;
constexpr int kArchGetFs = 0x1003;
constexpr int kArchGetGs = 0x1004;
constexpr int kArchGetCpuid = 0x1011;
constexpr int kArchSetCpuid = 0x1012;
constexpr uint64_t kTaskSizeMax = 0x7ffffffff000ULL;

// fs.nr_open: the largest RLIMIT_NOFILE Linux accepts by default.
constexpr uint64_t kNrOpen = 1 << 20;

bool IsOwnPid(Task& t, int pid) {
  return pid == 0 || pid == t.thread_group().tgid() || pid == t.tid();
}

}  // namespace

int64_t SysExit(Task& t, const SyscallArgs& a) {
  t.Exit(W_EXITCODE(a.Int(0) & 0xff, 0));
  return 0;
}

int64_t SysExitGroup(Task& t, const SyscallArgs& a) {
  t.ExitGroup(W_EXITCODE(a.Int(0) & 0xff, 0));
  return 0;
}

int64_t SysGetpid(Task& t, const SyscallArgs&) {
  return t.thread_group().tgid();
}
int64_t SysGettid(Task& t, const SyscallArgs&) { return t.tid(); }
int64_t SysGetppid(Task& t, const SyscallArgs&) {
  return t.thread_group().ppid();
}

int64_t SysGetpgrp(Task& t, const SyscallArgs&) {
  return t.thread_group().pgid();
}

static std::shared_ptr<ThreadGroup> ProcessOf(Task& t, pid_t pid) {
  if (pid == 0) return t.shared_thread_group();
  auto tg = t.kernel().FindThreadGroup(pid);
  if (!tg || tg->StateChar() == 'X') return nullptr;
  return tg;
}

int64_t SysGetpgid(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -ESRCH;
  auto tg = ProcessOf(t, a.Int(0));
  return tg ? tg->pgid() : -ESRCH;
}

int64_t SysGetsid(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -ESRCH;
  auto tg = ProcessOf(t, a.Int(0));
  return tg ? tg->sid() : -ESRCH;
}

int64_t SysSetpgid(Task& t, const SyscallArgs& a) {
  // setpgid(2) rules (kernel/sys.c): the target is the caller or one of its
  // children in the same session that has not exec'ed (not tracked: allowed);
  // a session leader cannot move; the group must exist in the session.
  Kernel& k = t.kernel();
  const pid_t pid_arg = a.Int(0);
  const pid_t pgid_arg = a.Int(1);
  if (pgid_arg < 0) return -EINVAL;
  absl::MutexLock l(&k.tree_mu());
  ThreadGroup& self = t.thread_group();
  ThreadGroup* target = &self;
  if (pid_arg != 0 && pid_arg != self.tgid()) {
    auto tg = k.FindThreadGroupLocked(pid_arg);
    if (!tg || tg->parent != &self) return -ESRCH;
    if (tg->sid_ != self.sid_) return -EPERM;
    target = tg.get();
  }
  const pid_t pgid = pgid_arg ? pgid_arg : target->tgid();
  if (target->sid_ == target->tgid()) return -EPERM;  // session leader
  if (pgid != target->tgid()) {
    bool found = false;
    for (auto& tg : k.ThreadGroupsLocked()) {
      if (tg->pgid_ == pgid && tg->sid_ == self.sid_ &&
          tg->state == ThreadGroup::State::kRunning) {
        found = true;
        break;
      }
    }
    if (!found) return -EPERM;
  }
  target->pgid_ = pgid;
  return 0;
}

int64_t SysSetsid(Task& t, const SyscallArgs&) {
  Kernel& k = t.kernel();
  absl::MutexLock l(&k.tree_mu());
  ThreadGroup& self = t.thread_group();
  // A process group leader cannot start a session (the group would be
  // split across sessions).
  for (auto& tg : k.ThreadGroupsLocked()) {
    if (tg->pgid_ == self.tgid() && tg->state != ThreadGroup::State::kDead)
      return -EPERM;
  }
  self.pgid_ = self.tgid();
  self.sid_ = self.tgid();
  return self.tgid();
}

int64_t SysSetTidAddress(Task& t, const SyscallArgs& a) {
  t.clear_child_tid = a.Ptr(0);
  return t.tid();
}

int64_t SysSetRobustList(Task& t, const SyscallArgs& a) {
  // struct robust_list_head is three pointers on x86-64.
  if (a.Size(1) != 24) return -EINVAL;
  t.robust_list = a.Ptr(0);
  t.robust_list_len = a.Size(1);
  return 0;
}

int64_t SysGetRobustList(Task& t, const SyscallArgs& a) {
  if (!IsOwnPid(t, a.Int(0))) return -ESRCH;
  if (t.CopyOutObj(a.Ptr(1), t.robust_list) < 0) return -EFAULT;
  uint64_t len = 24;
  if (t.CopyOutObj(a.Ptr(2), len) < 0) return -EFAULT;
  return 0;
}

int64_t SysArchPrctl(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a.U64(1);
  switch (a.Int(0)) {
    case kArchSetFs:
      if (addr >= kTaskSizeMax) return -EPERM;
      t.ctx().MutableRegs().fs_base = addr;
      return 0;
    case kArchSetGs:
      if (addr >= kTaskSizeMax) return -EPERM;
      t.ctx().MutableRegs().gs_base = addr;
      return 0;
    case kArchGetFs: {
      uint64_t v = t.ctx().Regs().fs_base;
      return t.CopyOutObj(addr, v) < 0 ? -EFAULT : 0;
    }
    case kArchGetGs: {
      uint64_t v = t.ctx().Regs().gs_base;
      return t.CopyOutObj(addr, v) < 0 ? -EFAULT : 0;
    }
    case kArchGetCpuid:
      return 1;  // CPUID is never faulting here.
    case kArchSetCpuid:
      return -ENODEV;  // as on CPUs without CPUID faulting
  }
  return -EINVAL;
}

static int64_t DoPrlimit(Task& t, int resource, const uapi::Rlimit* new_lim,
                         uapi::Rlimit* old_lim) {
  if (resource < 0 || resource >= kNumRlimits) return -EINVAL;
  ThreadGroup& tg = t.thread_group();
  uapi::Rlimit cur = tg.GetRlimit(resource);
  if (new_lim) {
    if (new_lim->cur > new_lim->max) return -EINVAL;
    if (resource == uapi::kRlimitNofile && new_lim->max > kNrOpen) return -EPERM;
  }
  if (old_lim) *old_lim = cur;
  if (new_lim) {
    tg.SetRlimit(resource, *new_lim);
    // update_rlimit_cpu(): the new limits take effect at once.
    if (resource == uapi::kRlimitCpu) t.kernel().timers().OnCpuLimitChange(t);
  }
  return 0;
}

int64_t SysPrlimit64(Task& t, const SyscallArgs& a) {
  if (!IsOwnPid(t, a.Int(0))) return -ESRCH;
  uapi::Rlimit nl, ol;
  if (a.Ptr(2) && t.CopyInObj(a.Ptr(2), &nl) < 0) return -EFAULT;
  int64_t r = DoPrlimit(t, a.Int(1), a.Ptr(2) ? &nl : nullptr,
                        a.Ptr(3) ? &ol : nullptr);
  if (r < 0) return r;
  if (a.Ptr(3) && t.CopyOutObj(a.Ptr(3), ol) < 0) return -EFAULT;
  return 0;
}

int64_t SysGetrlimit(Task& t, const SyscallArgs& a) {
  uapi::Rlimit ol;
  int64_t r = DoPrlimit(t, a.Int(0), nullptr, &ol);
  if (r < 0) return r;
  return t.CopyOutObj(a.Ptr(1), ol) < 0 ? -EFAULT : 0;
}

int64_t SysSetrlimit(Task& t, const SyscallArgs& a) {
  uapi::Rlimit nl;
  if (t.CopyInObj(a.Ptr(1), &nl) < 0) return -EFAULT;
  return DoPrlimit(t, a.Int(0), &nl, nullptr);
}

// i386 getrlimit (76, sys_old_getrlimit): both values clamped to
// 0x7fffffff, the infinity of the original 32-bit ABI.
int64_t SysOldGetrlimitI386(Task& t, const SyscallArgs& a) {
  uapi::Rlimit ol;
  int64_t r = DoPrlimit(t, a.Int(0), nullptr, &ol);
  if (r < 0) return r;
  auto clamp = [](uint64_t v) {
    return static_cast<uint32_t>(std::min<uint64_t>(v, uapi::kRlimOldInfinity32));
  };
  const uapi::Rlimit32 out{clamp(ol.cur), clamp(ol.max)};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

// ugetrlimit (191, compat_sys_getrlimit): values at or above 0xffffffff
// read as COMPAT_RLIM_INFINITY.
int64_t SysUgetrlimitI386(Task& t, const SyscallArgs& a) {
  uapi::Rlimit ol;
  int64_t r = DoPrlimit(t, a.Int(0), nullptr, &ol);
  if (r < 0) return r;
  auto clamp = [](uint64_t v) {
    return static_cast<uint32_t>(std::min<uint64_t>(v, uapi::kRlimInfinity32));
  };
  const uapi::Rlimit32 out{clamp(ol.cur), clamp(ol.max)};
  return t.CopyOutObj(a.Ptr(1), out) < 0 ? -EFAULT : 0;
}

// compat_sys_setrlimit(): COMPAT_RLIM_INFINITY means RLIM_INFINITY.
int64_t SysSetrlimitI386(Task& t, const SyscallArgs& a) {
  uapi::Rlimit32 in;
  if (t.CopyInObj(a.Ptr(1), &in) < 0) return -EFAULT;
  auto widen = [](uint32_t v) {
    return v == uapi::kRlimInfinity32 ? uapi::kRlimInfinity : uint64_t{v};
  };
  const uapi::Rlimit nl{widen(in.cur), widen(in.max)};
  return DoPrlimit(t, a.Int(0), &nl, nullptr);
}

int64_t SysSchedGetaffinity(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EINVAL;
  if (!IsOwnPid(t, a.Int(0))) return -ESRCH;
  const uint64_t len = a.Size(1);
  // The sentry runs on the same CPUs as the application: the host's answer
  // (and its checks on len) are Linux's.
  std::vector<uint8_t> mask(std::min<uint64_t>(len, 8192));
  long n = syscall(SYS_sched_getaffinity, 0, mask.size(), mask.data());
  if (n < 0) return -errno;
  if (t.CopyOut(a.Ptr(2), mask.data(), n) < 0) return -EFAULT;
  return n;
}

int64_t SysSchedYield(Task&, const SyscallArgs&) {
  sched_yield();
  return 0;
}

int64_t SysGetcpu(Task& t, const SyscallArgs& a) {
  unsigned cpu = 0, node = 0;
  if (syscall(SYS_getcpu, &cpu, &node, nullptr) < 0) return -errno;
  if (a.Ptr(0) && t.CopyOutObj(a.Ptr(0), cpu) < 0) return -EFAULT;
  if (a.Ptr(1) && t.CopyOutObj(a.Ptr(1), node) < 0) return -EFAULT;
  return 0;
}

int64_t SysUname(Task& t, const SyscallArgs& a) {
  const KernelConfig& c = t.kernel().config();
  struct utsname host;
  ::uname(&host);
  uapi::NewUtsname u;
  std::memset(&u, 0, sizeof(u));
  auto set = [](char* dst, const std::string& v) {
    std::strncpy(dst, v.c_str(), uapi::kUtsLen - 1);
  };
  set(u.sysname, "Linux");
  set(u.nodename, c.hostname);
  set(u.release, c.release.empty() ? host.release : c.release);
  set(u.version, c.version.empty() ? host.version : c.version);
  set(u.machine, "x86_64");
  set(u.domainname, "(none)");
  return t.CopyOutObj(a.Ptr(0), u) < 0 ? -EFAULT : 0;
}

int64_t SysGetrandom(Task& t, const SyscallArgs& a) {
  const unsigned flags = a.UInt(2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return -EINVAL;
  // Linux caps one call at MAX_RW_COUNT bytes.
  uint64_t len = std::min<uint64_t>(a.Size(1), 0x7ffff000);
  uint64_t done = 0;
  char buf[4096];
  while (done < len) {
    const uint64_t chunk = std::min<uint64_t>(len - done, sizeof(buf));
    ssize_t n = ::getrandom(buf, chunk, 0);
    if (n <= 0) break;
    if (t.CopyOut(a.Ptr(0) + done, buf, n) < 0) {
      return done ? static_cast<int64_t>(done) : -EFAULT;
    }
    done += n;
    if (done >= (1 << 20) && done < len) break;  // short reads are allowed
  }
  return static_cast<int64_t>(done);
}

int64_t SysPrctl(Task& t, const SyscallArgs& a) {
  ThreadGroup& tg = t.thread_group();
  Kernel& k = t.kernel();
  switch (a.Int(0)) {
    case PR_SET_NAME: {
      // The name is read as up to 16 bytes; a shorter string stops at
      // its NUL, a longer one is cut to 15.
      char buf[16] = {};
      uint64_t n = 0;
      for (; n < 15; n++) {
        if (t.CopyIn(a.Ptr(1) + n, &buf[n], 1) < 0) {
          if (n == 0) return -EFAULT;
          break;
        }
        if (buf[n] == 0) break;
      }
      tg.set_comm(std::string(buf, strnlen(buf, 15)));
      return 0;
    }
    case PR_GET_NAME: {
      char buf[16] = {};
      std::string c = tg.comm();
      std::memcpy(buf, c.data(), std::min<size_t>(c.size(), 15));
      return t.CopyOut(a.Ptr(1), buf, sizeof(buf)) < 0 ? -EFAULT : 0;
    }
    case PR_GET_DUMPABLE:
      return tg.dumpable() ? 1 : 0;
    case PR_SET_DUMPABLE:
      if (a.U64(1) > 1) return -EINVAL;
      tg.set_dumpable(a.U64(1) == 1);
      return 0;
    case PR_SET_NO_NEW_PRIVS:
      if (a.U64(1) != 1 || a.U64(2) || a.U64(3) || a.U64(4)) return -EINVAL;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (a.U64(1) || a.U64(2) || a.U64(3) || a.U64(4)) return -EINVAL;
      // The sandbox always runs with no_new_privs.
      return 1;
    case PR_GET_SECCOMP:
      return 0;
    case PR_SET_SECCOMP:
      // Nested seccomp filters are not offered: the errno of a kernel built
      // without CONFIG_SECCOMP_FILTER.
      return -EINVAL;
    case PR_CAPBSET_READ:
      return a.U64(1) <= kCapLastCap
                 ? ((tg.creds().cap_bounding >> a.U64(1)) & 1)
                 : -EINVAL;
    case PR_SET_PDEATHSIG: {
      if (a.U64(1) > static_cast<uint64_t>(uapi::kNumSignals)) return -EINVAL;
      absl::MutexLock l(&k.tree_mu());
      tg.pdeath_signal = static_cast<int>(a.U64(1));
      return 0;
    }
    case PR_GET_PDEATHSIG: {
      int32_t sig;
      {
        absl::MutexLock l(&k.tree_mu());
        sig = tg.pdeath_signal;
      }
      return t.CopyOutObj(a.Ptr(1), sig) < 0 ? -EFAULT : 0;
    }
    case PR_SET_CHILD_SUBREAPER: {
      absl::MutexLock l(&k.tree_mu());
      tg.child_subreaper = a.U64(1) != 0;
      return 0;
    }
    case PR_GET_CHILD_SUBREAPER: {
      int32_t v;
      {
        absl::MutexLock l(&k.tree_mu());
        v = tg.child_subreaper ? 1 : 0;
      }
      return t.CopyOutObj(a.Ptr(1), v) < 0 ? -EFAULT : 0;
    }
    case PR_SET_KEEPCAPS: {
      if (a.U64(1) > 1) return -EINVAL;
      Credentials c = tg.creds();
      c.keep_caps = a.U64(1) == 1;
      tg.set_creds(c);
      return 0;
    }
    case PR_GET_KEEPCAPS:
      return tg.creds().keep_caps ? 1 : 0;
  }
  return -EINVAL;
}

namespace {

uapi::Sysinfo CollectSysinfo(Task& t) {
  struct sysinfo host;
  uapi::Sysinfo s;
  std::memset(&s, 0, sizeof(s));
  if (::sysinfo(&host) < 0) return s;
  s.uptime = host.uptime;
  for (int i = 0; i < 3; i++) s.loads[i] = host.loads[i];
  s.totalram = host.totalram;
  s.freeram = host.freeram;
  s.sharedram = host.sharedram;
  s.bufferram = host.bufferram;
  s.totalswap = host.totalswap;
  s.freeswap = host.freeswap;
  s.procs = static_cast<uint16_t>(t.kernel().ThreadGroupIds().size());
  s.mem_unit = host.mem_unit;
  return s;
}

}  // namespace

int64_t SysSysinfo(Task& t, const SyscallArgs& a) {
  return t.CopyOutObj(a.Ptr(0), CollectSysinfo(t)) < 0 ? -EFAULT : 0;
}

// compat_sys_sysinfo(): when a memory size does not fit in 32 bits, the
// unit grows to the page size and every size shrinks to match.
int64_t SysSysinfoI386(Task& t, const SyscallArgs& a) {
  uapi::Sysinfo s = CollectSysinfo(t);
  if ((s.totalram >> 32) || (s.totalswap >> 32)) {
    int bits = 0;
    while (s.mem_unit < 4096) {
      s.mem_unit <<= 1;
      bits++;
    }
    for (uint64_t* v : {&s.totalram, &s.freeram, &s.sharedram, &s.bufferram,
                        &s.totalswap, &s.freeswap, &s.totalhigh, &s.freehigh}) {
      *v >>= bits;
    }
  }
  uapi::Sysinfo32 out;
  std::memset(&out, 0, sizeof(out));
  out.uptime = static_cast<int32_t>(s.uptime);
  for (int i = 0; i < 3; i++) out.loads[i] = static_cast<uint32_t>(s.loads[i]);
  out.totalram = static_cast<uint32_t>(s.totalram);
  out.freeram = static_cast<uint32_t>(s.freeram);
  out.sharedram = static_cast<uint32_t>(s.sharedram);
  out.bufferram = static_cast<uint32_t>(s.bufferram);
  out.totalswap = static_cast<uint32_t>(s.totalswap);
  out.freeswap = static_cast<uint32_t>(s.freeswap);
  out.procs = s.procs;
  out.totalhigh = static_cast<uint32_t>(s.totalhigh);
  out.freehigh = static_cast<uint32_t>(s.freehigh);
  out.mem_unit = s.mem_unit;
  return t.CopyOutObj(a.Ptr(0), out) < 0 ? -EFAULT : 0;
}

}  // namespace sentry
