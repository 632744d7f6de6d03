// Process creation, execution and waiting: clone, fork, vfork, clone3,
// execve, execveat, wait4, waitid.
#ifndef SENTRY_SYSCALLS_SYS_CLONE_H_
#define SENTRY_SYSCALLS_SYS_CLONE_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysClone(Task& t, const SyscallArgs& a);
int64_t SysCloneI386(Task& t, const SyscallArgs& a);
int64_t SysClone3(Task& t, const SyscallArgs& a);
int64_t SysFork(Task& t, const SyscallArgs& a);
int64_t SysVfork(Task& t, const SyscallArgs& a);
int64_t SysExecve(Task& t, const SyscallArgs& a);
int64_t SysExecveat(Task& t, const SyscallArgs& a);
int64_t SysWait4(Task& t, const SyscallArgs& a);
int64_t SysWaitpidI386(Task& t, const SyscallArgs& a);
int64_t SysWaitid(Task& t, const SyscallArgs& a);
// i386 waitid: compat_siginfo_t and struct compat_rusage.
int64_t SysWaitidI386(Task& t, const SyscallArgs& a);
// i386 wait4: struct compat_rusage.
int64_t SysWait4I386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_CLONE_H_
