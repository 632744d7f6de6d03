// Namespace and attribute syscalls: mkdir, rmdir, unlink, rename, link,
// symlink, mknod; chmod, chown, utimes, truncate; fallocate; the sync
// family; statfs; flock. The generic checks live in the VFS
// (namespace_ops.cc); these handlers decode arguments and apply the
// ownership rules of chmod/chown/utimes.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "abi/linux/statfs.h"
#include "abi/linux/time.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/lock.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

using R = vfs::SetAttrRequest;

// utimensat's special nanosecond values.
constexpr int64_t kUtimeNow = (1l << 30) - 1;
constexpr int64_t kUtimeOmit = (1l << 30) - 2;

// A path argument and where its walk starts.
struct PathArg {
  std::string path;
  vfs::VirtualDentry start;
};

int64_t GetPathArg(Task& t, int dirfd, uint64_t addr, PathArg* out) {
  int64_t r = CopyInPath(t, addr, &out->path);
  if (r < 0) return r;
  if (out->path.empty()) return -ENOENT;
  return WalkStart(t, dirfd, out->path, &out->start);
}

vfs::VirtualFilesystem& Vfs(Task& t) { return t.kernel().vfs(); }

// Linux's new_decode_dev for mknod's dev argument.
dev_t DecodeDev(uint32_t dev) {
  unsigned maj = (dev & 0xfff00) >> 8;
  unsigned min = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  return makedev(maj, min);
}

int64_t DoMkdir(Task& t, int dirfd, uint64_t path, mode_t mode) {
  PathArg p;
  int64_t r = GetPathArg(t, dirfd, path, &p);
  if (r < 0) return r;
  mode = mode & 07777 & ~t.fs().umask();
  return Vfs(t).MkdirAt(t.fs().root(), p.start, p.path, mode & 01777,
                        FileCredentials(t));
}

int64_t DoMknod(Task& t, int dirfd, uint64_t path, mode_t mode,
                uint32_t dev) {
  PathArg p;
  int64_t r = GetPathArg(t, dirfd, path, &p);
  if (r < 0) return r;
  mode_t type = mode & S_IFMT;
  mode_t perm = mode & 07777 & ~t.fs().umask();
  return Vfs(t).MknodAt(t.fs().root(), p.start, p.path, type | perm,
                        DecodeDev(dev), FileCredentials(t));
}

int64_t DoUnlink(Task& t, int dirfd, uint64_t path, int flags) {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  PathArg p;
  int64_t r = GetPathArg(t, dirfd, path, &p);
  if (r < 0) return r;
  if (flags & AT_REMOVEDIR) {
    return Vfs(t).RmdirAt(t.fs().root(), p.start, p.path, FileCredentials(t));
  }
  return Vfs(t).UnlinkAt(t.fs().root(), p.start, p.path, FileCredentials(t));
}

int64_t DoRename(Task& t, int olddirfd, uint64_t oldpath, int newdirfd,
                 uint64_t newpath, unsigned flags) {
  PathArg o, n;
  int64_t r = GetPathArg(t, olddirfd, oldpath, &o);
  if (r < 0) return r;
  r = GetPathArg(t, newdirfd, newpath, &n);
  if (r < 0) return r;
  return Vfs(t).RenameAt(t.fs().root(), o.start, o.path, n.start, n.path,
                         flags, FileCredentials(t));
}

int64_t DoLink(Task& t, int olddirfd, uint64_t oldpath, int newdirfd,
               uint64_t newpath, int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  AtTarget old;
  int64_t r = ResolveAt(t, olddirfd, oldpath, flags & AT_EMPTY_PATH,
                        flags & AT_SYMLINK_FOLLOW, &old);
  if (r < 0) return r;
  if (!old.vd.ok()) return -EXDEV;  // a pipe or other anonymous file
  PathArg n;
  r = GetPathArg(t, newdirfd, newpath, &n);
  if (r < 0) return r;
  return Vfs(t).LinkAt(t.fs().root(), old.vd, n.start, n.path,
                       FileCredentials(t));
}

int64_t DoSymlink(Task& t, uint64_t target_addr, int newdirfd,
                  uint64_t newpath) {
  std::string target;
  int64_t r = CopyInPath(t, target_addr, &target);
  if (r < 0) return r;
  PathArg n;
  r = GetPathArg(t, newdirfd, newpath, &n);
  if (r < 0) return r;
  return Vfs(t).SymlinkAt(t.fs().root(), n.start, n.path, target,
                          FileCredentials(t));
}

// The file an fd-or-path attribute call acts on.
int64_t FdTarget(Task& t, int fd, vfs::VirtualDentry* out) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  if (!f->location().ok()) return -EBADF;
  *out = f->location();
  return 0;
}

int64_t ChmodLocation(Task& t, const vfs::VirtualDentry& vd, mode_t mode) {
  if (vd.mount->ReadOnly()) return -EROFS;
  vfs::Credentials c = FileCredentials(t);
  uapi::Stat st;
  int64_t r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  if (!c.IsRoot() && c.uid != st.st_uid) return -EPERM;
  mode &= 07777;
  // Without being root, the set-group-ID bit needs the file's group.
  if (!c.IsRoot() && c.gid != st.st_gid) mode &= ~S_ISGID;
  R req;
  req.mask = R::kMode;
  req.mode = mode;
  return Vfs(t).SetAttr(vd, req);
}

int64_t ChownLocation(Task& t, const vfs::VirtualDentry& vd, uint32_t uid,
                      uint32_t gid) {
  if (vd.mount->ReadOnly()) return -EROFS;
  vfs::Credentials c = FileCredentials(t);
  uapi::Stat st;
  int64_t r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  const uint32_t kNone = static_cast<uint32_t>(-1);
  R req;
  // Linux's chown_ok/chgrp_ok: without privilege, only the owner, and only
  // to its own uid and to a group it is in (or the file's group).
  if (uid != kNone) {
    if (!c.IsRoot() && !(c.uid == st.st_uid && uid == st.st_uid)) {
      return -EPERM;
    }
    req.mask |= R::kUid;
    req.uid = uid;
  }
  if (gid != kNone) {
    if (!c.IsRoot() &&
        !(c.uid == st.st_uid && (gid == c.gid || gid == st.st_gid))) {
      return -EPERM;
    }
    req.mask |= R::kGid;
    req.gid = gid;
  }
  if (!S_ISDIR(st.st_mode)) req.mask |= R::kKillSuid;
  return Vfs(t).SetAttr(vd, req);
}

int64_t DoChownAt(Task& t, int dirfd, uint64_t path, uint32_t uid,
                  uint32_t gid, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  AtTarget target;
  int64_t r = ResolveAt(t, dirfd, path, flags & AT_EMPTY_PATH,
                        !(flags & AT_SYMLINK_NOFOLLOW), &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EBADF;
  return ChownLocation(t, target.vd, uid, gid);
}

uint32_t Uid16(uint32_t v) {
  return (v & 0xffff) == 0xffff ? static_cast<uint32_t>(-1) : (v & 0xffff);
}

// utimes-style update: `ts` null for "now" (both), else two timespecs
// whose tv_nsec may be UTIME_NOW or UTIME_OMIT.
int64_t UtimesLocation(Task& t, const vfs::VirtualDentry& vd,
                       const uapi::Timespec* ts) {
  R req;
  bool explicit_time = false;
  if (!ts) {
    req.mask = R::kAtimeNow | R::kMtimeNow;
  } else {
    for (int i = 0; i < 2; ++i) {
      int64_t ns = ts[i].tv_nsec;
      if (ns == kUtimeOmit) continue;
      if (ns == kUtimeNow) {
        req.mask |= i == 0 ? R::kAtimeNow : R::kMtimeNow;
        continue;
      }
      if (ns < 0 || ns >= uapi::kNanosPerSecond) return -EINVAL;
      explicit_time = true;
      if (i == 0) {
        req.mask |= R::kAtime;
        req.atime = ts[0];
      } else {
        req.mask |= R::kMtime;
        req.mtime = ts[1];
      }
    }
  }
  if (vd.mount->ReadOnly()) return -EROFS;
  vfs::Credentials c = FileCredentials(t);
  if (!c.IsRoot()) {
    uapi::Stat st;
    int64_t r = vd.dentry->Stat(&st);
    if (r < 0) return r;
    if (c.uid != st.st_uid) {
      if (explicit_time) return -EPERM;
      r = vfs::CheckPermission(c, st.st_mode, st.st_uid, st.st_gid,
                               vfs::kMayWrite);
      if (r < 0) return r;
    }
  }
  return Vfs(t).SetAttr(vd, req);
}

int64_t DoUtimensat(Task& t, int dirfd, uint64_t path, const uapi::Timespec* ts,
                    int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  if (ts) {
    for (int i = 0; i < 2; ++i) {
      int64_t ns = ts[i].tv_nsec;
      if (ns != kUtimeNow && ns != kUtimeOmit &&
          (ns < 0 || ns >= uapi::kNanosPerSecond)) {
        return -EINVAL;
      }
    }
  }
  vfs::VirtualDentry vd;
  if (path == 0) {
    // utimensat(fd, NULL, ...) is futimens(fd).
    if (flags & AT_SYMLINK_NOFOLLOW) return -EINVAL;
    if (dirfd == AT_FDCWD) return -EFAULT;
    int64_t r = FdTarget(t, dirfd, &vd);
    if (r < 0) return r;
  } else {
    AtTarget target;
    int64_t r = ResolveAt(t, dirfd, path, flags & AT_EMPTY_PATH,
                          !(flags & AT_SYMLINK_NOFOLLOW), &target);
    if (r < 0) return r;
    if (!target.vd.ok()) return -EBADF;
    vd = target.vd;
  }
  return UtimesLocation(t, vd, ts);
}

// Reads a struct timeval[2] (native or compat) as timespecs.
int64_t CopyInTimevals(Task& t, uint64_t addr, bool compat,
                       uapi::Timespec out[2]) {
  for (int i = 0; i < 2; ++i) {
    int64_t sec, usec;
    if (compat) {
      uapi::Timeval32 tv;
      if (t.CopyInObj(addr + i * sizeof(tv), &tv) < 0) return -EFAULT;
      sec = tv.tv_sec;
      usec = tv.tv_usec;
    } else {
      uapi::Timeval tv;
      if (t.CopyInObj(addr + i * sizeof(tv), &tv) < 0) return -EFAULT;
      sec = tv.tv_sec;
      usec = tv.tv_usec;
    }
    if (usec < 0 || usec >= uapi::kMicrosPerSecond) return -EINVAL;
    out[i] = uapi::Timespec{sec, usec * 1000};
  }
  return 0;
}

int64_t DoUtimes(Task& t, int dirfd, uint64_t path, uint64_t tv_addr,
                 bool compat) {
  uapi::Timespec ts[2];
  const uapi::Timespec* p = nullptr;
  if (tv_addr) {
    int64_t r = CopyInTimevals(t, tv_addr, compat, ts);
    if (r < 0) return r;
    p = ts;
  }
  return DoUtimensat(t, dirfd, path, p, 0);
}

int64_t DoUtime(Task& t, uint64_t path, uint64_t buf_addr, bool compat) {
  uapi::Timespec ts[2];
  const uapi::Timespec* p = nullptr;
  if (buf_addr) {
    if (compat) {
      int32_t b[2];
      if (t.CopyIn(buf_addr, b, sizeof(b)) < 0) return -EFAULT;
      ts[0] = {b[0], 0};
      ts[1] = {b[1], 0};
    } else {
      int64_t b[2];
      if (t.CopyIn(buf_addr, b, sizeof(b)) < 0) return -EFAULT;
      ts[0] = {b[0], 0};
      ts[1] = {b[1], 0};
    }
    p = ts;
  }
  return DoUtimensat(t, AT_FDCWD, path, p, 0);
}

int64_t DoTruncatePath(Task& t, uint64_t path, int64_t length) {
  if (length < 0) return -EINVAL;
  AtTarget target;
  int64_t r = ResolveAt(t, AT_FDCWD, path, false, true, &target);
  if (r < 0) return r;
  const vfs::VirtualDentry& vd = target.vd;
  if (vd.dentry->IsDir()) return -EISDIR;
  if (!vd.dentry->IsRegular()) return -EINVAL;
  if (vd.mount->ReadOnly()) return -EROFS;
  vfs::Credentials c = FileCredentials(t);
  if (!c.IsRoot()) {
    uapi::Stat st;
    r = vd.dentry->Stat(&st);
    if (r < 0) return r;
    r = vfs::CheckPermission(c, st.st_mode, st.st_uid, st.st_gid,
                             vfs::kMayWrite);
    if (r < 0) return r;
  }
  R req;
  req.mask = R::kSize;
  req.size = static_cast<uint64_t>(length);
  return Vfs(t).SetAttr(vd, req);
}

int64_t DoFtruncate(Task& t, int fd, int64_t length) {
  if (length < 0) return -EINVAL;
  auto f = GetFile(t, fd);
  if (!f || f->IsPathOnly()) return -EBADF;
  if (!f->IsWritable()) return -EINVAL;
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  if (!S_ISREG(st.st_mode)) return -EINVAL;
  if (f->status_flags() & O_APPEND) return -EPERM;
  r = f->Truncate(static_cast<uint64_t>(length));
  if (r == 0) vfs::fsnotify::Notify(f->location(), vfs::kInModify);
  return r;
}

int64_t StatfsOut(Task& t, const vfs::VirtualDentry& vd, uint64_t addr,
                  int abi) {
  uapi::Statfs s;
  int64_t r = vfs::VirtualFilesystem::Statfs(vd, &s);
  if (r < 0) return r;
  switch (abi) {
    case 0:
      return t.CopyOutObj(addr, s) < 0 ? -EFAULT : 0;
    case 1: {
      uapi::StatfsI386 c{};
      auto fit = [](uint64_t v) { return v > 0xffffffffu; };
      if (fit(s.f_blocks) || fit(s.f_bfree) || fit(s.f_bavail) ||
          fit(s.f_files) || fit(s.f_ffree)) {
        // compat_statfs cannot hold it; Linux scales blocks, we refuse.
        return -EOVERFLOW;
      }
      c.f_type = static_cast<uint32_t>(s.f_type);
      c.f_bsize = static_cast<uint32_t>(s.f_bsize);
      c.f_blocks = static_cast<uint32_t>(s.f_blocks);
      c.f_bfree = static_cast<uint32_t>(s.f_bfree);
      c.f_bavail = static_cast<uint32_t>(s.f_bavail);
      c.f_files = static_cast<uint32_t>(s.f_files);
      c.f_ffree = static_cast<uint32_t>(s.f_ffree);
      std::memcpy(c.f_fsid, s.f_fsid, sizeof(c.f_fsid));
      c.f_namelen = static_cast<uint32_t>(s.f_namelen);
      c.f_frsize = static_cast<uint32_t>(s.f_frsize);
      c.f_flags = static_cast<uint32_t>(s.f_flags);
      return t.CopyOutObj(addr, c) < 0 ? -EFAULT : 0;
    }
    default: {
      uapi::Statfs64I386 c{};
      c.f_type = static_cast<uint32_t>(s.f_type);
      c.f_bsize = static_cast<uint32_t>(s.f_bsize);
      c.f_blocks = s.f_blocks;
      c.f_bfree = s.f_bfree;
      c.f_bavail = s.f_bavail;
      c.f_files = s.f_files;
      c.f_ffree = s.f_ffree;
      std::memcpy(c.f_fsid, s.f_fsid, sizeof(c.f_fsid));
      c.f_namelen = static_cast<uint32_t>(s.f_namelen);
      c.f_frsize = static_cast<uint32_t>(s.f_frsize);
      c.f_flags = static_cast<uint32_t>(s.f_flags);
      return t.CopyOutObj(addr, c) < 0 ? -EFAULT : 0;
    }
  }
}

int64_t DoStatfsPath(Task& t, uint64_t path, uint64_t buf, int abi) {
  AtTarget target;
  int64_t r = ResolveAt(t, AT_FDCWD, path, false, true, &target);
  if (r < 0) return r;
  return StatfsOut(t, target.vd, buf, abi);
}

int64_t DoFstatfs(Task& t, int fd, uint64_t buf, int abi) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  if (!f->location().ok()) {
    // pipefs / anon_inodefs.
    uapi::Stat st;
    bool pipe = f->Stat(&st) == 0 && S_ISFIFO(st.st_mode);
    uapi::Statfs s{};
    s.f_type = pipe ? uapi::kPipefsMagic : uapi::kAnonInodeFsMagic;
    s.f_bsize = 4096;
    s.f_frsize = 4096;
    s.f_namelen = 255;
    s.f_flags = uapi::kStValid;
    if (abi == 0) return t.CopyOutObj(buf, s) < 0 ? -EFAULT : 0;
    if (abi == 1) {
      uapi::StatfsI386 c{};
      c.f_type = static_cast<uint32_t>(s.f_type);
      c.f_bsize = 4096;
      c.f_frsize = 4096;
      c.f_namelen = 255;
      c.f_flags = static_cast<uint32_t>(s.f_flags);
      return t.CopyOutObj(buf, c) < 0 ? -EFAULT : 0;
    }
    uapi::Statfs64I386 c{};
    c.f_type = static_cast<uint32_t>(s.f_type);
    c.f_bsize = 4096;
    c.f_frsize = 4096;
    c.f_namelen = 255;
    c.f_flags = static_cast<uint32_t>(s.f_flags);
    return t.CopyOutObj(buf, c) < 0 ? -EFAULT : 0;
  }
  return StatfsOut(t, f->location(), buf, abi);
}

int64_t DoFsync(Task& t, int fd, bool datasync) {
  auto f = GetFile(t, fd);
  if (!f || f->IsPathOnly()) return -EBADF;
  return f->Fsync(datasync);
}

}  // namespace

int64_t SysMkdir(Task& t, const SyscallArgs& a) {
  return DoMkdir(t, AT_FDCWD, a.Ptr(0), a.UInt(1));
}
int64_t SysMkdirat(Task& t, const SyscallArgs& a) {
  return DoMkdir(t, a.Int(0), a.Ptr(1), a.UInt(2));
}
int64_t SysMknod(Task& t, const SyscallArgs& a) {
  return DoMknod(t, AT_FDCWD, a.Ptr(0), a.UInt(1), a.UInt(2));
}
int64_t SysMknodat(Task& t, const SyscallArgs& a) {
  return DoMknod(t, a.Int(0), a.Ptr(1), a.UInt(2), a.UInt(3));
}
int64_t SysRmdir(Task& t, const SyscallArgs& a) {
  return DoUnlink(t, AT_FDCWD, a.Ptr(0), AT_REMOVEDIR);
}
int64_t SysUnlink(Task& t, const SyscallArgs& a) {
  return DoUnlink(t, AT_FDCWD, a.Ptr(0), 0);
}
int64_t SysUnlinkat(Task& t, const SyscallArgs& a) {
  return DoUnlink(t, a.Int(0), a.Ptr(1), a.Int(2));
}
int64_t SysRename(Task& t, const SyscallArgs& a) {
  return DoRename(t, AT_FDCWD, a.Ptr(0), AT_FDCWD, a.Ptr(1), 0);
}
int64_t SysRenameat(Task& t, const SyscallArgs& a) {
  return DoRename(t, a.Int(0), a.Ptr(1), a.Int(2), a.Ptr(3), 0);
}
int64_t SysRenameat2(Task& t, const SyscallArgs& a) {
  return DoRename(t, a.Int(0), a.Ptr(1), a.Int(2), a.Ptr(3), a.UInt(4));
}
int64_t SysLink(Task& t, const SyscallArgs& a) {
  return DoLink(t, AT_FDCWD, a.Ptr(0), AT_FDCWD, a.Ptr(1), 0);
}
int64_t SysLinkat(Task& t, const SyscallArgs& a) {
  return DoLink(t, a.Int(0), a.Ptr(1), a.Int(2), a.Ptr(3), a.Int(4));
}
int64_t SysSymlink(Task& t, const SyscallArgs& a) {
  return DoSymlink(t, a.Ptr(0), AT_FDCWD, a.Ptr(1));
}
int64_t SysSymlinkat(Task& t, const SyscallArgs& a) {
  return DoSymlink(t, a.Ptr(0), a.Int(1), a.Ptr(2));
}

int64_t SysChmod(Task& t, const SyscallArgs& a) {
  AtTarget target;
  int64_t r = ResolveAt(t, AT_FDCWD, a.Ptr(0), false, true, &target);
  if (r < 0) return r;
  return ChmodLocation(t, target.vd, a.UInt(1));
}

int64_t SysFchmod(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f || f->IsPathOnly()) return -EBADF;
  if (!f->location().ok()) return -EBADF;
  return ChmodLocation(t, f->location(), a.UInt(1));
}

int64_t SysFchmodat(Task& t, const SyscallArgs& a) {
  AtTarget target;
  int64_t r = ResolveAt(t, a.Int(0), a.Ptr(1), false, true, &target);
  if (r < 0) return r;
  return ChmodLocation(t, target.vd, a.UInt(2));
}

int64_t SysFchmodat2(Task& t, const SyscallArgs& a) {
  int flags = a.Int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  AtTarget target;
  int64_t r = ResolveAt(t, a.Int(0), a.Ptr(1), flags & AT_EMPTY_PATH,
                        !(flags & AT_SYMLINK_NOFOLLOW), &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EBADF;
  if (target.vd.dentry->IsSymlink()) return -EOPNOTSUPP;
  return ChmodLocation(t, target.vd, a.UInt(2));
}

int64_t SysChown(Task& t, const SyscallArgs& a) {
  return DoChownAt(t, AT_FDCWD, a.Ptr(0), a.UInt(1), a.UInt(2), 0);
}
int64_t SysLchown(Task& t, const SyscallArgs& a) {
  return DoChownAt(t, AT_FDCWD, a.Ptr(0), a.UInt(1), a.UInt(2),
                   AT_SYMLINK_NOFOLLOW);
}
int64_t SysFchown(Task& t, const SyscallArgs& a) {
  vfs::VirtualDentry vd;
  auto f = GetFile(t, a.Int(0));
  if (!f || f->IsPathOnly()) return -EBADF;
  int64_t r = FdTarget(t, a.Int(0), &vd);
  if (r < 0) return r;
  return ChownLocation(t, vd, a.UInt(1), a.UInt(2));
}
int64_t SysFchownat(Task& t, const SyscallArgs& a) {
  return DoChownAt(t, a.Int(0), a.Ptr(1), a.UInt(2), a.UInt(3), a.Int(4));
}
int64_t SysChown16I386(Task& t, const SyscallArgs& a) {
  return DoChownAt(t, AT_FDCWD, a.Ptr(0), Uid16(a.UInt(1)), Uid16(a.UInt(2)),
                   0);
}
int64_t SysLchown16I386(Task& t, const SyscallArgs& a) {
  return DoChownAt(t, AT_FDCWD, a.Ptr(0), Uid16(a.UInt(1)), Uid16(a.UInt(2)),
                   AT_SYMLINK_NOFOLLOW);
}
int64_t SysFchown16I386(Task& t, const SyscallArgs& a) {
  SyscallArgs b = a;
  b.a[1] = Uid16(a.UInt(1));
  b.a[2] = Uid16(a.UInt(2));
  return SysFchown(t, b);
}

int64_t SysUtimensat(Task& t, const SyscallArgs& a) {
  uapi::Timespec ts[2];
  const uapi::Timespec* p = nullptr;
  if (a.Ptr(2)) {
    if (t.CopyIn(a.Ptr(2), ts, sizeof(ts)) < 0) return -EFAULT;
    p = ts;
  }
  return DoUtimensat(t, a.Int(0), a.Ptr(1), p, a.Int(3));
}

int64_t SysUtimensat32I386(Task& t, const SyscallArgs& a) {
  uapi::Timespec ts[2];
  const uapi::Timespec* p = nullptr;
  if (a.Ptr(2)) {
    uapi::Timespec32 t32[2];
    if (t.CopyIn(a.Ptr(2), t32, sizeof(t32)) < 0) return -EFAULT;
    for (int i = 0; i < 2; ++i) ts[i] = {t32[i].tv_sec, t32[i].tv_nsec};
    p = ts;
  }
  return DoUtimensat(t, a.Int(0), a.Ptr(1), p, a.Int(3));
}

int64_t SysUtimes(Task& t, const SyscallArgs& a) {
  return DoUtimes(t, AT_FDCWD, a.Ptr(0), a.Ptr(1), false);
}
int64_t SysFutimesat(Task& t, const SyscallArgs& a) {
  return DoUtimes(t, a.Int(0), a.Ptr(1), a.Ptr(2), false);
}
int64_t SysUtime(Task& t, const SyscallArgs& a) {
  return DoUtime(t, a.Ptr(0), a.Ptr(1), false);
}
int64_t SysUtimesI386(Task& t, const SyscallArgs& a) {
  return DoUtimes(t, AT_FDCWD, a.Ptr(0), a.Ptr(1), true);
}
int64_t SysFutimesatI386(Task& t, const SyscallArgs& a) {
  return DoUtimes(t, a.Int(0), a.Ptr(1), a.Ptr(2), true);
}
int64_t SysUtimeI386(Task& t, const SyscallArgs& a) {
  return DoUtime(t, a.Ptr(0), a.Ptr(1), true);
}

int64_t SysTruncate(Task& t, const SyscallArgs& a) {
  return DoTruncatePath(t, a.Ptr(0), a.Long(1));
}
int64_t SysFtruncate(Task& t, const SyscallArgs& a) {
  return DoFtruncate(t, a.Int(0), a.Long(1));
}
int64_t SysTruncate64I386(Task& t, const SyscallArgs& a) {
  return DoTruncatePath(
      t, a.Ptr(0), static_cast<int64_t>((a.U64(2) << 32) | (a.U64(1) & 0xffffffffu)));
}
int64_t SysFtruncate64I386(Task& t, const SyscallArgs& a) {
  return DoFtruncate(
      t, a.Int(0), static_cast<int64_t>((a.U64(2) << 32) | (a.U64(1) & 0xffffffffu)));
}

namespace {

int64_t DoFallocate(Task& t, int fd, int mode, int64_t offset, int64_t len) {
  constexpr int kSupported = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
                             FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |
                             FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;
  auto f = GetFile(t, fd);
  if (!f || f->IsPathOnly()) return -EBADF;
  if (offset < 0 || len <= 0) return -EINVAL;
  if (mode & ~kSupported) return -EOPNOTSUPP;
  if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) ==
      (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    return -EOPNOTSUPP;
  }
  if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)) {
    return -EOPNOTSUPP;
  }
  if (!f->IsWritable()) return -EBADF;
  if (f->status_flags() & O_APPEND && (mode & ~FALLOC_FL_KEEP_SIZE)) {
    return -EPERM;
  }
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  if (S_ISFIFO(st.st_mode)) return -ESPIPE;
  if (S_ISDIR(st.st_mode)) return -EISDIR;
  if (!S_ISREG(st.st_mode)) return -ENODEV;
  int64_t end;
  if (__builtin_add_overflow(offset, len, &end)) return -EFBIG;
  return f->Allocate(mode, static_cast<uint64_t>(offset),
                     static_cast<uint64_t>(len));
}

}  // namespace

int64_t SysFallocate(Task& t, const SyscallArgs& a) {
  return DoFallocate(t, a.Int(0), a.Int(1), static_cast<int64_t>(a.U64(2)),
                     static_cast<int64_t>(a.U64(3)));
}
int64_t SysFallocateI386(Task& t, const SyscallArgs& a) {
  int64_t off = static_cast<int64_t>((a.U64(3) << 32) | (a.U64(2) & 0xffffffffu));
  int64_t len = static_cast<int64_t>((a.U64(5) << 32) | (a.U64(4) & 0xffffffffu));
  return DoFallocate(t, a.Int(0), a.Int(1), off, len);
}

int64_t SysFsync(Task& t, const SyscallArgs& a) {
  return DoFsync(t, a.Int(0), false);
}
int64_t SysFdatasync(Task& t, const SyscallArgs& a) {
  return DoFsync(t, a.Int(0), true);
}
int64_t SysSync(Task& t, const SyscallArgs& a) { return 0; }
int64_t SysSyncfs(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  return f ? 0 : -EBADF;
}
int64_t SysSyncFileRange(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  int64_t off = static_cast<int64_t>(a.U64(1));
  int64_t n = static_cast<int64_t>(a.U64(2));
  unsigned flags = a.UInt(3);
  if (flags & ~7u) return -EINVAL;
  if (off < 0 || n < 0) return -EINVAL;
  if (!f || f->IsPathOnly()) return -EBADF;
  uapi::Stat st;
  if (f->Stat(&st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
      !S_ISLNK(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return -ESPIPE;
  }
  return 0;
}

namespace {

// posix_fadvise: advice is only a hint; check the arguments as Linux does.
int64_t DoFadvise(Task& t, int fd, int64_t len, int advice) {
  auto f = GetFile(t, fd);
  if (!f || f->IsPathOnly()) return -EBADF;
  uapi::Stat st;
  if (f->Stat(&st) == 0 && S_ISFIFO(st.st_mode)) return -ESPIPE;
  if (len < 0 || advice < 0 || advice > 5) return -EINVAL;
  return 0;
}

}  // namespace

int64_t SysFadvise64(Task& t, const SyscallArgs& a) {
  return DoFadvise(t, a.Int(0), a.Long(2), a.Int(3));
}
// i386 fadvise64(fd, off_lo, off_hi, len, advice).
int64_t SysFadvise64I386(Task& t, const SyscallArgs& a) {
  return DoFadvise(t, a.Int(0), static_cast<int32_t>(a.UInt(3)), a.Int(4));
}
// i386 fadvise64_64(fd, off_lo, off_hi, len_lo, len_hi, advice).
int64_t SysFadvise6464I386(Task& t, const SyscallArgs& a) {
  int64_t len = static_cast<int64_t>((a.U64(4) << 32) | (a.U64(3) & 0xffffffffu));
  return DoFadvise(t, a.Int(0), len, a.Int(5));
}

int64_t SysReadahead(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f || !f->IsReadable()) return -EBADF;
  uapi::Stat st;
  if (f->Stat(&st) < 0 || !S_ISREG(st.st_mode)) return -EINVAL;
  return 0;
}

int64_t SysStatfs(Task& t, const SyscallArgs& a) {
  return DoStatfsPath(t, a.Ptr(0), a.Ptr(1), 0);
}
int64_t SysFstatfs(Task& t, const SyscallArgs& a) {
  return DoFstatfs(t, a.Int(0), a.Ptr(1), 0);
}
int64_t SysStatfsI386(Task& t, const SyscallArgs& a) {
  return DoStatfsPath(t, a.Ptr(0), a.Ptr(1), 1);
}
int64_t SysFstatfsI386(Task& t, const SyscallArgs& a) {
  return DoFstatfs(t, a.Int(0), a.Ptr(1), 1);
}
int64_t SysStatfs64I386(Task& t, const SyscallArgs& a) {
  if (a.Size(1) != sizeof(uapi::Statfs64I386)) return -EINVAL;
  return DoStatfsPath(t, a.Ptr(0), a.Ptr(2), 2);
}
int64_t SysFstatfs64I386(Task& t, const SyscallArgs& a) {
  if (a.Size(1) != sizeof(uapi::Statfs64I386)) return -EINVAL;
  return DoFstatfs(t, a.Int(0), a.Ptr(2), 2);
}

int64_t SysFlock(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f || f->IsPathOnly()) return -EBADF;
  int op = a.Int(1);
  const bool nonblock = op & LOCK_NB;
  op &= ~LOCK_NB;
  if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN) return -EINVAL;
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  r = vfs::LockManager::Get().Flock(&t, st.st_dev, st.st_ino, f.get(), op,
                                    nonblock);
  if (r < 0) return r;
  if (op != LOCK_UN) f->NoteLocked(st.st_dev, st.st_ino);
  return 0;
}

int64_t SysChroot(Task& t, const SyscallArgs& a) {
  std::string path;
  int64_t r = CopyInPath(t, a.Ptr(0), &path);
  if (r < 0) return r;
  if (path.empty()) return -ENOENT;
  vfs::VirtualDentry vd;
  vfs::LookupOptions opts;
  r = Vfs(t).GetDentryAt(t.fs().root(), t.fs().cwd(), path, opts,
                         FileCredentials(t), &vd);
  if (r < 0) return r;
  if (!vd.dentry->IsDir()) return -ENOTDIR;
  vfs::Credentials c = FileCredentials(t);
  uapi::Stat st;
  r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  r = vfs::CheckPermission(c, st.st_mode, st.st_uid, st.st_gid, vfs::kMayExec);
  if (r < 0) return r;
  if (!c.IsRoot()) return -EPERM;
  t.fs().SetRoot(vd);
  return 0;
}

}  // namespace sentry
