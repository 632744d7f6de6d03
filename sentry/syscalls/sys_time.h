// Clocks and sleeping.
#ifndef SENTRY_SYSCALLS_SYS_TIME_H_
#define SENTRY_SYSCALLS_SYS_TIME_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysClockGettime(Task& t, const SyscallArgs& a);
int64_t SysClockGetres(Task& t, const SyscallArgs& a);
int64_t SysGettimeofday(Task& t, const SyscallArgs& a);
int64_t SysTime(Task& t, const SyscallArgs& a);
int64_t SysNanosleep(Task& t, const SyscallArgs& a);
int64_t SysClockNanosleep(Task& t, const SyscallArgs& a);
// i386 layouts (32-bit time_t / timespec).
int64_t SysClockGettime32(Task& t, const SyscallArgs& a);
int64_t SysClockGetres32(Task& t, const SyscallArgs& a);
int64_t SysGettimeofday32(Task& t, const SyscallArgs& a);
int64_t SysTime32(Task& t, const SyscallArgs& a);
int64_t SysNanosleep32(Task& t, const SyscallArgs& a);
int64_t SysClockNanosleep32(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_TIME_H_
