#include "sentry/syscalls/sys_clone.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "abi/linux/resource.h"
#include "abi/linux/signal.h"
#include "abi/linux/wait.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/syscalls/sys_sched.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

namespace {

// struct clone_args (include/uapi/linux/sched.h), version 0 is 64 bytes.
struct CloneArgs3 {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
      stack_size, tls, set_tid, set_tid_size, cgroup;
};
static_assert(sizeof(CloneArgs3) == 88);
constexpr uint64_t kCloneArgsSizeVer0 = 64;

// execve(2) limits: MAX_ARG_STRLEN per string, and a cap on the count
// (MAX_ARG_STRINGS).
constexpr uint64_t kMaxArgStrlen = 32 * 4096;
constexpr int kMaxArgStrings = 0x7fffffff;

// execve's pointer arrays and strings usually sit packed together on the
// caller's stack: reading them through a window of up to one page makes
// most of them one copy per page instead of two per string (each copy is a
// host process_vm_readv).
class PageWindow {
 public:
  explicit PageWindow(Task& t) : t_(t) {}
  // Makes [addr, end of its page) the window. False if nothing there.
  bool Load(uint64_t addr) {
    const uint64_t n = 4096 - (addr & 4095);
    if (t_.CopyIn(addr, buf_, n) < 0) return false;
    base_ = addr;
    len_ = n;
    return true;
  }
  // The window's bytes from `addr` on, or nullptr if it does not cover it.
  const char* At(uint64_t addr, uint64_t* avail) const {
    if (len_ == 0 || addr < base_ || addr >= base_ + len_) return nullptr;
    *avail = base_ + len_ - addr;
    return buf_ + (addr - base_);
  }

 private:
  Task& t_;
  uint64_t base_ = 0;
  uint64_t len_ = 0;
  char buf_[4096];
};

int64_t CopyInStringArray(Task& t, uint64_t addr,
                          std::vector<std::string>* out) {
  out->clear();
  if (addr == 0) return 0;
  const bool i386 = t.current_syscall().arch == platform::Arch::kI386;
  const uint64_t width = i386 ? 4 : 8;
  uint64_t total = 0;
  PageWindow ptrs(t), strs(t);
  for (int i = 0; i < kMaxArgStrings; i++) {
    const uint64_t pa = addr + i * width;
    uint64_t p = 0, avail = 0;
    const char* w = ptrs.At(pa, &avail);
    if (!w || avail < width) {
      if ((pa & 4095) + width > 4096 || !ptrs.Load(pa)) {
        // A pointer straddling a page end, or nothing mapped there.
        if (t.CopyIn(pa, &p, width) < 0) return -EFAULT;
        w = nullptr;
      } else {
        w = ptrs.At(pa, &avail);
      }
    }
    if (w) std::memcpy(&p, w, width);
    if (p == 0) return 0;
    std::string s;
    const char* sw = strs.At(p, &avail);
    if (!sw && strs.Load(p)) sw = strs.At(p, &avail);
    const char* nul = sw ? static_cast<const char*>(std::memchr(sw, 0, avail))
                         : nullptr;
    if (nul) {
      if (static_cast<uint64_t>(nul - sw) > kMaxArgStrlen - 1) return -E2BIG;
      s.assign(sw, nul - sw);
    } else {
      // Longer than what is left of its page (or unreadable): the
      // general path.
      int64_t r = t.CopyInString(p, kMaxArgStrlen - 1, &s);
      if (r == -ENAMETOOLONG) return -E2BIG;
      if (r < 0) return r;
    }
    total += s.size() + 1 + width;
    // A quarter of the 8 MiB default stack, as the loader allows.
    if (total > (8u << 20) / 4) return -E2BIG;
    out->push_back(std::move(s));
  }
  return -E2BIG;
}

int64_t DoExecve(Task& t, uint64_t path_addr, uint64_t argv_addr,
                 uint64_t envp_addr) {
  std::string path;
  int64_t r = t.CopyInString(path_addr, 4095, &path);
  if (r < 0) return r;
  if (path.empty()) return -ENOENT;
  std::vector<std::string> argv, envp;
  if ((r = CopyInStringArray(t, argv_addr, &argv)) < 0) return r;
  if ((r = CopyInStringArray(t, envp_addr, &envp)) < 0) return r;
  return t.Execve(path, std::move(argv), std::move(envp));
}

struct WaitResult {
  pid_t pid = 0;
  int status = 0;
  int64_t utime_ns = 0, stime_ns = 0, maxrss_kb = 0;
  int code = 0;  // CLD_*
  int signo = 0;
};

// Which children a wait selects (do_wait()).
struct WaitSpec {
  enum Kind { kPid, kPgid, kAny } kind = kAny;
  pid_t id = 0;
  int options = 0;
};

bool Matches(const ThreadGroup& child, const WaitSpec& spec) {
  switch (spec.kind) {
    case WaitSpec::kPid:
      return child.tgid() == spec.id;
    case WaitSpec::kPgid:
      return child.pgid_ == spec.id;
    case WaitSpec::kAny:
      return true;
  }
  return false;
}

// A "clone child" (exit signal other than SIGCHLD) is only waited for with
// __WCLONE or __WALL, and the others only without __WCLONE.
bool ChildTypeMatches(const ThreadGroup& child, int options) {
  if (options & __WALL) return true;
  const bool clone_child = child.exit_signal != SIGCHLD;
  return clone_child == static_cast<bool>(options & __WCLONE);
}

int64_t DoWait(Task& t, const WaitSpec& spec, WaitResult* out) {
  Kernel& k = t.kernel();
  ThreadGroup& tg = t.thread_group();
  absl::MutexLock l(&k.tree_mu());
  for (;;) {
    bool any = false;
    for (ThreadGroup* child : tg.children) {
      if (!Matches(*child, spec) || !ChildTypeMatches(*child, spec.options))
        continue;
      any = true;
      if (child->state == ThreadGroup::State::kRunning &&
          (spec.options & WUNTRACED) && child->stop_report) {
        // WUNTRACED is WSTOPPED: report a stop once.
        out->pid = child->tgid();
        out->status = (child->stop_signal << 8) | 0x7f;
        out->code = CLD_STOPPED;
        out->signo = child->stop_signal;
        if (!(spec.options & WNOWAIT)) child->stop_report = false;
        return out->pid;
      }
      if (child->state == ThreadGroup::State::kRunning &&
          (spec.options & WCONTINUED) && child->continue_report) {
        out->pid = child->tgid();
        out->status = 0xffff;
        out->code = CLD_CONTINUED;
        out->signo = SIGCONT;
        if (!(spec.options & WNOWAIT)) child->continue_report = false;
        return out->pid;
      }
      if (child->state == ThreadGroup::State::kZombie &&
          (spec.options & WEXITED)) {
        out->pid = child->tgid();
        out->status = child->exit_status;
        // The dead child's own times plus those of its reaped children.
        out->utime_ns = child->final_utime_ns + child->children_utime_ns;
        out->stime_ns = child->final_stime_ns + child->children_stime_ns;
        out->maxrss_kb = std::max(child->final_maxrss_kb, child->children_maxrss_kb);
        if (WIFSIGNALED(out->status)) {
          out->code = WCOREDUMP(out->status) ? CLD_DUMPED : CLD_KILLED;
          out->signo = WTERMSIG(out->status);
        } else {
          out->code = CLD_EXITED;
          out->signo = WEXITSTATUS(out->status);
        }
        if (!(spec.options & WNOWAIT)) k.ReleaseLocked(*child);
        return out->pid;
      }
    }
    if (!any) return -ECHILD;
    if (spec.options & WNOHANG) return 0;
    int64_t r = t.Block(&k.tree_mu(), &k.tree_cv(), [&] {
      for (ThreadGroup* child : tg.children) {
        if (!Matches(*child, spec) || !ChildTypeMatches(*child, spec.options))
          continue;
        if (child->state == ThreadGroup::State::kZombie ||
            ((spec.options & WUNTRACED) && child->stop_report) ||
            ((spec.options & WCONTINUED) && child->continue_report))
          return true;
      }
      return false;
    });
    if (r < 0) return r;
  }
}

uapi::Rusage RusageOf(const WaitResult& r) {
  uapi::Rusage ru{};
  ru.ru_utime.tv_sec = r.utime_ns / 1'000'000'000;
  ru.ru_utime.tv_usec = (r.utime_ns % 1'000'000'000) / 1000;
  ru.ru_stime.tv_sec = r.stime_ns / 1'000'000'000;
  ru.ru_stime.tv_usec = (r.stime_ns % 1'000'000'000) / 1000;
  ru.ru_maxrss = r.maxrss_kb;
  return ru;
}

// `compat_rusage`: the rusage in the i386 layout (compat_sys_wait4).
int64_t Wait4Common(Task& t, pid_t pid, uint64_t status_addr, int options,
                    uint64_t rusage_addr, bool compat_rusage = false) {
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE |
                  __WALL))
    return -EINVAL;
  WaitSpec spec;
  spec.options = options | WEXITED;
  if (pid > 0) {
    spec.kind = WaitSpec::kPid;
    spec.id = pid;
  } else if (pid == 0) {
    spec.kind = WaitSpec::kPgid;
    spec.id = t.thread_group().pgid();
  } else if (pid == -1) {
    spec.kind = WaitSpec::kAny;
  } else {
    if (pid == INT32_MIN) return -ESRCH;
    spec.kind = WaitSpec::kPgid;
    spec.id = -pid;
  }
  WaitResult res;
  int64_t r = DoWait(t, spec, &res);
  if (r <= 0) return r;
  if (status_addr) {
    const int32_t st = res.status;
    if (t.CopyOutObj(status_addr, st) < 0) return -EFAULT;
  }
  if (rusage_addr) {
    const int64_t c =
        compat_rusage ? t.CopyOutObj(rusage_addr, Rusage32From(RusageOf(res)))
                      : t.CopyOutObj(rusage_addr, RusageOf(res));
    if (c < 0) return -EFAULT;
  }
  return r;
}

}  // namespace

int64_t SysClone(Task& t, const SyscallArgs& a) {
  // x86-64: clone(flags, stack, parent_tid, child_tid, tls).
  Task::CloneArgs c;
  c.flags = a.U64(0);
  c.stack = a.Ptr(1);
  c.parent_tid = a.Ptr(2);
  c.child_tid = a.Ptr(3);
  c.tls = a.U64(4);
  return t.Clone(c);
}

int64_t SysCloneI386(Task& t, const SyscallArgs& a) {
  // i386: clone(flags, stack, parent_tid, tls, child_tid).
  Task::CloneArgs c;
  c.flags = a.U64(0);
  c.stack = a.Ptr(1);
  c.parent_tid = a.Ptr(2);
  c.tls = a.U64(3);
  c.child_tid = a.Ptr(4);
  return t.Clone(c);
}

int64_t SysClone3(Task& t, const SyscallArgs& a) {
  const uint64_t size = a.Size(1);
  if (size < kCloneArgsSizeVer0) return -EINVAL;
  if (size > 4096) return -E2BIG;
  CloneArgs3 ca{};
  const uint64_t n = std::min<uint64_t>(size, sizeof(ca));
  if (t.CopyIn(a.Ptr(0), &ca, n) < 0) return -EFAULT;
  // Bytes beyond what we know must be zero (copy_struct_from_user()).
  if (size > sizeof(ca)) {
    std::vector<char> rest(size - sizeof(ca));
    if (t.CopyIn(a.Ptr(0) + sizeof(ca), rest.data(), rest.size()) < 0)
      return -EFAULT;
    for (char c : rest) {
      if (c) return -E2BIG;
    }
  }
  if (ca.flags & CSIGNAL) return -EINVAL;  // the signal has its own field
  if (ca.exit_signal & ~CSIGNAL) return -EINVAL;
  if (ca.set_tid || ca.set_tid_size) return -EINVAL;  // needs CAP_SYS_ADMIN
  if ((ca.stack == 0) != (ca.stack_size == 0)) return -EINVAL;
  Task::CloneArgs c;
  c.flags = ca.flags | ca.exit_signal;
  c.stack = ca.stack ? ca.stack + ca.stack_size : 0;
  c.parent_tid = ca.parent_tid;
  c.child_tid = ca.child_tid;
  c.tls = ca.tls;
  c.pidfd = ca.pidfd;
  return t.Clone(c);
}

int64_t SysFork(Task& t, const SyscallArgs&) {
  Task::CloneArgs c;
  c.flags = SIGCHLD;
  return t.Clone(c);
}

int64_t SysVfork(Task& t, const SyscallArgs&) {
  Task::CloneArgs c;
  c.flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
  return t.Clone(c);
}

int64_t SysExecve(Task& t, const SyscallArgs& a) {
  return DoExecve(t, a.Ptr(0), a.Ptr(1), a.Ptr(2));
}

int64_t SysExecveat(Task& t, const SyscallArgs& a) {
  const int dirfd = a.Int(0);
  const int flags = a.Int(4);
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return -EINVAL;
  std::string path;
  int64_t r = t.CopyInString(a.Ptr(1), 4095, &path);
  if (r < 0) return r;
  // Paths relative to a directory fd are not resolved by the loader yet.
  if (dirfd != AT_FDCWD && (path.empty() || path[0] != '/')) return -ENOSYS;
  if (flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return -ENOSYS;
  return DoExecve(t, a.Ptr(1), a.Ptr(2), a.Ptr(3));
}

int64_t SysWait4(Task& t, const SyscallArgs& a) {
  return Wait4Common(t, a.Int(0), a.Ptr(1), a.Int(2), a.Ptr(3));
}

int64_t SysWait4I386(Task& t, const SyscallArgs& a) {
  return Wait4Common(t, a.Int(0), a.Ptr(1), a.Int(2), a.Ptr(3),
                     /*compat_rusage=*/true);
}

int64_t SysWaitpidI386(Task& t, const SyscallArgs& a) {
  return Wait4Common(t, a.Int(0), a.Ptr(1), a.Int(2), 0);
}

namespace {

// waitid(2); `compat`: the siginfo and rusage in their i386 layouts.
int64_t DoWaitid(Task& t, const SyscallArgs& a, bool compat) {
  const int idtype = a.Int(0);
  const pid_t id = a.Int(1);
  const int options = a.Int(3);
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
                  __WNOTHREAD | __WCLONE | __WALL))
    return -EINVAL;
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  WaitSpec spec;
  spec.options = options;
  switch (idtype) {
    case P_ALL:
      spec.kind = WaitSpec::kAny;
      break;
    case P_PID:
      if (id <= 0) return -EINVAL;
      spec.kind = WaitSpec::kPid;
      spec.id = id;
      break;
    case P_PGID:
      if (id < 0) return -EINVAL;
      spec.kind = WaitSpec::kPgid;
      spec.id = id ? id : t.thread_group().pgid();
      break;
    case uapi::kPPidfd: {
      auto f = t.fds().Get(id);
      auto* pf = f ? dynamic_cast<PidFdFile*>(f.get()) : nullptr;
      if (!pf) return -EBADF;
      spec.kind = WaitSpec::kPid;
      spec.id = pf->pid();
      break;
    }
    default:
      return -EINVAL;
  }
  WaitResult res;
  int64_t r = DoWait(t, spec, &res);
  if (r < 0) return r;
  if (a.Ptr(2)) {
    uapi::Siginfo info{};
    uapi::Siginfo32 info32{};
    if (r > 0) {
      info.si_signo = info32.si_signo = SIGCHLD;
      info.si_code = info32.si_code = res.code;
      info.sigchld.pid = info32.sigchld.pid = res.pid;
      info.sigchld.uid = info32.sigchld.uid = t.kernel().config().uid;
      info.sigchld.status = info32.sigchld.status = res.signo;
    }
    const int64_t c = compat ? t.CopyOutObj(a.Ptr(2), info32)
                             : t.CopyOutObj(a.Ptr(2), info);
    if (c < 0) return -EFAULT;
  }
  if (a.Ptr(4)) {
    const int64_t c =
        compat ? t.CopyOutObj(a.Ptr(4), Rusage32From(RusageOf(res)))
               : t.CopyOutObj(a.Ptr(4), RusageOf(res));
    if (c < 0) return -EFAULT;
  }
  return 0;
}

}  // namespace

int64_t SysWaitid(Task& t, const SyscallArgs& a) { return DoWaitid(t, a, false); }

int64_t SysWaitidI386(Task& t, const SyscallArgs& a) { return DoWaitid(t, a, true); }


}  // namespace sentry
