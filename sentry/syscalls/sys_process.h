// Process identity, exit, limits and scheduling syscalls.
#ifndef SENTRY_SYSCALLS_SYS_PROCESS_H_
#define SENTRY_SYSCALLS_SYS_PROCESS_H_

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysExit(Task& t, const SyscallArgs& a);
int64_t SysExitGroup(Task& t, const SyscallArgs& a);
int64_t SysGetpid(Task& t, const SyscallArgs& a);
int64_t SysGettid(Task& t, const SyscallArgs& a);
int64_t SysGetppid(Task& t, const SyscallArgs& a);
int64_t SysSetTidAddress(Task& t, const SyscallArgs& a);
int64_t SysSetRobustList(Task& t, const SyscallArgs& a);
int64_t SysGetRobustList(Task& t, const SyscallArgs& a);
int64_t SysArchPrctl(Task& t, const SyscallArgs& a);
int64_t SysPrlimit64(Task& t, const SyscallArgs& a);
int64_t SysGetrlimit(Task& t, const SyscallArgs& a);
int64_t SysSetrlimit(Task& t, const SyscallArgs& a);
// i386: getrlimit (old, 0x7fffffff infinity), ugetrlimit, setrlimit on
// struct compat_rlimit.
int64_t SysOldGetrlimitI386(Task& t, const SyscallArgs& a);
int64_t SysUgetrlimitI386(Task& t, const SyscallArgs& a);
int64_t SysSetrlimitI386(Task& t, const SyscallArgs& a);
int64_t SysSchedGetaffinity(Task& t, const SyscallArgs& a);
int64_t SysSchedYield(Task& t, const SyscallArgs& a);
int64_t SysGetcpu(Task& t, const SyscallArgs& a);
int64_t SysUname(Task& t, const SyscallArgs& a);
int64_t SysGetrandom(Task& t, const SyscallArgs& a);
int64_t SysPrctl(Task& t, const SyscallArgs& a);
int64_t SysGetpgrp(Task& t, const SyscallArgs& a);
int64_t SysGetpgid(Task& t, const SyscallArgs& a);
int64_t SysGetsid(Task& t, const SyscallArgs& a);
int64_t SysSetpgid(Task& t, const SyscallArgs& a);
int64_t SysSetsid(Task& t, const SyscallArgs& a);
int64_t SysSysinfo(Task& t, const SyscallArgs& a);
// i386 sysinfo: struct compat_sysinfo, sizes rescaled to fit 32 bits.
int64_t SysSysinfoI386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_PROCESS_H_
