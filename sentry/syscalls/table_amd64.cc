// The amd64 syscall table (arch/x86/entry/syscalls/syscall_64.tbl).
// One line per implemented syscall: number, handler, support level, how
// --strace prints the arguments and the result. Numbers not listed here are
// unimplemented and return ENOSYS.
#include <cerrno>

#include "abi/syscalls.h"
#include "sentry/syscalls/entry.h"
#include "sentry/kernel/signal_frame.h"
#include "sentry/syscalls/sys_clone.h"
#include "sentry/syscalls/sys_creds.h"
#include "sentry/syscalls/sys_sched.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_futex.h"
#include "sentry/syscalls/sys_mm.h"
#include "sentry/syscalls/sys_process.h"
#include "sentry/syscalls/sys_time.h"

namespace sentry {

namespace {

using enum ArgFmt;
using enum Support;
namespace nr = uapi::amd64;

std::vector<SyscallEntry> Entries() {
  return {
      // --- files ---
      MakeEntry(nr::NR_read, SysRead, kSupported, {kFd, kOutBuf, kUInt}),
      MakeEntry(nr::NR_write, SysWrite, kSupported, {kFd, kInBuf, kUInt}),
      MakeEntry(nr::NR_pread64, SysPread64, kSupported,
                {kFd, kOutBuf, kUInt, kInt}),
      MakeEntry(nr::NR_pwrite64, SysPwrite64, kSupported,
                {kFd, kInBuf, kUInt, kInt}),
      MakeEntry(nr::NR_readv, SysReadv, kSupported, {kFd, kPtr, kInt}),
      MakeEntry(nr::NR_writev, SysWritev, kSupported, {kFd, kPtr, kInt}),
      MakeEntry(nr::NR_preadv, SysPreadv, kSupported,
                {kFd, kPtr, kInt, kInt, kInt}),
      MakeEntry(nr::NR_pwritev, SysPwritev, kSupported,
                {kFd, kPtr, kInt, kInt, kInt}),
      MakeEntry(nr::NR_preadv2, SysPreadv2, kPartial,
                {kFd, kPtr, kInt, kInt, kInt, kHex}, kInt,
                "RWF_HIPRI/DSYNC/SYNC accepted as no-ops; others EOPNOTSUPP"),
      MakeEntry(nr::NR_pwritev2, SysPwritev2, kPartial,
                {kFd, kPtr, kInt, kInt, kInt, kHex}, kInt,
                "RWF_HIPRI/DSYNC/SYNC accepted as no-ops; others EOPNOTSUPP"),
      MakeEntry(nr::NR_lseek, SysLseek, kSupported, {kFd, kInt, kWhence}),
      MakeEntry(nr::NR_open, SysOpen, kPartial, {kPath, kOpenFlags, kMode},
                kInt, "no writable filesystem yet: creation and writes EROFS"),
      MakeEntry(nr::NR_openat, SysOpenat, kPartial,
                {kFd, kPath, kOpenFlags, kMode}, kInt,
                "no writable filesystem yet: creation and writes EROFS"),
      MakeEntry(nr::NR_creat, SysCreat, kPartial, {kPath, kMode}, kInt,
                "no writable filesystem yet: EROFS"),
      MakeEntry(nr::NR_close, SysClose, kSupported, {kFd}),
      MakeEntry(nr::NR_close_range, SysCloseRange, kSupported,
                {kUInt, kUInt, kHex}),
      MakeEntry(nr::NR_dup, SysDup, kSupported, {kFd}),
      MakeEntry(nr::NR_dup2, SysDup2, kSupported, {kFd, kFd}),
      MakeEntry(nr::NR_dup3, SysDup3, kSupported, {kFd, kFd, kOpenFlags}),
      MakeEntry(nr::NR_fcntl, SysFcntl, kPartial, {kFd, kInt, kHex}, kInt,
                "DUPFD, GETFD/SETFD, GETFL/SETFL, GETPIPE_SZ; record locks "
                "never conflict (no writable shared files yet)"),
      MakeEntry(nr::NR_ioctl, SysIoctl, kPartial, {kFd, kHex, kHex}, kInt,
                "FIOCLEX/FIONCLEX/FIONBIO/FIOASYNC/FIONREAD; host ttys: "
                "TCGETS, TIOCGWINSZ, TIOCGPGRP only"),
      MakeEntry(nr::NR_umask, SysUmask, kSupported, {kMode}, kMode),
      MakeEntry(nr::NR_fstat, SysFstat, kSupported, {kFd, kStatOut}),
      MakeEntry(nr::NR_stat, SysStat, kSupported, {kPath, kStatOut}),
      MakeEntry(nr::NR_lstat, SysLstat, kSupported, {kPath, kStatOut}),
      MakeEntry(nr::NR_newfstatat, SysNewfstatat, kSupported,
                {kFd, kPath, kStatOut, kAtFlags}),
      MakeEntry(nr::NR_statx, SysStatx, kSupported,
                {kFd, kPath, kAtFlags, kHex, kPtr}),
      MakeEntry(nr::NR_access, SysAccess, kSupported, {kPath, kInt}),
      MakeEntry(nr::NR_faccessat, SysFaccessat, kSupported,
                {kFd, kPath, kInt}),
      MakeEntry(nr::NR_faccessat2, SysFaccessat2, kSupported,
                {kFd, kPath, kInt, kAtFlags}),
      MakeEntry(nr::NR_readlink, SysReadlink, kSupported,
                {kPath, kOutBuf, kUInt}),
      MakeEntry(nr::NR_readlinkat, SysReadlinkat, kSupported,
                {kFd, kPath, kOutBuf, kUInt}),
      MakeEntry(nr::NR_getcwd, SysGetcwd, kSupported, {kOutBuf, kUInt}),
      MakeEntry(nr::NR_chdir, SysChdir, kSupported, {kPath}),
      MakeEntry(nr::NR_fchdir, SysFchdir, kSupported, {kFd}),
      MakeEntry(nr::NR_getdents64, SysGetdents64, kSupported,
                {kFd, kPtr, kUInt}),
      MakeEntry(nr::NR_getdents, SysGetdents, kSupported, {kFd, kPtr, kUInt}),
      MakeEntry(nr::NR_pipe, SysPipe, kPartial, {kPtr}, kInt,
                "no SIGPIPE yet: writes without readers only fail with EPIPE"),
      MakeEntry(nr::NR_pipe2, SysPipe2, kPartial, {kPtr, kOpenFlags}, kInt,
                "no SIGPIPE yet; O_DIRECT packet mode not implemented"),
      MakeEntry(nr::NR_getxattr, SysGetxattr, kPartial,
                {kPath, kPath, kPtr, kUInt}, kInt, "no attributes: ENODATA"),
      MakeEntry(nr::NR_lgetxattr, SysLgetxattr, kPartial,
                {kPath, kPath, kPtr, kUInt}, kInt, "no attributes: ENODATA"),
      MakeEntry(nr::NR_fgetxattr, SysFgetxattr, kPartial,
                {kFd, kPath, kPtr, kUInt}, kInt, "no attributes: ENODATA"),
      MakeEntry(nr::NR_listxattr, SysListxattr, kPartial,
                {kPath, kPtr, kUInt}, kInt, "no attributes: empty list"),
      MakeEntry(nr::NR_llistxattr, SysLlistxattr, kPartial,
                {kPath, kPtr, kUInt}, kInt, "no attributes: empty list"),
      MakeEntry(nr::NR_flistxattr, SysFlistxattr, kPartial,
                {kFd, kPtr, kUInt}, kInt, "no attributes: empty list"),
      MakeEntry(nr::NR_setxattr, SysSetxattr, kPartial,
                {kPath, kPath, kPtr, kUInt, kHex}, kInt,
                "EROFS on read-only mounts, else EOPNOTSUPP"),
      MakeEntry(nr::NR_lsetxattr, SysLsetxattr, kPartial,
                {kPath, kPath, kPtr, kUInt, kHex}, kInt,
                "EROFS on read-only mounts, else EOPNOTSUPP"),
      MakeEntry(nr::NR_fsetxattr, SysFsetxattr, kPartial,
                {kFd, kPath, kPtr, kUInt, kHex}, kInt,
                "EROFS on read-only mounts, else EOPNOTSUPP"),
      MakeEntry(nr::NR_removexattr, SysRemovexattr, kPartial, {kPath, kPath},
                kInt, "EROFS on read-only mounts, else ENODATA"),
      MakeEntry(nr::NR_lremovexattr, SysLremovexattr, kPartial,
                {kPath, kPath}, kInt, "EROFS on read-only mounts, else ENODATA"),
      MakeEntry(nr::NR_fremovexattr, SysFremovexattr, kPartial, {kFd, kPath},
                kInt, "EROFS on read-only mounts, else ENODATA"),
      // --- end files ---

      // --- memory ---
      MakeEntry(nr::NR_mmap, SysMmap, kSupported,
                {kPtr, kUInt, kProt, kMmapFlags, kFd, kHex}, kPtr),
      MakeEntry(nr::NR_munmap, SysMunmap, kSupported, {kPtr, kUInt}),
      MakeEntry(nr::NR_mprotect, SysMprotect, kSupported, {kPtr, kUInt, kProt}),
      MakeEntry(nr::NR_brk, SysBrk, kSupported, {kPtr}, kPtr),
      MakeEntry(nr::NR_mremap, SysMremap, kSupported,
                {kPtr, kUInt, kUInt, kHex, kPtr}, kPtr),
      MakeEntry(nr::NR_madvise, SysMadvise, kSupported, {kPtr, kUInt, kInt}),
      MakeEntry(nr::NR_mincore, SysMincore, kSupported, {kPtr, kUInt, kPtr}),
      MakeEntry(nr::NR_msync, SysMsync, kPartial, {kPtr, kUInt, kHex}, kInt,
                "file contents are copies: MS_SYNC writes nothing back"),
      MakeEntry(nr::NR_mlock, SysMlock, kSupported, {kPtr, kUInt}),
      MakeEntry(nr::NR_munlock, SysMunlock, kSupported, {kPtr, kUInt}),
      MakeEntry(nr::NR_mlock2, SysMlock2, kSupported, {kPtr, kUInt, kHex}),
      MakeEntry(nr::NR_mlockall, SysMlockall, kSupported, {kHex}),
      MakeEntry(nr::NR_munlockall, SysMunlockall, kSupported, {}),
      // --- end memory ---

      // --- process ---
      MakeEntry(nr::NR_clone, SysClone, kPartial,
                {kCloneFlags, kPtr, kPtr, kPtr, kHex}, kInt,
                "no namespaces (EPERM), no pidfds"),
      MakeEntry(nr::NR_clone3, SysClone3, kPartial, {kPtr, kUInt}, kInt,
                "no namespaces (EPERM), no pidfds, no set_tid"),
      MakeEntry(nr::NR_fork, SysFork, kSupported, {}),
      MakeEntry(nr::NR_vfork, SysVfork, kSupported, {}),
      MakeEntry(nr::NR_execve, SysExecve, kSupported,
                {kPath, kStringArray, kStringArray}),
      MakeEntry(nr::NR_execveat, SysExecveat, kPartial,
                {kFd, kPath, kStringArray, kStringArray, kAtFlags}, kInt,
                "only absolute paths or AT_FDCWD"),
      MakeEntry(nr::NR_wait4, SysWait4, kPartial, {kInt, kPtr, kWaitOptions, kPtr},
                kInt, "rusage has CPU times and maxrss only"),
      MakeEntry(nr::NR_waitid, SysWaitid, kPartial,
                {kInt, kInt, kPtr, kWaitOptions, kPtr}, kInt,
                "no P_PIDFD"),
      MakeEntry(nr::NR_rt_sigreturn, SysRtSigreturn, kSupported, {}),
      MakeEntry(nr::NR_setpgid, SysSetpgid, kSupported, {kInt, kInt}),
      MakeEntry(nr::NR_setsid, SysSetsid, kSupported, {}),
      MakeEntry(nr::NR_futex, SysFutex, kPartial,
                {kPtr, kFutexOp, kUInt, kPtr, kPtr, kHex}, kInt,
                "no priority-inheritance ops; WAKE_OP not atomic against running threads"),
      MakeEntry(nr::NR_exit, SysExit, kSupported, {kInt}),
      MakeEntry(nr::NR_exit_group, SysExitGroup, kSupported, {kInt}),
      MakeEntry(nr::NR_getpid, SysGetpid, kSupported, {}),
      MakeEntry(nr::NR_gettid, SysGettid, kSupported, {}),
      MakeEntry(nr::NR_getppid, SysGetppid, kSupported, {}),
      MakeEntry(nr::NR_getuid, SysGetuid, kSupported, {}),
      MakeEntry(nr::NR_geteuid, SysGeteuid, kSupported, {}),
      MakeEntry(nr::NR_getgid, SysGetgid, kSupported, {}),
      MakeEntry(nr::NR_getegid, SysGetegid, kSupported, {}),
      MakeEntry(nr::NR_getresuid, SysGetresuid, kSupported, {kPtr, kPtr, kPtr}),
      MakeEntry(nr::NR_getresgid, SysGetresgid, kSupported, {kPtr, kPtr, kPtr}),
      MakeEntry(nr::NR_getgroups, SysGetgroups, kSupported, {kInt, kPtr}),
      MakeEntry(nr::NR_setgroups, SysSetgroups, kSupported, {kInt, kPtr}),
      MakeEntry(nr::NR_setuid, SysSetuid, kSupported, {kInt}),
      MakeEntry(nr::NR_setgid, SysSetgid, kSupported, {kInt}),
      MakeEntry(nr::NR_setreuid, SysSetreuid, kSupported, {kInt, kInt}),
      MakeEntry(nr::NR_setregid, SysSetregid, kSupported, {kInt, kInt}),
      MakeEntry(nr::NR_setresuid, SysSetresuid, kSupported, {kInt, kInt, kInt}),
      MakeEntry(nr::NR_setresgid, SysSetresgid, kSupported, {kInt, kInt, kInt}),
      MakeEntry(nr::NR_setfsuid, SysSetfsuid, kSupported, {kInt}),
      MakeEntry(nr::NR_setfsgid, SysSetfsgid, kSupported, {kInt}),
      MakeEntry(nr::NR_capget, SysCapget, kSupported, {kPtr, kPtr}),
      MakeEntry(nr::NR_capset, SysCapset, kSupported, {kPtr, kPtr}),
      MakeEntry(nr::NR_sched_setaffinity, SysSchedSetaffinity, kPartial,
                {kInt, kUInt, kPtr}, kInt,
                "validated, not applied: sandbox threads are not pinned"),
      MakeEntry(nr::NR_sched_getscheduler, SysSchedGetscheduler, kSupported,
                {kInt}),
      MakeEntry(nr::NR_sched_setscheduler, SysSchedSetscheduler, kPartial,
                {kInt, kInt, kPtr}, kInt, "real-time policies refused (EPERM)"),
      MakeEntry(nr::NR_sched_getparam, SysSchedGetparam, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_sched_setparam, SysSchedSetparam, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_sched_get_priority_max, SysSchedGetPriorityMax,
                kSupported, {kInt}),
      MakeEntry(nr::NR_sched_get_priority_min, SysSchedGetPriorityMin,
                kSupported, {kInt}),
      MakeEntry(nr::NR_sched_rr_get_interval, SysSchedRrGetInterval,
                kSupported, {kInt, kPtr}),
      MakeEntry(nr::NR_getpriority, SysGetpriority, kPartial, {kInt, kInt},
                kInt, "nice values are recorded, not applied on the host"),
      MakeEntry(nr::NR_setpriority, SysSetpriority, kPartial,
                {kInt, kInt, kInt}, kInt,
                "nice values are recorded, not applied on the host"),
      MakeEntry(nr::NR_getrusage, SysGetrusage, kPartial, {kInt, kPtr}, kInt,
                "CPU times and maxrss; other fields zero"),
      MakeEntry(nr::NR_times, SysTimes, kSupported, {kPtr}),
      MakeEntry(nr::NR_personality, SysPersonality, kSupported, {kHex}),
      MakeEntry(nr::NR_getpgrp, SysGetpgrp, kSupported, {}),
      MakeEntry(nr::NR_getpgid, SysGetpgid, kSupported, {kInt}),
      MakeEntry(nr::NR_getsid, SysGetsid, kSupported, {kInt}),
      MakeEntry(nr::NR_set_tid_address, SysSetTidAddress, kSupported, {kPtr}),
      MakeEntry(nr::NR_set_robust_list, SysSetRobustList, kSupported,
                {kPtr, kUInt}),
      MakeEntry(nr::NR_get_robust_list, SysGetRobustList, kSupported,
                {kInt, kPtr, kPtr}),
      MakeEntry(nr::NR_arch_prctl, SysArchPrctl, kSupported, {kArchPrctl, kHex}),
      MakeEntry(nr::NR_prlimit64, SysPrlimit64, kPartial,
                {kInt, kRlimitRes, kPtr, kPtr}, kInt,
                "limits are recorded; only the sandbox's own pids"),
      MakeEntry(nr::NR_getrlimit, SysGetrlimit, kSupported, {kRlimitRes, kPtr}),
      MakeEntry(nr::NR_setrlimit, SysSetrlimit, kPartial, {kRlimitRes, kPtr}, kInt,
                "limits are recorded, not all enforced yet"),
      MakeEntry(nr::NR_sched_getaffinity, SysSchedGetaffinity, kSupported,
                {kInt, kUInt, kPtr}),
      MakeEntry(nr::NR_sched_yield, SysSchedYield, kSupported, {}),
      MakeEntry(nr::NR_getcpu, SysGetcpu, kSupported, {kPtr, kPtr, kPtr}),
      MakeEntry(nr::NR_uname, SysUname, kSupported, {kPtr}),
      MakeEntry(nr::NR_getrandom, SysGetrandom, kSupported,
                {kOutBuf, kUInt, kHex}),
      MakeEntry(nr::NR_prctl, SysPrctl, kPartial,
                {kInt, kHex, kHex, kHex, kHex}, kInt,
                "NAME, DUMPABLE, NO_NEW_PRIVS, PDEATHSIG, CHILD_SUBREAPER, KEEPCAPS, CAPBSET_READ; SECCOMP refused"),
      MakeEntry(nr::NR_sysinfo, SysSysinfo, kSupported, {kPtr}),
      MakeEntry(nr::NR_rt_sigaction, SysRtSigaction, kPartial,
                {kSignal, kPtr, kPtr, kUInt}, kInt,
                "dispositions are recorded; delivery comes with signals"),
      MakeEntry(nr::NR_rt_sigprocmask, SysRtSigprocmask, kPartial,
                {kInt, kPtr, kPtr, kUInt}, kInt,
                "mask is recorded; delivery comes with signals"),
      MakeEntry(nr::NR_sigaltstack, SysSigaltstack, kPartial, {kPtr, kPtr},
                kInt, "stack is recorded; delivery comes with signals"),
      Unimplemented(nr::NR_rseq, ENOSYS,
                    "glibc falls back cleanly when rseq is unavailable"),
      // --- end process ---

      // --- signals ---
      // --- end signals ---

      // --- time ---
      MakeEntry(nr::NR_clock_gettime, SysClockGettime, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_getres, SysClockGetres, kSupported, {kInt, kPtr}),
      MakeEntry(nr::NR_gettimeofday, SysGettimeofday, kSupported,
                {kPtr, kPtr}),
      MakeEntry(nr::NR_time, SysTime, kSupported, {kPtr}),
      MakeEntry(nr::NR_nanosleep, SysNanosleep, kPartial, {kPtr, kPtr}, kInt,
                "not yet interruptible by signals"),
      MakeEntry(nr::NR_clock_nanosleep, SysClockNanosleep, kPartial,
                {kInt, kHex, kPtr, kPtr}, kInt,
                "not yet interruptible by signals"),
      // --- end time ---
  };
}

}  // namespace

const SyscallTable& Amd64Table() {
  static const SyscallTable* table =
      new SyscallTable(platform::Arch::kAmd64, Entries());
  return *table;
}

}  // namespace sentry
