// Timers that signal: alarm, setitimer/getitimer, POSIX timers
// (timer_create and friends). The timers themselves live in
// kernel/timers.h.
#ifndef SENTRY_SYSCALLS_SYS_TIMER_H_
#define SENTRY_SYSCALLS_SYS_TIMER_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysAlarm(Task& t, const SyscallArgs& a);
int64_t SysSetitimer(Task& t, const SyscallArgs& a);
int64_t SysGetitimer(Task& t, const SyscallArgs& a);
int64_t SysTimerCreate(Task& t, const SyscallArgs& a);
int64_t SysTimerSettime(Task& t, const SyscallArgs& a);
int64_t SysTimerGettime(Task& t, const SyscallArgs& a);
int64_t SysTimerGetoverrun(Task& t, const SyscallArgs& a);
int64_t SysTimerDelete(Task& t, const SyscallArgs& a);

// i386 layouts: 32-bit itimerval, itimerspec and sigevent. The *_time64
// calls of i386 use the 64-bit itimerspec (SysTimerSettime/Gettime).
int64_t SysSetitimerI386(Task& t, const SyscallArgs& a);
int64_t SysGetitimerI386(Task& t, const SyscallArgs& a);
int64_t SysTimerCreateI386(Task& t, const SyscallArgs& a);
int64_t SysTimerSettimeI386(Task& t, const SyscallArgs& a);
int64_t SysTimerGettimeI386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_TIMER_H_
