// open/close, descriptor duplication, fcntl, ioctl, umask.
#include "sentry/syscalls/sys_file.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "abi/linux/fcntl.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/lock.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

// What open(2) keeps of its flags (VALID_OPEN_FLAGS); openat2 refuses
// anything else.
constexpr int kValidOpenFlags =
    O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
    O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | vfs::kOLargefile |
    O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH |
    O_TMPFILE;

int64_t DoOpen(Task& t, int dirfd, uint64_t path_addr, int flags, mode_t mode,
               int resolve = 0) {
  std::string path;
  int64_t r = CopyInPath(t, path_addr, &path);
  if (r < 0) return r;
  if (path.empty()) return -ENOENT;
  // The kernel marks every open from 64-bit code O_LARGEFILE.
  if (t.current_syscall().arch == platform::Arch::kAmd64) {
    flags |= vfs::kOLargefile;
  }
  if (flags & uapi::kOTmpfileBit) {
    if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE) return -EINVAL;
    int acc = flags & O_ACCMODE;
    if (acc != O_WRONLY && acc != O_RDWR) return -EINVAL;
  } else if ((flags & O_CREAT) && (flags & O_DIRECTORY)) {
    return -EINVAL;
  }
  const bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
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
                              FileCredentials(t), &file, resolve);
  if (r < 0) return r;
  return t.fds().Install(std::move(file), flags & O_CLOEXEC, NofileLimit(t));
}

// struct flock as each ABI lays it out, decoded.
struct Flock {
  int16_t type;
  int16_t whence;
  int64_t start;
  int64_t len;
  int32_t pid;
};

enum class FlockAbi { kAmd64, kI386, kI386Flock64 };

int64_t CopyInFlock(Task& t, uint64_t addr, FlockAbi abi, Flock* out) {
  char buf[32];
  size_t size = abi == FlockAbi::kAmd64 ? 32 : abi == FlockAbi::kI386 ? 16 : 24;
  if (t.CopyIn(addr, buf, size) < 0) return -EFAULT;
  std::memcpy(&out->type, buf, 2);
  std::memcpy(&out->whence, buf + 2, 2);
  if (abi == FlockAbi::kAmd64) {
    std::memcpy(&out->start, buf + 8, 8);
    std::memcpy(&out->len, buf + 16, 8);
    std::memcpy(&out->pid, buf + 24, 4);
  } else if (abi == FlockAbi::kI386) {
    int32_t s, l;
    std::memcpy(&s, buf + 4, 4);
    std::memcpy(&l, buf + 8, 4);
    out->start = s;
    out->len = l;
    std::memcpy(&out->pid, buf + 12, 4);
  } else {
    std::memcpy(&out->start, buf + 4, 8);
    std::memcpy(&out->len, buf + 12, 8);
    std::memcpy(&out->pid, buf + 20, 4);
  }
  return 0;
}

int64_t CopyOutFlock(Task& t, uint64_t addr, FlockAbi abi, const Flock& f) {
  char buf[32] = {};
  size_t size = abi == FlockAbi::kAmd64 ? 32 : abi == FlockAbi::kI386 ? 16 : 24;
  // Keep the caller's padding bytes as they were.
  if (t.CopyIn(addr, buf, size) < 0) return -EFAULT;
  std::memcpy(buf, &f.type, 2);
  std::memcpy(buf + 2, &f.whence, 2);
  if (abi == FlockAbi::kAmd64) {
    std::memcpy(buf + 8, &f.start, 8);
    std::memcpy(buf + 16, &f.len, 8);
    std::memcpy(buf + 24, &f.pid, 4);
  } else if (abi == FlockAbi::kI386) {
    if (f.start > INT32_MAX || f.len > INT32_MAX) return -EOVERFLOW;
    int32_t s = static_cast<int32_t>(f.start), l = static_cast<int32_t>(f.len);
    std::memcpy(buf + 4, &s, 4);
    std::memcpy(buf + 8, &l, 4);
    std::memcpy(buf + 12, &f.pid, 4);
  } else {
    std::memcpy(buf + 4, &f.start, 8);
    std::memcpy(buf + 12, &f.len, 8);
    std::memcpy(buf + 20, &f.pid, 4);
  }
  return t.CopyOut(addr, buf, size) < 0 ? -EFAULT : 0;
}

// Record locks: F_GETLK/F_SETLK/F_SETLKW (owned by the fd table) and the
// OFD forms (owned by the open file description).
int64_t DoLock(Task& t, const std::shared_ptr<vfs::FileDescription>& f,
               int cmd, uint64_t arg, FlockAbi abi) {
  Flock fl;
  if (CopyInFlock(t, arg, abi, &fl) < 0) return -EFAULT;
  const bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK ||
                   cmd == F_OFD_SETLKW;
  const bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
  const bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
  if (fl.type != F_RDLCK && fl.type != F_WRLCK && fl.type != F_UNLCK) {
    return -EINVAL;
  }
  if (ofd && fl.pid != 0) return -EINVAL;
  // The range, as flock_to_posix_lock computes it.
  int64_t base;
  switch (fl.whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = f->offset();
      break;
    case SEEK_END: {
      uapi::Stat st;
      int64_t r = f->Stat(&st);
      if (r < 0) return r;
      base = st.st_size;
      break;
    }
    default:
      return -EINVAL;
  }
  int64_t start;
  if (__builtin_add_overflow(base, fl.start, &start)) return -EOVERFLOW;
  if (start < 0) return -EINVAL;
  uint64_t end;
  if (fl.len > 0) {
    int64_t last;
    if (__builtin_add_overflow(start, fl.len - 1, &last)) return -EOVERFLOW;
    end = static_cast<uint64_t>(last) + 1;
  } else if (fl.len == 0) {
    end = vfs::kLockEof;
  } else {
    end = static_cast<uint64_t>(start);
    start += fl.len;
    if (start < 0) return -EINVAL;
  }
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  vfs::RecordLock want;
  want.start = static_cast<uint64_t>(start);
  want.end = end;
  want.ofd = ofd;
  want.owner = ofd ? static_cast<const void*>(f.get())
                   : static_cast<const void*>(&t.fds());
  want.pid = ofd ? -1 : t.thread_group().tgid();
  auto& locks = vfs::LockManager::Get();
  if (get) {
    if (fl.type == F_UNLCK) return -EINVAL;
    want.write = fl.type == F_WRLCK;
    vfs::RecordLock conflict;
    Flock out = fl;
    if (locks.TestRecordLock(st.st_dev, st.st_ino, want, &conflict)) {
      out.type = conflict.write ? F_WRLCK : F_RDLCK;
      out.whence = SEEK_SET;
      out.start = static_cast<int64_t>(conflict.start);
      out.len = conflict.end == vfs::kLockEof
                    ? 0
                    : static_cast<int64_t>(conflict.end - conflict.start);
      out.pid = conflict.pid;
    } else {
      out.type = F_UNLCK;
    }
    return CopyOutFlock(t, arg, abi, out);
  }
  if (fl.type == F_RDLCK && !f->IsReadable()) return -EBADF;
  if (fl.type == F_WRLCK && !f->IsWritable()) return -EBADF;
  r = locks.SetRecordLock(&t, st.st_dev, st.st_ino, want, fl.type, wait);
  if (r < 0) return r;
  if (ofd && fl.type != F_UNLCK) f->NoteLocked(st.st_dev, st.st_ino);
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

// openat2(dirfd, path, struct open_how*, size).
int64_t SysOpenat2(Task& t, const SyscallArgs& a) {
  constexpr uint64_t kOpenHowSize = 24;  // OPEN_HOW_SIZE_VER0
  uint64_t size = a.Size(3);
  if (size < kOpenHowSize) return -EINVAL;
  if (size > 4096) return -E2BIG;
  std::vector<char> raw(size);
  if (t.CopyIn(a.Ptr(2), raw.data(), size) < 0) return -EFAULT;
  for (uint64_t i = kOpenHowSize; i < size; ++i) {
    if (raw[i]) return -E2BIG;
  }
  uint64_t flags, mode, resolve;
  std::memcpy(&flags, raw.data(), 8);
  std::memcpy(&mode, raw.data() + 8, 8);
  std::memcpy(&resolve, raw.data() + 16, 8);
  if (flags & ~static_cast<uint64_t>(static_cast<uint32_t>(kValidOpenFlags))) {
    return -EINVAL;
  }
  if (resolve & ~static_cast<uint64_t>(vfs::kResolveAll)) return -EINVAL;
  if (mode & ~07777ull) return -EINVAL;
  int f = static_cast<int>(flags);
  if (!(f & O_CREAT) && (f & uapi::kOTmpfileBit) == 0 && mode != 0) return -EINVAL;
  if ((resolve & vfs::kResolveBeneath) && (resolve & vfs::kResolveInRoot)) {
    return -EINVAL;
  }
  if (f & O_PATH) {
    if (f & ~(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | vfs::kOLargefile)) {
      return -EINVAL;
    }
  }
  if ((resolve & vfs::kResolveCached) &&
      (f & (O_TRUNC | O_CREAT | uapi::kOTmpfileBit))) {
    return -EAGAIN;
  }
  return DoOpen(t, a.Int(0), a.Ptr(1), f, static_cast<mode_t>(mode),
                static_cast<int>(resolve & ~vfs::kResolveCached));
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
    case F_OFD_SETLKW: {
      const bool i386 = t.current_syscall().arch == platform::Arch::kI386;
      // OFD commands always take struct flock64; on i386 plain F_*LK take
      // the 32-bit struct flock.
      FlockAbi abi = !i386 ? FlockAbi::kAmd64
                     : (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW)
                         ? FlockAbi::kI386
                         : FlockAbi::kI386Flock64;
      return DoLock(t, f, cmd, arg, abi);
    }
    case kFGetlk64:
    case kFSetlk64:
    case kFSetlkw64:
      if (t.current_syscall().arch != platform::Arch::kI386) return -EINVAL;
      return DoLock(t, f,
                    cmd == kFGetlk64   ? F_GETLK
                    : cmd == kFSetlk64 ? F_SETLK
                                       : F_SETLKW,
                    arg, FlockAbi::kI386Flock64);
    case F_GETPIPE_SZ: {
      auto* p = dynamic_cast<fs::PipeFile*>(f.get());
      if (!p) return -EBADF;
      return static_cast<int64_t>(p->pipe().Capacity());
    }
    case F_SETPIPE_SZ: {
      auto* p = dynamic_cast<fs::PipeFile*>(f.get());
      if (!p) return -EBADF;
      uint64_t want = static_cast<uint32_t>(arg);
      uint64_t size = fs::RoundPipeSize(want);
      if (size == 0) return -EINVAL;
      if (size > fs::kPipeMaxSize && !FileCredentials(t).IsRoot()) {
        return -EPERM;
      }
      return p->pipe().SetCapacity(size);
    }
    case F_GETOWN:
    case F_GETSIG:
      return 0;
    case F_SETOWN:
    case F_SETSIG:
      return 0;
    case uapi::kFAddSeals: {
      // memfd_fcntl/memfd_add_seals: the argument is an unsigned int, the
      // description must be open for writing, then the bits must be known.
      if (arg > UINT32_MAX) return -EINVAL;
      if (!f->IsWritable()) return -EPERM;
      if (arg & ~static_cast<uint64_t>(uapi::kFAllSeals)) return -EINVAL;
      return f->AddSeals(static_cast<unsigned>(arg));
    }
    case uapi::kFGetSeals:
      return f->GetSeals();
    case F_GETLEASE:
      // No leases are ever granted (F_SETLEASE below).
      return F_UNLCK;
    case F_SETLEASE:
      // Leases are not supported by any filesystem here: Linux's answer
      // for such a filesystem (simple_nosetlease) is EINVAL for every
      // argument. Programs (Samba, NFS servers) fall back to no lease.
      return -EINVAL;
    case F_NOTIFY:
      // Directory notification (dnotify) is not built in; a kernel
      // without CONFIG_DNOTIFY answers EINVAL. inotify is the supported
      // way to watch a directory.
      return -EINVAL;
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
