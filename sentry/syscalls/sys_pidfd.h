// pidfd_open(2), pidfd_send_signal(2).
#ifndef SENTRY_SYSCALLS_SYS_PIDFD_H_
#define SENTRY_SYSCALLS_SYS_PIDFD_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysPidfdOpen(Task& t, const SyscallArgs& a);
int64_t SysPidfdSendSignal(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_PIDFD_H_
