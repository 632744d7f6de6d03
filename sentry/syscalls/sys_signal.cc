// Signal syscalls (kernel/signal.c): rt_sigaction, rt_sigprocmask,
// rt_sigpending, rt_sigsuspend, pause, rt_sigtimedwait, kill, tkill, tgkill,
// rt_sigqueueinfo, rt_tgsigqueueinfo, sigaltstack, restart_syscall,
// signalfd/signalfd4.
#include "sentry/syscalls/sys_signal.h"

#include <fcntl.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "abi/linux/errno.h"
#include "abi/linux/signal.h"
#include "abi/linux/time.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

namespace {

constexpr int kCapKill = 5;

// The sa_flags bits Linux knows on x86 (UAPI_SA_FLAGS): others are
// cleared on the way in and out, so programs can probe for support.
constexpr uint64_t kKnownSaFlags =
    uapi::kSaNocldstop | uapi::kSaNocldwait | uapi::kSaSiginfo |
    uapi::kSaOnstack | uapi::kSaRestart | uapi::kSaNodefer |
    uapi::kSaResethand | uapi::kSaExposeTagbits | uapi::kSaRestorer;

bool ValidSignal(int sig) { return sig >= 0 && sig <= uapi::kNumSignals; }

// sig_handler_ignored(): the action discards the signal.
bool ActionIgnores(const uapi::Sigaction& act, int sig) {
  return act.handler == uapi::kSigIgn ||
         (act.handler == uapi::kSigDfl &&
          DefaultAction(sig) == SignalDefault::kIgnore);
}

// ---------------------------------------------------------------------------
// Dispositions

int64_t DoSigaction(Task& t, int sig, const uapi::Sigaction* act,
                    uapi::Sigaction* old) {
  if (sig < 1 || sig > uapi::kNumSignals) return -EINVAL;
  if (act && (sig == SIGKILL || sig == SIGSTOP)) return -EINVAL;
  ThreadGroup& tg = t.thread_group();
  if (old) {
    *old = tg.GetSigaction(sig);
    old->flags &= kKnownSaFlags;
  }
  if (act) {
    uapi::Sigaction a = *act;
    a.flags &= kKnownSaFlags;
    a.mask &= ~kUnblockableSignals;
    tg.SetSigaction(sig, a);
    // POSIX: setting an action that ignores a pending signal discards
    // it, in every thread (do_sigaction()).
    if (ActionIgnores(a, sig)) {
      uapi::Siginfo dropped;
      for (const std::shared_ptr<Task>& other : tg.Tasks()) {
        while (other->DequeueSignal(uapi::SigsetBit(sig), &dropped)) {
        }
      }
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Sending

// kill_ok_by_cred() plus the SIGCONT-in-session exception of
// check_kill_permission(). Signals within a process are always allowed.
// `tree_locked`: the caller holds the tree lock (session ids are read
// under it).
bool MaySignal(Task& t, ThreadGroup& target, int sig, bool tree_locked) {
  if (&target == &t.thread_group()) return true;
  const Credentials c = t.thread_group().creds();
  const Credentials tc = target.creds();
  if (c.euid == tc.suid || c.euid == tc.ruid || c.ruid == tc.suid ||
      c.ruid == tc.ruid || c.HasCap(kCapKill)) {
    return true;
  }
  if (sig != SIGCONT) return false;
  return tree_locked ? t.thread_group().sid_ == target.sid_
                     : t.thread_group().sid() == target.sid();
}

uapi::Siginfo UserInfo(Task& t, int sig, int code) {
  return MakeKillInfo(sig, code, t.thread_group().tgid(),
                      t.thread_group().creds().ruid);
}

// group_send_sig_info() on a process, with the tree lock held.
int64_t SendToGroupLocked(Task& t, ThreadGroup& tg, int sig,
                          const uapi::Siginfo& info) {
  if (!ValidSignal(sig)) return -EINVAL;
  if (tg.state == ThreadGroup::State::kDead) return -ESRCH;
  if (!MaySignal(t, tg, sig, /*tree_locked=*/true)) return -EPERM;
  if (sig) tg.SendSignalLocked(info);  // a no-op for zombies
  return 0;
}

// kill_proc_info(): the process that `pid` (a process or thread id)
// belongs to.
int64_t SendToPid(Task& t, pid_t pid, int sig, const uapi::Siginfo& info) {
  Kernel& k = t.kernel();
  absl::MutexLock l(&k.tree_mu());
  std::shared_ptr<ThreadGroup> tg;
  if (pid > 0) {
    if (std::shared_ptr<Task> task = k.FindTaskLocked(pid)) {
      tg = task->shared_thread_group();
    } else {
      tg = k.FindThreadGroupLocked(pid);
    }
  }
  if (!tg) return -ESRCH;
  return SendToGroupLocked(t, *tg, sig, info);
}

// do_send_specific(): one thread, optionally checked to belong to `tgid`.
int64_t SendToThread(Task& t, pid_t tgid, pid_t tid, int sig,
                     const uapi::Siginfo& info) {
  std::shared_ptr<Task> target = t.kernel().FindTask(tid);
  if (!target || (tgid > 0 && target->thread_group().tgid() != tgid)) {
    return -ESRCH;
  }
  if (!ValidSignal(sig)) return -EINVAL;
  if (!MaySignal(t, target->thread_group(), sig, /*tree_locked=*/false)) {
    return -EPERM;
  }
  // A thread that is already gone took the signal with it.
  if (sig && !target->exiting()) target->SendSignal(info);
  return 0;
}

// ---------------------------------------------------------------------------
// siginfo for int 0x80 callers

bool IsFaultSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
         sig == SIGTRAP;
}

// copy_siginfo_to_external32(): the same fields in the compat layout.
uapi::Siginfo32 ToSiginfo32(const uapi::Siginfo& in) {
  uapi::Siginfo32 out;
  std::memset(&out, 0, sizeof(out));
  out.si_signo = in.si_signo;
  out.si_errno = in.si_errno;
  out.si_code = in.si_code;
  if (in.si_code == SI_TIMER) {
    out.timer.tid = in.timer.tid;
    out.timer.overrun = in.timer.overrun;
    out.timer.sigval.sival_int = in.timer.sigval.sival_int;
  } else if (in.si_code > 0 && in.si_signo == SIGCHLD) {
    out.sigchld.pid = in.sigchld.pid;
    out.sigchld.uid = in.sigchld.uid;
    out.sigchld.status = in.sigchld.status;
    out.sigchld.utime = static_cast<int32_t>(in.sigchld.utime);
    out.sigchld.stime = static_cast<int32_t>(in.sigchld.stime);
  } else if (in.si_code > 0 && IsFaultSignal(in.si_signo)) {
    out.sigfault.addr = static_cast<uint32_t>(in.sigfault.addr);
  } else if (in.si_code > 0 && in.si_signo == SIGIO) {
    out.sigpoll.band = static_cast<int32_t>(in.sigpoll.band);
    out.sigpoll.fd = in.sigpoll.fd;
  } else if (in.si_code > 0 && in.si_signo == SIGSYS) {
    out.sigsys.call_addr = static_cast<uint32_t>(in.sigsys.call_addr);
    out.sigsys.syscall = in.sigsys.syscall;
    out.sigsys.arch = in.sigsys.arch;
  } else {
    out.rt.pid = in.rt.pid;
    out.rt.uid = in.rt.uid;
    out.rt.sigval.sival_int = in.rt.sigval.sival_int;
  }
  return out;
}

// The kill/rt layout is the only one user space may queue with a code
// of its own; the value travels as an int.
uapi::Siginfo FromSiginfo32(const uapi::Siginfo32& in) {
  uapi::Siginfo out;
  std::memset(&out, 0, sizeof(out));
  out.si_signo = in.si_signo;
  out.si_errno = in.si_errno;
  out.si_code = in.si_code;
  out.rt.pid = in.rt.pid;
  out.rt.uid = in.rt.uid;
  out.rt.sigval.sival_ptr = in.rt.sigval.sival_ptr;
  return out;
}

// ---------------------------------------------------------------------------
// Waiting

// rt_sigtimedwait's core: the signal number, -EAGAIN on timeout, -EINTR
// when another signal interrupts.
int64_t DoSigtimedwait(Task& t, uapi::Sigset set,
                       std::optional<absl::Duration> timeout,
                       uapi::Siginfo* info) {
  set &= ~kUnblockableSignals;
  if (t.DequeueSignal(set, info)) return info->si_signo;
  if (timeout && *timeout <= absl::ZeroDuration()) return -EAGAIN;
  std::optional<absl::Time> deadline;
  if (timeout) deadline = absl::Now() + *timeout;
  // The waited-for signals stay blocked (a SIGCHLD left at SIG_DFL is
  // still queued); senders wake every thread when all of them block a
  // signal, so this wait sees it.
  absl::Mutex mu;
  absl::CondVar cv;
  int64_t r;
  {
    absl::MutexLock l(&mu);
    r = t.Block(&mu, &cv, [&] { return (t.PendingSet() & set) != 0; },
                deadline);
  }
  if (t.DequeueSignal(set, info)) return info->si_signo;
  return r == -ETIMEDOUT ? -EAGAIN : -EINTR;
}

template <typename Ts>
int64_t ReadTimeout(Task& t, uint64_t addr,
                    std::optional<absl::Duration>* out) {
  if (!addr) return 0;
  Ts ts;
  if (t.CopyInObj(addr, &ts) < 0) return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= uapi::kNanosPerSecond) {
    return -EINVAL;
  }
  *out = absl::Seconds(ts.tv_sec) + absl::Nanoseconds(ts.tv_nsec);
  return 0;
}

template <typename Ts, bool kCompatInfo>
int64_t Sigtimedwait(Task& t, const SyscallArgs& a) {
  if (a.Size(3) != uapi::kSigsetSize) return -EINVAL;
  uapi::Sigset set;
  if (t.CopyInObj(a.Ptr(0), &set) < 0) return -EFAULT;
  std::optional<absl::Duration> timeout;
  if (int64_t r = ReadTimeout<Ts>(t, a.Ptr(2), &timeout); r < 0) return r;
  uapi::Siginfo info;
  const int64_t sig = DoSigtimedwait(t, set, timeout, &info);
  if (sig > 0 && a.Ptr(1)) {
    int64_t c;
    if constexpr (kCompatInfo) {
      c = t.CopyOutObj(a.Ptr(1), ToSiginfo32(info));
    } else {
      c = t.CopyOutObj(a.Ptr(1), info);
    }
    if (c < 0) return -EFAULT;
  }
  return sig;
}

// ---------------------------------------------------------------------------
// Queueing with a caller-made siginfo

// rt_sigqueueinfo(2): user space may not pretend to be the kernel or
// kill()/tkill() when signalling someone else.
int64_t Sigqueueinfo(Task& t, pid_t pid, int sig, uapi::Siginfo info) {
  info.si_signo = sig;
  if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pid != t.tid()) {
    return -EPERM;
  }
  return SendToPid(t, pid, sig, info);
}

int64_t Tgsigqueueinfo(Task& t, pid_t tgid, pid_t tid, int sig,
                       uapi::Siginfo info) {
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  info.si_signo = sig;
  if ((info.si_code >= 0 || info.si_code == SI_TKILL) && tid != t.tid()) {
    return -EPERM;
  }
  return SendToThread(t, tgid, tid, sig, info);
}

// ---------------------------------------------------------------------------
// The alternate stack

// on_sig_stack(): an SS_AUTODISARM stack never counts as in use.
bool OnAltStack(const uapi::Stack& ss, uint64_t sp) {
  if (ss.ss_flags & static_cast<int32_t>(uapi::kSsAutodisarm)) return false;
  return ss.ss_size && sp > ss.ss_sp && sp - ss.ss_sp <= ss.ss_size;
}

// do_sigaltstack().
int64_t DoSigaltstack(Task& t, const uapi::Stack* ss, uapi::Stack* old) {
  const uint64_t sp = t.ctx().Regs().rsp;
  uapi::Stack& cur = t.alt_stack;
  if (old) {
    old->ss_sp = cur.ss_sp;
    old->ss_size = cur.ss_size;
    old->pad0 = 0;
    old->ss_flags =
        (!cur.ss_size ? uapi::kSsDisable
                      : (OnAltStack(cur, sp) ? uapi::kSsOnstack : 0)) |
        (cur.ss_flags & static_cast<int32_t>(uapi::kSsAutodisarm));
  }
  if (!ss) return 0;
  if (OnAltStack(cur, sp)) return -EPERM;
  const int32_t mode = ss->ss_flags & ~static_cast<int32_t>(uapi::kSsAutodisarm);
  if (mode != 0 && mode != uapi::kSsDisable && mode != uapi::kSsOnstack) {
    return -EINVAL;
  }
  uapi::Stack next = *ss;
  next.pad0 = 0;
  if (mode == uapi::kSsDisable) {
    next.ss_sp = 0;
    next.ss_size = 0;
  } else if (next.ss_size < uapi::kMinSigstksz) {
    return -ENOMEM;
  }
  cur = next;
  return 0;
}

// do_signalfd4(): a new signalfd, or a new mask for an existing one.
int64_t DoSignalfd(Task& t, int fd, uint64_t mask_addr, uint64_t size,
                   int flags) {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  if (size != uapi::kSigsetSize) return -EINVAL;
  uapi::Sigset mask;
  if (t.CopyInObj(mask_addr, &mask) < 0) return -EFAULT;
  if (fd == -1) {
    auto file = std::make_shared<SignalFdFile>(t.shared_from_this(), mask, flags);
    return t.fds().Install(file, flags & O_CLOEXEC, NofileLimit(t));
  }
  std::shared_ptr<vfs::FileDescription> file = t.fds().Get(fd);
  if (!file) return -EBADF;
  auto* sfd = dynamic_cast<SignalFdFile*>(file.get());
  if (!sfd) return -EINVAL;
  sfd->set_mask(mask);
  return fd;
}

}  // namespace

// ---------------------------------------------------------------------------
// Handlers

int64_t SysRtSigaction(Task& t, const SyscallArgs& a) {
  if (a.Size(3) != uapi::kSigsetSize) return -EINVAL;
  uapi::Sigaction act, old;
  if (a.Ptr(1) && t.CopyInObj(a.Ptr(1), &act) < 0) return -EFAULT;
  int64_t r = DoSigaction(t, a.Int(0), a.Ptr(1) ? &act : nullptr,
                          a.Ptr(2) ? &old : nullptr);
  if (r < 0) return r;
  // The new action stays even if the old one cannot be written back.
  if (a.Ptr(2) && t.CopyOutObj(a.Ptr(2), old) < 0) return -EFAULT;
  return 0;
}

int64_t SysRtSigactionI386(Task& t, const SyscallArgs& a) {
  if (a.Size(3) != uapi::kSigsetSize) return -EINVAL;
  uapi::Sigaction act, old;
  if (a.Ptr(1)) {
    uapi::Sigaction32 in;
    if (t.CopyInObj(a.Ptr(1), &in) < 0) return -EFAULT;
    act = {in.handler, in.flags, in.restorer, in.mask};
  }
  int64_t r = DoSigaction(t, a.Int(0), a.Ptr(1) ? &act : nullptr,
                          a.Ptr(2) ? &old : nullptr);
  if (r < 0) return r;
  if (a.Ptr(2)) {
    uapi::Sigaction32 out{static_cast<uint32_t>(old.handler),
                          static_cast<uint32_t>(old.flags),
                          static_cast<uint32_t>(old.restorer), old.mask};
    if (t.CopyOutObj(a.Ptr(2), out) < 0) return -EFAULT;
  }
  return 0;
}

// compat_sys_sigaction(): the old structure, whose mask covers signals
// 1..32 only.
int64_t SysSigactionI386(Task& t, const SyscallArgs& a) {
  uapi::Sigaction act, old;
  if (a.Ptr(1)) {
    uapi::OldSigaction32 in;
    if (t.CopyInObj(a.Ptr(1), &in) < 0) return -EFAULT;
    act = {in.handler, in.flags, in.restorer, uapi::Sigset{in.mask}};
  }
  int64_t r = DoSigaction(t, a.Int(0), a.Ptr(1) ? &act : nullptr,
                          a.Ptr(2) ? &old : nullptr);
  if (r < 0) return r;
  if (a.Ptr(2)) {
    uapi::OldSigaction32 out{static_cast<uint32_t>(old.handler),
                             static_cast<uint32_t>(old.mask),
                             static_cast<uint32_t>(old.flags),
                             static_cast<uint32_t>(old.restorer)};
    if (t.CopyOutObj(a.Ptr(2), out) < 0) return -EFAULT;
  }
  return 0;
}

// sys_signal(): SysV semantics (SA_ONESHOT | SA_NOMASK, empty mask);
// returns the old handler.
int64_t SysSignalI386(Task& t, const SyscallArgs& a) {
  uapi::Sigaction act{a.Ptr(1), uapi::kSaResethand | uapi::kSaNodefer, 0, 0};
  uapi::Sigaction old;
  int64_t r = DoSigaction(t, a.Int(0), &act, &old);
  if (r < 0) return r;
  return static_cast<uint32_t>(old.handler);
}

// compat_sys_sigprocmask(): SIG_SETMASK replaces signals 1..32 only; the
// real-time ones keep their state.
int64_t SysSigprocmaskI386(Task& t, const SyscallArgs& a) {
  const uapi::Sigset old = t.signal_mask();
  if (a.Ptr(1)) {
    uint32_t set;
    if (t.CopyInObj(a.Ptr(1), &set) < 0) return -EFAULT;
    switch (a.Int(0)) {
      case SIG_BLOCK:
        t.set_signal_mask(old | set);
        break;
      case SIG_UNBLOCK:
        t.set_signal_mask(old & ~uapi::Sigset{set});
        break;
      case SIG_SETMASK:
        t.set_signal_mask((old & ~uapi::Sigset{0xffffffffu}) | set);
        break;
      default:
        return -EINVAL;
    }
  }
  if (a.Ptr(2) && t.CopyOutObj(a.Ptr(2), static_cast<uint32_t>(old)) < 0) {
    return -EFAULT;
  }
  return 0;
}

int64_t SysSigpendingI386(Task& t, const SyscallArgs& a) {
  const uint32_t set = static_cast<uint32_t>(t.PendingSet() & t.signal_mask());
  return t.CopyOutObj(a.Ptr(0), set) < 0 ? -EFAULT : 0;
}

// sys_sigsuspend(int unused1, int unused2, old_sigset_t mask) (x86 has
// OLD_SIGSUSPEND3): the new mask is exactly `mask`.
int64_t SysSigsuspendI386(Task& t, const SyscallArgs& a) {
  t.saved_mask = t.signal_mask();
  t.set_signal_mask(uapi::Sigset{a.UInt(2)});
  while (!t.Interrupted()) t.SleepUntil(absl::InfiniteFuture());
  return -uapi::kERESTARTNOHAND;
}

int64_t SysSgetmaskI386(Task& t, const SyscallArgs&) {
  return static_cast<uint32_t>(t.signal_mask());
}

// sys_ssetmask(): the whole mask becomes `newmask` (real-time signals
// unblocked); returns the old signals 1..32.
int64_t SysSsetmaskI386(Task& t, const SyscallArgs& a) {
  const uint32_t old = static_cast<uint32_t>(t.signal_mask());
  t.set_signal_mask(uapi::Sigset{a.UInt(0)});
  return old;
}

int64_t SysRtSigprocmask(Task& t, const SyscallArgs& a) {
  if (a.Size(3) != uapi::kSigsetSize) return -EINVAL;
  const uapi::Sigset old = t.signal_mask();
  if (a.Ptr(1)) {
    uapi::Sigset set;
    if (t.CopyInObj(a.Ptr(1), &set) < 0) return -EFAULT;
    switch (a.Int(0)) {
      case SIG_BLOCK:
        t.set_signal_mask(old | set);
        break;
      case SIG_UNBLOCK:
        t.set_signal_mask(old & ~set);
        break;
      case SIG_SETMASK:
        t.set_signal_mask(set);
        break;
      default:
        return -EINVAL;
    }
  }
  if (a.Ptr(2) && t.CopyOutObj(a.Ptr(2), old) < 0) return -EFAULT;
  return 0;
}

int64_t SysRtSigpending(Task& t, const SyscallArgs& a) {
  const uint64_t size = a.Size(1);
  if (size > uapi::kSigsetSize) return -EINVAL;
  // Pending and blocked: an unblocked pending signal is being delivered.
  const uapi::Sigset set = t.PendingSet() & t.signal_mask();
  return t.CopyOut(a.Ptr(0), &set, size) < 0 ? -EFAULT : 0;
}

int64_t SysRtSigsuspend(Task& t, const SyscallArgs& a) {
  if (a.Size(1) != uapi::kSigsetSize) return -EINVAL;
  uapi::Sigset set;
  if (t.CopyInObj(a.Ptr(0), &set) < 0) return -EFAULT;
  // The old mask comes back when the handler returns (it is the frame's
  // uc_sigmask) or, if no handler runs, before the call restarts.
  t.saved_mask = t.signal_mask();
  t.set_signal_mask(set);
  while (!t.Interrupted()) t.SleepUntil(absl::InfiniteFuture());
  return -uapi::kERESTARTNOHAND;
}

int64_t SysPause(Task& t, const SyscallArgs&) {
  while (!t.Interrupted()) t.SleepUntil(absl::InfiniteFuture());
  return -uapi::kERESTARTNOHAND;
}

int64_t SysRtSigtimedwait(Task& t, const SyscallArgs& a) {
  return Sigtimedwait<uapi::Timespec, false>(t, a);
}

int64_t SysRtSigtimedwaitI386(Task& t, const SyscallArgs& a) {
  return Sigtimedwait<uapi::Timespec32, true>(t, a);
}

int64_t SysRtSigtimedwaitTime64I386(Task& t, const SyscallArgs& a) {
  return Sigtimedwait<uapi::Timespec, true>(t, a);
}

int64_t SysKill(Task& t, const SyscallArgs& a) {
  const pid_t pid = a.Int(0);
  const int sig = a.Int(1);
  const uapi::Siginfo info = UserInfo(t, sig, SI_USER);
  if (pid > 0) return SendToPid(t, pid, sig, info);

  Kernel& k = t.kernel();
  absl::MutexLock l(&k.tree_mu());
  if (pid == -1) {
    // Every process but the sandbox's init and the caller; EPERM from
    // some of them is not an error.
    int64_t result = 0;
    int count = 0;
    for (const auto& tg : k.ThreadGroupsLocked()) {
      if (tg->tgid() <= 1 || tg.get() == &t.thread_group()) continue;
      if (tg->state == ThreadGroup::State::kDead) continue;
      count++;
      const int64_t r = SendToGroupLocked(t, *tg, sig, info);
      if (r != -EPERM) result = r;
    }
    return count ? result : -ESRCH;
  }
  // A process group: 0 is the caller's. Success if any member took it.
  const pid_t pgid = pid == 0 ? t.thread_group().pgid_ : -pid;
  int64_t result = -ESRCH;
  bool sent = false;
  for (const auto& tg : k.ThreadGroupsLocked()) {
    if (tg->pgid_ != pgid || tg->state == ThreadGroup::State::kDead) continue;
    const int64_t r = SendToGroupLocked(t, *tg, sig, info);
    if (r == 0) sent = true;
    result = r;
  }
  return sent ? 0 : result;
}

int64_t SysTkill(Task& t, const SyscallArgs& a) {
  const pid_t tid = a.Int(0);
  const int sig = a.Int(1);
  if (tid <= 0) return -EINVAL;
  return SendToThread(t, 0, tid, sig, UserInfo(t, sig, SI_TKILL));
}

int64_t SysTgkill(Task& t, const SyscallArgs& a) {
  const pid_t tgid = a.Int(0);
  const pid_t tid = a.Int(1);
  const int sig = a.Int(2);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  return SendToThread(t, tgid, tid, sig, UserInfo(t, sig, SI_TKILL));
}

int64_t SysRtSigqueueinfo(Task& t, const SyscallArgs& a) {
  uapi::Siginfo info;
  if (t.CopyInObj(a.Ptr(2), &info) < 0) return -EFAULT;
  return Sigqueueinfo(t, a.Int(0), a.Int(1), info);
}

int64_t SysRtSigqueueinfoI386(Task& t, const SyscallArgs& a) {
  uapi::Siginfo32 info;
  if (t.CopyInObj(a.Ptr(2), &info) < 0) return -EFAULT;
  return Sigqueueinfo(t, a.Int(0), a.Int(1), FromSiginfo32(info));
}

int64_t SysRtTgsigqueueinfo(Task& t, const SyscallArgs& a) {
  uapi::Siginfo info;
  if (t.CopyInObj(a.Ptr(3), &info) < 0) return -EFAULT;
  return Tgsigqueueinfo(t, a.Int(0), a.Int(1), a.Int(2), info);
}

int64_t SysRtTgsigqueueinfoI386(Task& t, const SyscallArgs& a) {
  uapi::Siginfo32 info;
  if (t.CopyInObj(a.Ptr(3), &info) < 0) return -EFAULT;
  return Tgsigqueueinfo(t, a.Int(0), a.Int(1), a.Int(2), FromSiginfo32(info));
}

int64_t SysSigaltstack(Task& t, const SyscallArgs& a) {
  uapi::Stack ss, old;
  if (a.Ptr(0) && t.CopyInObj(a.Ptr(0), &ss) < 0) return -EFAULT;
  int64_t r = DoSigaltstack(t, a.Ptr(0) ? &ss : nullptr, a.Ptr(1) ? &old : nullptr);
  if (r < 0) return r;
  if (a.Ptr(1) && t.CopyOutObj(a.Ptr(1), old) < 0) return -EFAULT;
  return 0;
}

int64_t SysSigaltstackI386(Task& t, const SyscallArgs& a) {
  uapi::Stack ss, old;
  if (a.Ptr(0)) {
    uapi::Stack32 in;
    if (t.CopyInObj(a.Ptr(0), &in) < 0) return -EFAULT;
    ss = {in.ss_sp, in.ss_flags, 0, in.ss_size};
  }
  int64_t r = DoSigaltstack(t, a.Ptr(0) ? &ss : nullptr, a.Ptr(1) ? &old : nullptr);
  if (r < 0) return r;
  if (a.Ptr(1)) {
    uapi::Stack32 out{static_cast<uint32_t>(old.ss_sp), old.ss_flags,
                      static_cast<uint32_t>(old.ss_size)};
    if (t.CopyOutObj(a.Ptr(1), out) < 0) return -EFAULT;
  }
  return 0;
}

int64_t SysSignalfd(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, a.Int(0), a.Ptr(1), a.Size(2), 0);
}

int64_t SysSignalfd4(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, a.Int(0), a.Ptr(1), a.Size(2), a.Int(3));
}

int64_t SysRestartSyscall(Task& t, const SyscallArgs&) {
  // The block is used once; what it runs may set a new one.
  std::function<int64_t(Task&)> fn = std::move(t.restart_block);
  t.restart_block = nullptr;
  return fn ? fn(t) : -EINTR;
}

}  // namespace sentry
