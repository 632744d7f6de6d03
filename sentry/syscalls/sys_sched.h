// Scheduling (sched_*, nice), resource usage (getrusage, times) and the
// process personality.
#ifndef SENTRY_SYSCALLS_SYS_SCHED_H_
#define SENTRY_SYSCALLS_SYS_SCHED_H_

#include "abi/linux/resource.h"
#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysSchedSetaffinity(Task& t, const SyscallArgs& a);
int64_t SysSchedGetscheduler(Task& t, const SyscallArgs& a);
int64_t SysSchedSetscheduler(Task& t, const SyscallArgs& a);
int64_t SysSchedGetparam(Task& t, const SyscallArgs& a);
int64_t SysSchedSetparam(Task& t, const SyscallArgs& a);
int64_t SysSchedGetPriorityMax(Task& t, const SyscallArgs& a);
int64_t SysSchedGetPriorityMin(Task& t, const SyscallArgs& a);
int64_t SysSchedRrGetInterval(Task& t, const SyscallArgs& a);
int64_t SysGetpriority(Task& t, const SyscallArgs& a);
int64_t SysSetpriority(Task& t, const SyscallArgs& a);
int64_t SysGetrusage(Task& t, const SyscallArgs& a);
int64_t SysTimes(Task& t, const SyscallArgs& a);
// i386 layouts (struct compat_rusage, struct compat_tms).
int64_t SysGetrusageI386(Task& t, const SyscallArgs& a);
// struct rusage in the i386 layout (getrusage, waitid, wait4).
uapi::Rusage32 Rusage32From(const uapi::Rusage& ru);
int64_t SysTimesI386(Task& t, const SyscallArgs& a);
int64_t SysPersonality(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_SCHED_H_
