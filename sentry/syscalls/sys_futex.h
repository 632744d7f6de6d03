// futex(2).
#ifndef SENTRY_SYSCALLS_SYS_FUTEX_H_
#define SENTRY_SYSCALLS_SYS_FUTEX_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysFutex(Task& t, const SyscallArgs& a);
// i386 futex: the timeout is a 32-bit timespec.
int64_t SysFutexI386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_FUTEX_H_
