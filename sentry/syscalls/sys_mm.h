// Memory syscalls: mmap family and brk.
#ifndef SENTRY_SYSCALLS_SYS_MM_H_
#define SENTRY_SYSCALLS_SYS_MM_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysMmap(Task& t, const SyscallArgs& a);
int64_t SysMmapPgoff(Task& t, const SyscallArgs& a);  // i386 mmap2
int64_t SysMunmap(Task& t, const SyscallArgs& a);
int64_t SysMprotect(Task& t, const SyscallArgs& a);
int64_t SysBrk(Task& t, const SyscallArgs& a);
int64_t SysMremap(Task& t, const SyscallArgs& a);
int64_t SysMadvise(Task& t, const SyscallArgs& a);
int64_t SysMincore(Task& t, const SyscallArgs& a);
int64_t SysMsync(Task& t, const SyscallArgs& a);
int64_t SysMlock(Task& t, const SyscallArgs& a);
int64_t SysMunlock(Task& t, const SyscallArgs& a);
int64_t SysMlock2(Task& t, const SyscallArgs& a);
int64_t SysMlockall(Task& t, const SyscallArgs& a);
int64_t SysMunlockall(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_MM_H_
