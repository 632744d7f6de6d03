// stat family, statx, access family, readlink.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "abi/linux/stat.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

constexpr int kStatAtFlags = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
                             AT_NO_AUTOMOUNT;

// stat of (dirfd, path, flags) as newfstatat resolves it.
int64_t StatAt(Task& t, int dirfd, uint64_t path, int flags, uapi::Stat* st) {
  if (flags & ~kStatAtFlags) return -EINVAL;
  AtTarget target;
  int64_t r = ResolveAt(t, dirfd, path, flags & AT_EMPTY_PATH,
                        !(flags & AT_SYMLINK_NOFOLLOW), &target);
  if (r < 0) return r;
  return target.Stat(st);
}

int64_t CopyOutStat(Task& t, uint64_t addr, const uapi::Stat& st) {
  return t.CopyOutObj(addr, st) < 0 ? -EFAULT : 0;
}

// struct stat64 for i386 (cp_stat64): timestamps keep their low 32 bits.
int64_t CopyOutStat64(Task& t, uint64_t addr, const uapi::Stat& st) {
  uapi::Stat64I386 s;
  std::memset(&s, 0, sizeof(s));
  s.st_dev = st.st_dev;
  s.st_ino32 = static_cast<uint32_t>(st.st_ino);
  s.st_mode = st.st_mode;
  s.st_nlink = static_cast<uint32_t>(st.st_nlink);
  s.st_uid = st.st_uid;
  s.st_gid = st.st_gid;
  s.st_rdev = st.st_rdev;
  s.st_size = st.st_size;
  s.st_blksize = static_cast<uint32_t>(st.st_blksize);
  s.st_blocks = static_cast<uint64_t>(st.st_blocks);
  auto ts = [](const uapi::Timespec& t) {
    return uapi::Timespec32{static_cast<int32_t>(t.tv_sec),
                            static_cast<int32_t>(t.tv_nsec)};
  };
  s.st_atim = ts(st.st_atim);
  s.st_mtim = ts(st.st_mtim);
  s.st_ctim = ts(st.st_ctim);
  s.st_ino = st.st_ino;
  return t.CopyOutObj(addr, s) < 0 ? -EFAULT : 0;
}

int64_t DoAccess(Task& t, int dirfd, uint64_t path, int mode, int flags) {
  if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
    return -EINVAL;
  }
  AtTarget target;
  int64_t r = ResolveAt(t, dirfd, path, flags & AT_EMPTY_PATH,
                        !(flags & AT_SYMLINK_NOFOLLOW), &target);
  if (r < 0) return r;
  if (mode == F_OK) return 0;
  uapi::Stat st;
  r = target.Stat(&st);
  if (r < 0) return r;
  if ((mode & W_OK) && target.vd.ok() && target.vd.mount->ReadOnly() &&
      (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))) {
    return -EROFS;
  }
  int want = 0;
  if (mode & R_OK) want |= vfs::kMayRead;
  if (mode & W_OK) want |= vfs::kMayWrite;
  if (mode & X_OK) want |= vfs::kMayExec;
  r = vfs::CheckPermission(FileCredentials(t), st.st_mode, st.st_uid,
                           st.st_gid, want);
  if (r < 0) return r;
  if ((mode & X_OK) && target.vd.ok() && target.vd.mount->NoExec() &&
      S_ISREG(st.st_mode)) {
    return -EACCES;
  }
  return 0;
}

int64_t DoReadlink(Task& t, int dirfd, uint64_t path_addr, uint64_t buf,
                   int64_t size) {
  if (size <= 0) return -EINVAL;
  std::string path;
  int64_t r = CopyInPath(t, path_addr, &path);
  if (r < 0) return r;
  std::string target;
  if (path.empty()) {
    // Linux: an empty path reads the symlink dirfd is open on (O_PATH |
    // O_NOFOLLOW), and is ENOENT for anything else.
    vfs::VirtualDentry vd;
    if (dirfd == AT_FDCWD) {
      vd = t.fs().cwd();
    } else {
      auto f = GetFile(t, dirfd);
      if (!f) return -EBADF;
      vd = f->location();
    }
    if (!vd.ok() || !vd.dentry->IsSymlink()) return -ENOENT;
    r = vd.dentry->Readlink(&target);
  } else {
    vfs::VirtualDentry start;
    r = WalkStart(t, dirfd, path, &start);
    if (r < 0) return r;
    r = t.kernel().vfs().ReadlinkAt(t.fs().root(), start, path,
                                    FileCredentials(t), &target);
  }
  if (r < 0) return r;
  uint64_t n = std::min<uint64_t>(target.size(), static_cast<uint64_t>(size));
  if (t.CopyOut(buf, target.data(), n) < 0) return -EFAULT;
  return static_cast<int64_t>(n);
}

}  // namespace

int64_t SysFstat(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  return CopyOutStat(t, a.Ptr(1), st);
}

int64_t SysStat(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, AT_FDCWD, a.Ptr(0), 0, &st);
  if (r < 0) return r;
  return CopyOutStat(t, a.Ptr(1), st);
}

int64_t SysLstat(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, AT_FDCWD, a.Ptr(0), AT_SYMLINK_NOFOLLOW, &st);
  if (r < 0) return r;
  return CopyOutStat(t, a.Ptr(1), st);
}

int64_t SysNewfstatat(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, a.Int(0), a.Ptr(1), a.Int(3), &st);
  if (r < 0) return r;
  return CopyOutStat(t, a.Ptr(2), st);
}

int64_t SysStat64I386(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, AT_FDCWD, a.Ptr(0), 0, &st);
  if (r < 0) return r;
  return CopyOutStat64(t, a.Ptr(1), st);
}

int64_t SysLstat64I386(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, AT_FDCWD, a.Ptr(0), AT_SYMLINK_NOFOLLOW, &st);
  if (r < 0) return r;
  return CopyOutStat64(t, a.Ptr(1), st);
}

int64_t SysFstat64I386(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  uapi::Stat st;
  int64_t r = f->Stat(&st);
  if (r < 0) return r;
  return CopyOutStat64(t, a.Ptr(1), st);
}

int64_t SysFstatat64I386(Task& t, const SyscallArgs& a) {
  uapi::Stat st;
  int64_t r = StatAt(t, a.Int(0), a.Ptr(1), a.Int(3), &st);
  if (r < 0) return r;
  return CopyOutStat64(t, a.Ptr(2), st);
}

// statx(dirfd, path, flags, mask, buf).
int64_t SysStatx(Task& t, const SyscallArgs& a) {
  int flags = a.Int(2);
  uint32_t mask = a.UInt(3);
  if (flags & ~(kStatAtFlags | uapi::kAtStatxSyncType)) return -EINVAL;
  if ((flags & uapi::kAtStatxSyncType) == uapi::kAtStatxSyncType) {
    return -EINVAL;
  }
  if (mask & uapi::kStatxReserved) return -EINVAL;
  AtTarget target;
  int64_t r = ResolveAt(t, a.Int(0), a.Ptr(1), flags & AT_EMPTY_PATH,
                        !(flags & AT_SYMLINK_NOFOLLOW), &target);
  if (r < 0) return r;
  uapi::Statx stx;
  r = target.Statx(mask, &stx);
  if (r < 0) return r;
  const vfs::VirtualDentry& vd = target.vd;
  if (vd.ok()) {
    stx.stx_mnt_id = static_cast<uint64_t>(vd.mount->id());
    stx.stx_mask |= uapi::kStatxMntId;
    stx.stx_attributes_mask |= uapi::kStatxAttrMountRoot;
    if (vd.dentry == vd.mount->root()) {
      stx.stx_attributes |= uapi::kStatxAttrMountRoot;
    } else {
      stx.stx_attributes &= ~uapi::kStatxAttrMountRoot;
    }
  }
  return t.CopyOutObj(a.Ptr(4), stx) < 0 ? -EFAULT : 0;
}

int64_t SysAccess(Task& t, const SyscallArgs& a) {
  return DoAccess(t, AT_FDCWD, a.Ptr(0), a.Int(1), 0);
}

int64_t SysFaccessat(Task& t, const SyscallArgs& a) {
  return DoAccess(t, a.Int(0), a.Ptr(1), a.Int(2), 0);
}

int64_t SysFaccessat2(Task& t, const SyscallArgs& a) {
  return DoAccess(t, a.Int(0), a.Ptr(1), a.Int(2), a.Int(3));
}

int64_t SysReadlink(Task& t, const SyscallArgs& a) {
  return DoReadlink(t, AT_FDCWD, a.Ptr(0), a.Ptr(1), a.Int(2));
}

int64_t SysReadlinkat(Task& t, const SyscallArgs& a) {
  return DoReadlink(t, a.Int(0), a.Ptr(1), a.Ptr(2), a.Int(3));
}

}  // namespace sentry
