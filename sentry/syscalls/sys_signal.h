// Signal syscalls: dispositions, masks, waiting for signals, sending them.
// Delivery itself (frames, restart rules) is the task loop's
// (kernel/task.cc, kernel/signal_frame.cc).
#ifndef SENTRY_SYSCALLS_SYS_SIGNAL_H_
#define SENTRY_SYSCALLS_SYS_SIGNAL_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysRtSigaction(Task& t, const SyscallArgs& a);
int64_t SysRtSigprocmask(Task& t, const SyscallArgs& a);
int64_t SysRtSigpending(Task& t, const SyscallArgs& a);
int64_t SysRtSigsuspend(Task& t, const SyscallArgs& a);
int64_t SysRtSigtimedwait(Task& t, const SyscallArgs& a);
int64_t SysRtSigqueueinfo(Task& t, const SyscallArgs& a);
int64_t SysRtTgsigqueueinfo(Task& t, const SyscallArgs& a);
int64_t SysKill(Task& t, const SyscallArgs& a);
int64_t SysTkill(Task& t, const SyscallArgs& a);
int64_t SysTgkill(Task& t, const SyscallArgs& a);
int64_t SysSigaltstack(Task& t, const SyscallArgs& a);
int64_t SysPause(Task& t, const SyscallArgs& a);
int64_t SysRestartSyscall(Task& t, const SyscallArgs& a);
int64_t SysSignalfd(Task& t, const SyscallArgs& a);
int64_t SysSignalfd4(Task& t, const SyscallArgs& a);

// i386 layouts (struct sigaction32, stack_ia32_t, compat_siginfo_t, 32-bit
// timespec).
int64_t SysRtSigactionI386(Task& t, const SyscallArgs& a);
int64_t SysSigaltstackI386(Task& t, const SyscallArgs& a);
int64_t SysRtSigtimedwaitI386(Task& t, const SyscallArgs& a);
int64_t SysRtSigtimedwaitTime64I386(Task& t, const SyscallArgs& a);
int64_t SysRtSigqueueinfoI386(Task& t, const SyscallArgs& a);
int64_t SysRtTgsigqueueinfoI386(Task& t, const SyscallArgs& a);

// The i386 calls from before real-time signals, on the first 32 signals
// (old_sigset_t): sigaction (struct old_sigaction32), signal, sigprocmask,
// sigpending, sigsuspend, sgetmask, ssetmask. A handler they install gets
// the x86-64 frame (the sentry has no ia32 frame; Linux would build one).
int64_t SysSigactionI386(Task& t, const SyscallArgs& a);
int64_t SysSignalI386(Task& t, const SyscallArgs& a);
int64_t SysSigprocmaskI386(Task& t, const SyscallArgs& a);
int64_t SysSigpendingI386(Task& t, const SyscallArgs& a);
int64_t SysSigsuspendI386(Task& t, const SyscallArgs& a);
int64_t SysSgetmaskI386(Task& t, const SyscallArgs& a);
int64_t SysSsetmaskI386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_SIGNAL_H_
