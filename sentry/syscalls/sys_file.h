// File syscalls (owned by the VFS work; declarations added there).
#ifndef SENTRY_SYSCALLS_SYS_FILE_H_
#define SENTRY_SYSCALLS_SYS_FILE_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;
}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_FILE_H_
