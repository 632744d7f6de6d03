// open/close, descriptor duplication, fcntl, ioctl, umask.
#include "sentry/syscalls/sys_file.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <memory>
#include <string>

#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

int64_t DoOpen(Task& t, int dirfd, uint64_t path_addr, int flags,
               mode_t mode) {
  std::string path;
  int64_t r = CopyInPath(t, path_addr, &path);
  if (r < 0) return r;
  if (path.empty()) return -ENOENT;
  // The kernel marks every open from 64-bit code O_LARGEFILE.
  if (t.current_syscall().arch == platform::Arch::kAmd64) {
    flags |= vfs::kOLargefile;
  }
  const bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
  if (tmpfile) {
    int acc = flags & O_ACCMODE;
    if (acc != O_WRONLY && acc != O_RDWR) return -EINVAL;
  } else if ((flags & O_CREAT) && (flags & O_DIRECTORY)) {
    return -EINVAL;
  }
  if ((flags & O_CREAT) || tmpfile) {
    mode = mode & 07777 & ~t.fs().umask();
  } else {
    mode = 0;
  }
  vfs::VirtualDentry start;
  r = WalkStart(t, dirfd, path, &start);
  if (r < 0) return r;
  std::shared_ptr<vfs::FileDescription> file;
  r = t.kernel().vfs().OpenAt(t.fs().root(), start, path, flags, mode,
                              FileCredentials(t), &file);
  if (r < 0) return r;
  return t.fds().Install(std::move(file), flags & O_CLOEXEC, NofileLimit(t));
}

// Record locks (F_GETLK/F_SETLK/F_SETLKW and the OFD forms). Nothing the
// sandbox can open is writable and shared yet, so no lock can conflict:
// read locks and unlocks succeed, write locks need a writable description
// (EBADF otherwise, as Linux), F_GETLK reports F_UNLCK. l_type is the first
// member of every struct flock layout, so both ABIs share this.
int64_t DoLock(Task& t, vfs::FileDescription& f, int cmd, uint64_t arg) {
  int16_t type;
  if (t.CopyInObj(arg, &type) < 0) return -EFAULT;
  if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) return -EINVAL;
  if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
    int16_t unlocked = F_UNLCK;
    return t.CopyOutObj(arg, unlocked) < 0 ? -EFAULT : 0;
  }
  if (type == F_RDLCK && !f.IsReadable()) return -EBADF;
  if (type == F_WRLCK && !f.IsWritable()) return -EBADF;
  return 0;
}

// i386 fcntl64's 64-bit lock commands.
constexpr int kFGetlk64 = 12;
constexpr int kFSetlk64 = 13;
constexpr int kFSetlkw64 = 14;

}  // namespace

int64_t SysOpen(Task& t, const SyscallArgs& a) {
  return DoOpen(t, AT_FDCWD, a.Ptr(0), a.Int(1),
                static_cast<mode_t>(a.UInt(2)));
}

int64_t SysOpenat(Task& t, const SyscallArgs& a) {
  return DoOpen(t, a.Int(0), a.Ptr(1), a.Int(2),
                static_cast<mode_t>(a.UInt(3)));
}

int64_t SysCreat(Task& t, const SyscallArgs& a) {
  return DoOpen(t, AT_FDCWD, a.Ptr(0), O_CREAT | O_WRONLY | O_TRUNC,
                static_cast<mode_t>(a.UInt(1)));
}

int64_t SysClose(Task& t, const SyscallArgs& a) {
  return t.fds().Close(a.Int(0));
}

int64_t SysCloseRange(Task& t, const SyscallArgs& a) {
  unsigned first = a.UInt(0);
  unsigned last = a.UInt(1);
  unsigned flags = a.UInt(2);
  if (flags & ~static_cast<unsigned>(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) {
    return -EINVAL;
  }
  if (first > last) return -EINVAL;
  if (flags & CLOSE_RANGE_UNSHARE) {
    // This task gets its own copy of the table first.
    t.set_fds(t.fds().Fork());
  }
  t.fds().CloseRange(first, last, flags & CLOSE_RANGE_CLOEXEC);
  return 0;
}

int64_t SysDup(Task& t, const SyscallArgs& a) {
  return t.fds().Dup(a.Int(0), 0, false, NofileLimit(t));
}

int64_t SysDup2(Task& t, const SyscallArgs& a) {
  int oldfd = a.Int(0);
  int newfd = a.Int(1);
  if (oldfd == newfd) return GetFile(t, oldfd) ? newfd : -EBADF;
  return t.fds().Dup2(oldfd, newfd, false, NofileLimit(t));
}

int64_t SysDup3(Task& t, const SyscallArgs& a) {
  int oldfd = a.Int(0);
  int newfd = a.Int(1);
  int flags = a.Int(2);
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd == newfd) return -EINVAL;
  return t.fds().Dup2(oldfd, newfd, flags & O_CLOEXEC, NofileLimit(t));
}

int64_t SysFcntl(Task& t, const SyscallArgs& a) {
  int fd = a.Int(0);
  int cmd = a.Int(1);
  uint64_t arg = a.U64(2);
  bool cloexec = false;
  auto f = t.fds().Get(fd, &cloexec);
  if (!f) return -EBADF;
  if (f->IsPathOnly() && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
      cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) {
    return -EBADF;
  }
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      uint64_t limit = NofileLimit(t);
      // The minimum is an unsigned long (unsigned int for i386).
      uint64_t min = t.current_syscall().arch == platform::Arch::kI386
                         ? static_cast<uint32_t>(arg)
                         : arg;
      if (min >= limit || min >= vfs::kNrOpen) return -EINVAL;
      return t.fds().Dup(fd, static_cast<int>(min), cmd == F_DUPFD_CLOEXEC,
                         limit);
    }
    case F_GETFD:
      return cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      return t.fds().SetCloseOnExec(fd, arg & FD_CLOEXEC);
    case F_GETFL:
      return f->status_flags();
    case F_SETFL:
      return f->SetStatusFlags(static_cast<int>(arg));
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return DoLock(t, *f, cmd, arg);
    case kFGetlk64:
    case kFSetlk64:
    case kFSetlkw64:
      if (t.current_syscall().arch != platform::Arch::kI386) return -EINVAL;
      return DoLock(t, *f, cmd == kFGetlk64 ? F_GETLK : F_SETLK, arg);
    case F_GETPIPE_SZ:
      if (!dynamic_cast<fs::PipeFile*>(f.get())) return -EBADF;
      return static_cast<int64_t>(fs::kPipeCapacity);
    default:
      return -EINVAL;
  }
}

int64_t SysIoctl(Task& t, const SyscallArgs& a) {
  int fd = a.Int(0);
  // The request is an unsigned int in the kernel.
  uint32_t cmd = a.UInt(1);
  uint64_t arg = a.U64(2);
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  if (f->IsPathOnly()) return -EBADF;
  switch (cmd) {
    case FIOCLEX:
      return t.fds().SetCloseOnExec(fd, true);
    case FIONCLEX:
      return t.fds().SetCloseOnExec(fd, false);
    case FIONBIO:
    case FIOASYNC: {
      int on;
      if (t.CopyInObj(arg, &on) < 0) return -EFAULT;
      int bit = cmd == FIONBIO ? O_NONBLOCK : O_ASYNC;
      int flags = f->status_flags();
      return f->SetStatusFlags(on ? (flags | bit) : (flags & ~bit));
    }
    default:
      return f->Ioctl(t, cmd, arg);
  }
}

int64_t SysUmask(Task& t, const SyscallArgs& a) {
  return t.fs().SwapUmask(static_cast<mode_t>(a.UInt(0)) & 0777);
}

}  // namespace sentry
