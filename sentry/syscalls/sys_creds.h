// Credentials: the uid/gid family, supplementary groups, capabilities.
#ifndef SENTRY_SYSCALLS_SYS_CREDS_H_
#define SENTRY_SYSCALLS_SYS_CREDS_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysGetuid(Task& t, const SyscallArgs& a);
int64_t SysGeteuid(Task& t, const SyscallArgs& a);
int64_t SysGetgid(Task& t, const SyscallArgs& a);
int64_t SysGetegid(Task& t, const SyscallArgs& a);
// i386 getuid/geteuid/getgid/getegid (16-bit ids).
int64_t SysGetuid16I386(Task& t, const SyscallArgs& a);
int64_t SysGeteuid16I386(Task& t, const SyscallArgs& a);
int64_t SysGetgid16I386(Task& t, const SyscallArgs& a);
int64_t SysGetegid16I386(Task& t, const SyscallArgs& a);
int64_t SysGetresuid(Task& t, const SyscallArgs& a);
int64_t SysGetresgid(Task& t, const SyscallArgs& a);
int64_t SysSetuid(Task& t, const SyscallArgs& a);
int64_t SysSetgid(Task& t, const SyscallArgs& a);
int64_t SysSetreuid(Task& t, const SyscallArgs& a);
int64_t SysSetregid(Task& t, const SyscallArgs& a);
int64_t SysSetresuid(Task& t, const SyscallArgs& a);
int64_t SysSetresgid(Task& t, const SyscallArgs& a);
int64_t SysSetfsuid(Task& t, const SyscallArgs& a);
int64_t SysSetfsgid(Task& t, const SyscallArgs& a);
int64_t SysGetgroups(Task& t, const SyscallArgs& a);
int64_t SysSetgroups(Task& t, const SyscallArgs& a);
int64_t SysCapget(Task& t, const SyscallArgs& a);
int64_t SysCapset(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_CREDS_H_
