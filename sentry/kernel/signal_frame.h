// The signal frame: what Linux's setup_rt_frame() writes on the user stack
// before running a handler, and what rt_sigreturn(2) reads back. This is
// the only place that knows the frame; the task loop calls it.
#ifndef SENTRY_KERNEL_SIGNAL_FRAME_H_
#define SENTRY_KERNEL_SIGNAL_FRAME_H_

#include "abi/linux/signal.h"
#include "sentry/kernel/syscall_args.h"

namespace sentry {

class Task;

// Pushes an x86-64 rt_sigframe (siginfo, ucontext with the registers and
// `old_mask`, the XSAVE state) and points the registers at the handler.
// Returns false when the frame cannot be written (the caller then kills the
// task with SIGSEGV, as Linux does).
bool SetupSignalFrame(Task& t, const uapi::Siginfo& info,
                      const uapi::Sigaction& act, uapi::Sigset old_mask);

// rt_sigreturn(2).
int64_t SysRtSigreturn(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_KERNEL_SIGNAL_FRAME_H_
