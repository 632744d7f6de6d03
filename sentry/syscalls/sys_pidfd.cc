#include "sentry/syscalls/sys_pidfd.h"

#include <fcntl.h>
#include <signal.h>

#include <cerrno>

#include "abi/linux/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

int64_t SysPidfdOpen(Task& t, const SyscallArgs& a) {
  const int pid = a.Int(0);
  const unsigned flags = a.UInt(1);
  if (flags & ~static_cast<unsigned>(O_NONBLOCK)) return -EINVAL;
  if (pid <= 0) return -EINVAL;
  auto tg = t.kernel().FindThreadGroup(pid);
  if (!tg) {
    // A thread that is not a group leader: EINVAL (no PIDFD_THREAD).
    return t.kernel().FindTask(pid) ? -EINVAL : -ESRCH;
  }
  if (tg->StateChar() == 'X') return -ESRCH;
  auto file = std::make_shared<PidFdFile>(tg, static_cast<int>(flags));
  // pidfds are always close-on-exec.
  return t.fds().Install(
      file, true, t.thread_group().GetRlimit(uapi::kRlimitNofile).cur);
}

int64_t SysPidfdSendSignal(Task& t, const SyscallArgs& a) {
  const int sig = a.Int(1);
  if (a.UInt(3) != 0) return -EINVAL;
  if (sig < 0 || sig > uapi::kNumSignals) return -EINVAL;
  auto f = t.fds().Get(a.Int(0));
  if (!f) return -EBADF;
  auto* pf = dynamic_cast<PidFdFile*>(f.get());
  if (!pf) return -EBADF;
  std::shared_ptr<ThreadGroup> tg = pf->process();
  if (!tg || tg->StateChar() != 'R') return -ESRCH;
  uapi::Siginfo info = MakeKillInfo(sig, SI_USER, t.thread_group().tgid(),
                                    t.thread_group().creds().ruid);
  if (a.Ptr(2)) {
    if (t.CopyInObj(a.Ptr(2), &info) < 0) return -EFAULT;
    if (info.si_signo != sig) return -EINVAL;
    // Only the kernel may claim kernel codes; others only for oneself.
    if ((info.si_code >= 0 || info.si_code == SI_TKILL) &&
        tg.get() != &t.thread_group())
      return -EPERM;
  }
  if (sig == 0) return 0;
  tg->SendSignal(info);
  return 0;
}

}  // namespace sentry
