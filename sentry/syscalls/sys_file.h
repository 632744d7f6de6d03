// File syscalls: I/O, open/close/dup/fcntl/ioctl, stat and access, paths
// and directories, pipes. Each returns a value or a negative errno.
//
// Handlers are shared by amd64 and i386 unless a structure or an argument
// split differs; those have an I386 variant.
#ifndef SENTRY_SYSCALLS_SYS_FILE_H_
#define SENTRY_SYSCALLS_SYS_FILE_H_

#include <cstdint>

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

// ---- I/O (sys_rw.cc) ----
int64_t SysRead(Task& t, const SyscallArgs& a);
int64_t SysWrite(Task& t, const SyscallArgs& a);
int64_t SysPread64(Task& t, const SyscallArgs& a);
int64_t SysPwrite64(Task& t, const SyscallArgs& a);
int64_t SysReadv(Task& t, const SyscallArgs& a);
int64_t SysWritev(Task& t, const SyscallArgs& a);
int64_t SysPreadv(Task& t, const SyscallArgs& a);
int64_t SysPwritev(Task& t, const SyscallArgs& a);
int64_t SysPreadv2(Task& t, const SyscallArgs& a);
int64_t SysPwritev2(Task& t, const SyscallArgs& a);
int64_t SysLseek(Task& t, const SyscallArgs& a);
// i386: 64-bit offsets split over two registers, struct compat_iovec.
int64_t SysPread64I386(Task& t, const SyscallArgs& a);
int64_t SysPwrite64I386(Task& t, const SyscallArgs& a);
int64_t SysReadvI386(Task& t, const SyscallArgs& a);
int64_t SysWritevI386(Task& t, const SyscallArgs& a);
int64_t SysPreadvI386(Task& t, const SyscallArgs& a);
int64_t SysPwritevI386(Task& t, const SyscallArgs& a);
int64_t SysPreadv2I386(Task& t, const SyscallArgs& a);
int64_t SysPwritev2I386(Task& t, const SyscallArgs& a);
int64_t SysLlseekI386(Task& t, const SyscallArgs& a);

// ---- Descriptors (sys_file.cc) ----
int64_t SysOpen(Task& t, const SyscallArgs& a);
int64_t SysOpenat(Task& t, const SyscallArgs& a);
int64_t SysOpenat2(Task& t, const SyscallArgs& a);
int64_t SysCreat(Task& t, const SyscallArgs& a);
int64_t SysClose(Task& t, const SyscallArgs& a);
int64_t SysCloseRange(Task& t, const SyscallArgs& a);
int64_t SysDup(Task& t, const SyscallArgs& a);
int64_t SysDup2(Task& t, const SyscallArgs& a);
int64_t SysDup3(Task& t, const SyscallArgs& a);
int64_t SysFcntl(Task& t, const SyscallArgs& a);
int64_t SysIoctl(Task& t, const SyscallArgs& a);
int64_t SysUmask(Task& t, const SyscallArgs& a);

// ---- stat, access, readlink (sys_stat.cc) ----
int64_t SysFstat(Task& t, const SyscallArgs& a);
int64_t SysStat(Task& t, const SyscallArgs& a);
int64_t SysLstat(Task& t, const SyscallArgs& a);
int64_t SysNewfstatat(Task& t, const SyscallArgs& a);
int64_t SysStatx(Task& t, const SyscallArgs& a);
int64_t SysAccess(Task& t, const SyscallArgs& a);
int64_t SysFaccessat(Task& t, const SyscallArgs& a);
int64_t SysFaccessat2(Task& t, const SyscallArgs& a);
int64_t SysReadlink(Task& t, const SyscallArgs& a);
int64_t SysReadlinkat(Task& t, const SyscallArgs& a);
// i386 struct stat64.
int64_t SysStat64I386(Task& t, const SyscallArgs& a);
int64_t SysLstat64I386(Task& t, const SyscallArgs& a);
int64_t SysFstat64I386(Task& t, const SyscallArgs& a);
int64_t SysFstatat64I386(Task& t, const SyscallArgs& a);

// ---- Directories and the working directory (sys_dir.cc) ----
int64_t SysGetcwd(Task& t, const SyscallArgs& a);
int64_t SysChdir(Task& t, const SyscallArgs& a);
int64_t SysFchdir(Task& t, const SyscallArgs& a);
int64_t SysGetdents64(Task& t, const SyscallArgs& a);
// The old getdents: struct linux_dirent (amd64) / compat_linux_dirent.
int64_t SysGetdents(Task& t, const SyscallArgs& a);
int64_t SysGetdentsI386(Task& t, const SyscallArgs& a);

// ---- Extended attributes (sys_xattr.cc) ----
int64_t SysGetxattr(Task& t, const SyscallArgs& a);
int64_t SysLgetxattr(Task& t, const SyscallArgs& a);
int64_t SysFgetxattr(Task& t, const SyscallArgs& a);
int64_t SysListxattr(Task& t, const SyscallArgs& a);
int64_t SysLlistxattr(Task& t, const SyscallArgs& a);
int64_t SysFlistxattr(Task& t, const SyscallArgs& a);
int64_t SysSetxattr(Task& t, const SyscallArgs& a);
int64_t SysLsetxattr(Task& t, const SyscallArgs& a);
int64_t SysFsetxattr(Task& t, const SyscallArgs& a);
int64_t SysRemovexattr(Task& t, const SyscallArgs& a);
int64_t SysLremovexattr(Task& t, const SyscallArgs& a);
int64_t SysFremovexattr(Task& t, const SyscallArgs& a);

// ---- Namespace, attributes, sync, statfs, flock (sys_fs_ops.cc) ----
int64_t SysMkdir(Task& t, const SyscallArgs& a);
int64_t SysMkdirat(Task& t, const SyscallArgs& a);
int64_t SysMknod(Task& t, const SyscallArgs& a);
int64_t SysMknodat(Task& t, const SyscallArgs& a);
int64_t SysRmdir(Task& t, const SyscallArgs& a);
int64_t SysUnlink(Task& t, const SyscallArgs& a);
int64_t SysUnlinkat(Task& t, const SyscallArgs& a);
int64_t SysRename(Task& t, const SyscallArgs& a);
int64_t SysRenameat(Task& t, const SyscallArgs& a);
int64_t SysRenameat2(Task& t, const SyscallArgs& a);
int64_t SysLink(Task& t, const SyscallArgs& a);
int64_t SysLinkat(Task& t, const SyscallArgs& a);
int64_t SysSymlink(Task& t, const SyscallArgs& a);
int64_t SysSymlinkat(Task& t, const SyscallArgs& a);
int64_t SysChmod(Task& t, const SyscallArgs& a);
int64_t SysFchmod(Task& t, const SyscallArgs& a);
int64_t SysFchmodat(Task& t, const SyscallArgs& a);
int64_t SysFchmodat2(Task& t, const SyscallArgs& a);
int64_t SysChown(Task& t, const SyscallArgs& a);
int64_t SysLchown(Task& t, const SyscallArgs& a);
int64_t SysFchown(Task& t, const SyscallArgs& a);
int64_t SysFchownat(Task& t, const SyscallArgs& a);
int64_t SysUtimensat(Task& t, const SyscallArgs& a);
int64_t SysUtimes(Task& t, const SyscallArgs& a);
int64_t SysFutimesat(Task& t, const SyscallArgs& a);
int64_t SysUtime(Task& t, const SyscallArgs& a);
int64_t SysTruncate(Task& t, const SyscallArgs& a);
int64_t SysFtruncate(Task& t, const SyscallArgs& a);
int64_t SysFallocate(Task& t, const SyscallArgs& a);
int64_t SysFsync(Task& t, const SyscallArgs& a);
int64_t SysFdatasync(Task& t, const SyscallArgs& a);
int64_t SysSync(Task& t, const SyscallArgs& a);
int64_t SysSyncfs(Task& t, const SyscallArgs& a);
int64_t SysSyncFileRange(Task& t, const SyscallArgs& a);
int64_t SysStatfs(Task& t, const SyscallArgs& a);
int64_t SysFstatfs(Task& t, const SyscallArgs& a);
int64_t SysFlock(Task& t, const SyscallArgs& a);
int64_t SysChroot(Task& t, const SyscallArgs& a);
int64_t SysFadvise64(Task& t, const SyscallArgs& a);
int64_t SysFadvise64I386(Task& t, const SyscallArgs& a);
int64_t SysFadvise6464I386(Task& t, const SyscallArgs& a);
int64_t SysReadahead(Task& t, const SyscallArgs& a);
// i386: 16-bit ids, 32-bit time structures, split 64-bit arguments.
int64_t SysChown16I386(Task& t, const SyscallArgs& a);
int64_t SysLchown16I386(Task& t, const SyscallArgs& a);
int64_t SysFchown16I386(Task& t, const SyscallArgs& a);
int64_t SysUtimensat32I386(Task& t, const SyscallArgs& a);
int64_t SysUtimesI386(Task& t, const SyscallArgs& a);
int64_t SysFutimesatI386(Task& t, const SyscallArgs& a);
int64_t SysUtimeI386(Task& t, const SyscallArgs& a);
int64_t SysTruncate64I386(Task& t, const SyscallArgs& a);
int64_t SysFtruncate64I386(Task& t, const SyscallArgs& a);
int64_t SysFallocateI386(Task& t, const SyscallArgs& a);
int64_t SysStatfsI386(Task& t, const SyscallArgs& a);
int64_t SysFstatfsI386(Task& t, const SyscallArgs& a);
int64_t SysStatfs64I386(Task& t, const SyscallArgs& a);
int64_t SysFstatfs64I386(Task& t, const SyscallArgs& a);

// ---- Moving data between files (sys_splice.cc) ----
int64_t SysSendfile(Task& t, const SyscallArgs& a);
int64_t SysSendfileI386(Task& t, const SyscallArgs& a);
int64_t SysSendfile64I386(Task& t, const SyscallArgs& a);
int64_t SysSplice(Task& t, const SyscallArgs& a);
int64_t SysTee(Task& t, const SyscallArgs& a);
int64_t SysCopyFileRange(Task& t, const SyscallArgs& a);

// ---- Readiness: poll, select, epoll (sys_poll.cc) ----
int64_t SysPoll(Task& t, const SyscallArgs& a);
int64_t SysPpoll(Task& t, const SyscallArgs& a);
int64_t SysSelect(Task& t, const SyscallArgs& a);
int64_t SysPselect6(Task& t, const SyscallArgs& a);
int64_t SysEpollCreate(Task& t, const SyscallArgs& a);
int64_t SysEpollCreate1(Task& t, const SyscallArgs& a);
int64_t SysEpollCtl(Task& t, const SyscallArgs& a);
int64_t SysEpollWait(Task& t, const SyscallArgs& a);
int64_t SysEpollPwait(Task& t, const SyscallArgs& a);
int64_t SysEpollPwait2(Task& t, const SyscallArgs& a);
int64_t SysPpollTime32I386(Task& t, const SyscallArgs& a);
int64_t SysNewselectI386(Task& t, const SyscallArgs& a);
int64_t SysOldSelectI386(Task& t, const SyscallArgs& a);
int64_t SysPselect6Time32I386(Task& t, const SyscallArgs& a);
int64_t SysPselect6Time64I386(Task& t, const SyscallArgs& a);

// ---- eventfd, timerfd, memfd (sys_eventfd.cc) ----
int64_t SysEventfd(Task& t, const SyscallArgs& a);
int64_t SysEventfd2(Task& t, const SyscallArgs& a);
int64_t SysTimerfdCreate(Task& t, const SyscallArgs& a);
int64_t SysTimerfdSettime(Task& t, const SyscallArgs& a);
int64_t SysTimerfdGettime(Task& t, const SyscallArgs& a);
int64_t SysTimerfdSettime32I386(Task& t, const SyscallArgs& a);
int64_t SysTimerfdGettime32I386(Task& t, const SyscallArgs& a);
int64_t SysMemfdCreate(Task& t, const SyscallArgs& a);

// ---- inotify (sys_inotify.cc) ----
int64_t SysInotifyInit(Task& t, const SyscallArgs& a);
int64_t SysInotifyInit1(Task& t, const SyscallArgs& a);
int64_t SysInotifyAddWatch(Task& t, const SyscallArgs& a);
int64_t SysInotifyRmWatch(Task& t, const SyscallArgs& a);

// ---- Pipes (sys_pipe.cc) ----
int64_t SysPipe(Task& t, const SyscallArgs& a);
int64_t SysPipe2(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_FILE_H_
