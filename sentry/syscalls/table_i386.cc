// The i386 syscall table (arch/x86/entry/syscalls/syscall_32.tbl), used for
// `int 0x80` from 64-bit tasks. Arguments arrive in ebx, ecx, edx, esi, edi,
// ebp; structures use the 32-bit layouts where they differ.
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
namespace nr = uapi::i386;

std::vector<SyscallEntry> Entries() {
  return {
      // --- files ---
      MakeEntry(nr::NR_read, SysRead, kSupported, {kFd, kOutBuf, kUInt}),
      MakeEntry(nr::NR_write, SysWrite, kSupported, {kFd, kInBuf, kUInt}),
      MakeEntry(nr::NR_pread64, SysPread64I386, kSupported,
                {kFd, kOutBuf, kUInt, kHex, kHex}),
      MakeEntry(nr::NR_pwrite64, SysPwrite64I386, kSupported,
                {kFd, kInBuf, kUInt, kHex, kHex}),
      MakeEntry(nr::NR_readv, SysReadvI386, kSupported, {kFd, kPtr, kInt}),
      MakeEntry(nr::NR_writev, SysWritevI386, kSupported, {kFd, kPtr, kInt}),
      MakeEntry(nr::NR_preadv, SysPreadvI386, kSupported,
                {kFd, kPtr, kInt, kHex, kHex}),
      MakeEntry(nr::NR_pwritev, SysPwritevI386, kSupported,
                {kFd, kPtr, kInt, kHex, kHex}),
      MakeEntry(nr::NR_preadv2, SysPreadv2I386, kPartial,
                {kFd, kPtr, kInt, kHex, kHex, kHex}, kInt,
                "RWF_HIPRI/DSYNC/SYNC accepted as no-ops; others EOPNOTSUPP"),
      MakeEntry(nr::NR_pwritev2, SysPwritev2I386, kPartial,
                {kFd, kPtr, kInt, kHex, kHex, kHex}, kInt,
                "RWF_HIPRI/DSYNC/SYNC accepted as no-ops; others EOPNOTSUPP"),
      MakeEntry(nr::NR_lseek, SysLseek, kSupported, {kFd, kInt, kWhence}),
      MakeEntry(nr::NR__llseek, SysLlseekI386, kSupported,
                {kFd, kHex, kHex, kPtr, kWhence}),
      MakeEntry(nr::NR_open, SysOpen, kPartial, {kPath, kOpenFlags, kMode},
                kInt, "O_TMPFILE on tmpfs and writable hostfs only"),
      MakeEntry(nr::NR_openat, SysOpenat, kPartial,
                {kFd, kPath, kOpenFlags, kMode}, kInt,
                "no writable filesystem yet: creation and writes EROFS"),
      MakeEntry(nr::NR_creat, SysCreat, kSupported, {kPath, kMode}),
      MakeEntry(nr::NR_close, SysClose, kSupported, {kFd}),
      MakeEntry(nr::NR_close_range, SysCloseRange, kSupported,
                {kUInt, kUInt, kHex}),
      MakeEntry(nr::NR_dup, SysDup, kSupported, {kFd}),
      MakeEntry(nr::NR_dup2, SysDup2, kSupported, {kFd, kFd}),
      MakeEntry(nr::NR_dup3, SysDup3, kSupported, {kFd, kFd, kOpenFlags}),
      MakeEntry(nr::NR_fcntl, SysFcntl, kPartial, {kFd, kInt, kHex}, kInt,
                "DUPFD, GETFD/SETFD, GETFL/SETFL, record and OFD locks, "
                "GET/SETPIPE_SZ; no leases, seals, F_NOTIFY"),
      MakeEntry(nr::NR_fcntl64, SysFcntl, kPartial, {kFd, kInt, kHex}, kInt,
                "as fcntl, with F_*LK64"),
      MakeEntry(nr::NR_ioctl, SysIoctl, kPartial, {kFd, kHex, kHex}, kInt,
                "FIOCLEX/FIONCLEX/FIONBIO/FIOASYNC/FIONREAD; host ttys: "
                "TCGETS, TIOCGWINSZ, TIOCGPGRP only"),
      MakeEntry(nr::NR_umask, SysUmask, kSupported, {kMode}, kMode),
      MakeEntry(nr::NR_stat64, SysStat64I386, kSupported, {kPath, kPtr}),
      MakeEntry(nr::NR_lstat64, SysLstat64I386, kSupported, {kPath, kPtr}),
      MakeEntry(nr::NR_fstat64, SysFstat64I386, kSupported, {kFd, kPtr}),
      MakeEntry(nr::NR_fstatat64, SysFstatat64I386, kSupported,
                {kFd, kPath, kPtr, kAtFlags}),
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
      MakeEntry(nr::NR_getdents, SysGetdentsI386, kSupported,
                {kFd, kPtr, kUInt}),
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
      // namespace operations, attributes, sync, statfs, flock
      MakeEntry(nr::NR_openat2, SysOpenat2, kSupported,
                {kFd, kPath, kPtr, kUInt}),
      MakeEntry(nr::NR_mkdir, SysMkdir, kSupported, {kPath, kMode}),
      MakeEntry(nr::NR_mkdirat, SysMkdirat, kSupported, {kFd, kPath, kMode}),
      MakeEntry(nr::NR_mknod, SysMknod, kSupported, {kPath, kMode, kHex}),
      MakeEntry(nr::NR_mknodat, SysMknodat, kSupported,
                {kFd, kPath, kMode, kHex}),
      MakeEntry(nr::NR_rmdir, SysRmdir, kSupported, {kPath}),
      MakeEntry(nr::NR_unlink, SysUnlink, kSupported, {kPath}),
      MakeEntry(nr::NR_unlinkat, SysUnlinkat, kSupported,
                {kFd, kPath, kAtFlags}),
      MakeEntry(nr::NR_rename, SysRename, kSupported, {kPath, kPath}),
      MakeEntry(nr::NR_renameat, SysRenameat, kSupported,
                {kFd, kPath, kFd, kPath}),
      MakeEntry(nr::NR_renameat2, SysRenameat2, kPartial,
                {kFd, kPath, kFd, kPath, kHex}, kInt,
                "RENAME_WHITEOUT is EINVAL"),
      MakeEntry(nr::NR_link, SysLink, kSupported, {kPath, kPath}),
      MakeEntry(nr::NR_linkat, SysLinkat, kSupported,
                {kFd, kPath, kFd, kPath, kAtFlags}),
      MakeEntry(nr::NR_symlink, SysSymlink, kSupported, {kPath, kPath}),
      MakeEntry(nr::NR_symlinkat, SysSymlinkat, kSupported,
                {kPath, kFd, kPath}),
      MakeEntry(nr::NR_chmod, SysChmod, kSupported, {kPath, kMode}),
      MakeEntry(nr::NR_fchmod, SysFchmod, kSupported, {kFd, kMode}),
      MakeEntry(nr::NR_fchmodat, SysFchmodat, kSupported, {kFd, kPath, kMode}),
      MakeEntry(nr::NR_fchmodat2, SysFchmodat2, kSupported,
                {kFd, kPath, kMode, kAtFlags}),
      MakeEntry(nr::NR_chown, SysChown16I386, kSupported, {kPath, kInt, kInt}),
      MakeEntry(nr::NR_lchown, SysLchown16I386, kSupported,
                {kPath, kInt, kInt}),
      MakeEntry(nr::NR_fchown, SysFchown16I386, kSupported, {kFd, kInt, kInt}),
      MakeEntry(nr::NR_chown32, SysChown, kSupported, {kPath, kInt, kInt}),
      MakeEntry(nr::NR_lchown32, SysLchown, kSupported, {kPath, kInt, kInt}),
      MakeEntry(nr::NR_fchown32, SysFchown, kSupported, {kFd, kInt, kInt}),
      MakeEntry(nr::NR_fchownat, SysFchownat, kSupported,
                {kFd, kPath, kInt, kInt, kAtFlags}),
      MakeEntry(nr::NR_utimensat, SysUtimensat32I386, kSupported,
                {kFd, kPath, kPtr, kAtFlags}),
      MakeEntry(nr::NR_utimensat_time64, SysUtimensat, kSupported,
                {kFd, kPath, kPtr, kAtFlags}),
      MakeEntry(nr::NR_utimes, SysUtimesI386, kSupported, {kPath, kPtr}),
      MakeEntry(nr::NR_futimesat, SysFutimesatI386, kSupported,
                {kFd, kPath, kPtr}),
      MakeEntry(nr::NR_utime, SysUtimeI386, kSupported, {kPath, kPtr}),
      MakeEntry(nr::NR_truncate, SysTruncate, kSupported, {kPath, kInt}),
      MakeEntry(nr::NR_ftruncate, SysFtruncate, kSupported, {kFd, kInt}),
      MakeEntry(nr::NR_truncate64, SysTruncate64I386, kSupported,
                {kPath, kHex, kHex}),
      MakeEntry(nr::NR_ftruncate64, SysFtruncate64I386, kSupported,
                {kFd, kHex, kHex}),
      MakeEntry(nr::NR_fallocate, SysFallocateI386, kPartial,
                {kFd, kHex, kHex, kHex, kHex, kHex}, kInt,
                "tmpfs: allocate, KEEP_SIZE, PUNCH_HOLE; hostfs: the host's"),
      MakeEntry(nr::NR_fsync, SysFsync, kSupported, {kFd}),
      MakeEntry(nr::NR_fdatasync, SysFdatasync, kSupported, {kFd}),
      MakeEntry(nr::NR_sync, SysSync, kSupported, {}),
      MakeEntry(nr::NR_syncfs, SysSyncfs, kSupported, {kFd}),
      MakeEntry(nr::NR_statfs, SysStatfsI386, kSupported, {kPath, kPtr}),
      MakeEntry(nr::NR_fstatfs, SysFstatfsI386, kSupported, {kFd, kPtr}),
      MakeEntry(nr::NR_statfs64, SysStatfs64I386, kSupported,
                {kPath, kUInt, kPtr}),
      MakeEntry(nr::NR_fstatfs64, SysFstatfs64I386, kSupported,
                {kFd, kUInt, kPtr}),
      MakeEntry(nr::NR_flock, SysFlock, kSupported, {kFd, kHex}),
      MakeEntry(nr::NR_chroot, SysChroot, kSupported, {kPath}),
      Unimplemented(nr::NR_name_to_handle_at, EOPNOTSUPP,
                    "no filesystem exports file handles"),
      Unimplemented(nr::NR_open_by_handle_at, EOPNOTSUPP,
                    "no filesystem exports file handles"),
      // --- end files ---

      // --- memory ---
      MakeEntry(nr::NR_brk, SysBrk, kSupported, {kPtr}, kPtr),
      MakeEntry(nr::NR_munmap, SysMunmap, kSupported, {kPtr, kUInt}),
      MakeEntry(nr::NR_mprotect, SysMprotect, kSupported, {kPtr, kUInt, kProt}),
      MakeEntry(nr::NR_mmap2, SysMmapPgoff, kSupported,
                {kPtr, kUInt, kProt, kMmapFlags, kFd, kHex}, kPtr),
      // --- end memory ---

      // --- process ---
      MakeEntry(nr::NR_clone, SysCloneI386, kPartial,
                {kCloneFlags, kPtr, kPtr, kPtr, kPtr}, kInt,
                "no CLONE_SETTLS (user_desc), no namespaces"),
      MakeEntry(nr::NR_fork, SysFork, kSupported, {}),
      MakeEntry(nr::NR_vfork, SysVfork, kSupported, {}),
      MakeEntry(nr::NR_execve, SysExecve, kSupported,
                {kPath, kStringArray, kStringArray}),
      MakeEntry(nr::NR_waitpid, SysWaitpidI386, kSupported, {kInt, kPtr, kHex},
                kInt, ""),
      MakeEntry(nr::NR_wait4, SysWait4, kPartial, {kInt, kPtr, kWaitOptions, kPtr},
                kInt, "rusage has CPU times and maxrss only"),
      MakeEntry(nr::NR_futex, SysFutexI386, kPartial,
                {kPtr, kFutexOp, kUInt, kPtr, kPtr, kHex}, kInt,
                "no priority-inheritance ops; WAKE_OP not atomic against running threads"),
      MakeEntry(nr::NR_exit, SysExit, kSupported, {kInt}),
      MakeEntry(nr::NR_exit_group, SysExitGroup, kSupported, {kInt}),
      MakeEntry(nr::NR_getpid, SysGetpid, kSupported, {}),
      MakeEntry(nr::NR_gettid, SysGettid, kSupported, {}),
      MakeEntry(nr::NR_getppid, SysGetppid, kSupported, {}),
      MakeEntry(nr::NR_getuid32, SysGetuid, kSupported, {}),
      MakeEntry(nr::NR_geteuid32, SysGeteuid, kSupported, {}),
      MakeEntry(nr::NR_getgid32, SysGetgid, kSupported, {}),
      MakeEntry(nr::NR_getegid32, SysGetegid, kSupported, {}),
      MakeEntry(nr::NR_setuid32, SysSetuid, kSupported, {kInt}),
      MakeEntry(nr::NR_setgid32, SysSetgid, kSupported, {kInt}),
      MakeEntry(nr::NR_setresuid32, SysSetresuid, kSupported, {kInt, kInt, kInt}),
      MakeEntry(nr::NR_setresgid32, SysSetresgid, kSupported, {kInt, kInt, kInt}),
      MakeEntry(nr::NR_getresuid32, SysGetresuid, kSupported, {kPtr, kPtr, kPtr}),
      MakeEntry(nr::NR_getresgid32, SysGetresgid, kSupported, {kPtr, kPtr, kPtr}),
      MakeEntry(nr::NR_getpgrp, SysGetpgrp, kSupported, {}),
      MakeEntry(nr::NR_setpgid, SysSetpgid, kSupported, {kInt, kInt}),
      MakeEntry(nr::NR_setsid, SysSetsid, kSupported, {}),
      MakeEntry(nr::NR_personality, SysPersonality, kSupported, {kHex}),
      MakeEntry(nr::NR_uname, SysUname, kSupported, {kPtr}),
      MakeEntry(nr::NR_sched_yield, SysSchedYield, kSupported, {}),
      MakeEntry(nr::NR_getrandom, SysGetrandom, kSupported,
                {kOutBuf, kUInt, kHex}),
      // --- end process ---

      // --- signals ---
      // --- end signals ---

      // --- time ---
      MakeEntry(nr::NR_time, SysTime32, kSupported, {kPtr}),
      MakeEntry(nr::NR_gettimeofday, SysGettimeofday32, kSupported,
                {kPtr, kPtr}),
      MakeEntry(nr::NR_clock_gettime, SysClockGettime32, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_getres, SysClockGetres32, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_gettime64, SysClockGettime, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_getres_time64, SysClockGetres, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_nanosleep, SysNanosleep32, kPartial, {kPtr, kPtr}, kInt,
                "not yet interruptible by signals"),
      // --- end time ---
  };
}

}  // namespace

const SyscallTable& I386Table() {
  static const SyscallTable* table =
      new SyscallTable(platform::Arch::kI386, Entries());
  return *table;
}

}  // namespace sentry
