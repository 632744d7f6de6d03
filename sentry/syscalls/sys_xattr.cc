// Extended attributes. No filesystem exposes any yet: gets are ENODATA,
// lists are empty, and changes are EROFS on read-only mounts.
#include <fcntl.h>
#include <sys/xattr.h>

#include <cerrno>
#include <string>

#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/mount.h"

namespace sentry {

namespace {

constexpr uint64_t kXattrNameMax = 255;
constexpr uint64_t kXattrSizeMax = 65536;

// An attribute name: ERANGE when empty or longer than XATTR_NAME_MAX.
int64_t CopyInXattrName(Task& t, uint64_t addr, std::string* name) {
  int64_t r = t.CopyInString(addr, kXattrNameMax, name);
  if (r == -ENAMETOOLONG) return -ERANGE;
  if (r < 0) return r;
  return name->empty() ? -ERANGE : 0;
}

// The file a path or fd call names. `fd` >= 0 selects the fd form.
int64_t XattrTarget(Task& t, int fd, uint64_t path, bool follow,
                    AtTarget* out) {
  if (fd >= 0) {
    out->file = GetFile(t, fd);
    if (!out->file || out->file->IsPathOnly()) return -EBADF;
    out->vd = out->file->location();
    return 0;
  }
  return ResolveAt(t, AT_FDCWD, path, false, follow, out);
}

int64_t DoGet(Task& t, int fd, uint64_t path, uint64_t name_addr,
              bool follow) {
  AtTarget target;
  int64_t r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  std::string name;
  r = CopyInXattrName(t, name_addr, &name);
  if (r < 0) return r;
  return target.vd.ok() ? -ENODATA : -EOPNOTSUPP;
}

int64_t DoList(Task& t, int fd, uint64_t path, bool follow) {
  AtTarget target;
  int64_t r = XattrTarget(t, fd, path, follow, &target);
  return r < 0 ? r : 0;
}

int64_t DoSet(Task& t, int fd, uint64_t path, uint64_t name_addr,
              uint64_t size, int flags, bool follow) {
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  std::string name;
  int64_t r = CopyInXattrName(t, name_addr, &name);
  if (r < 0) return r;
  if (size > kXattrSizeMax) return -E2BIG;
  AtTarget target;
  r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EOPNOTSUPP;
  if (target.vd.mount->ReadOnly()) return -EROFS;
  return -EOPNOTSUPP;
}

int64_t DoRemove(Task& t, int fd, uint64_t path, uint64_t name_addr,
                 bool follow) {
  std::string name;
  int64_t r = CopyInXattrName(t, name_addr, &name);
  if (r < 0) return r;
  AtTarget target;
  r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EOPNOTSUPP;
  if (target.vd.mount->ReadOnly()) return -EROFS;
  return -ENODATA;
}

}  // namespace

int64_t SysGetxattr(Task& t, const SyscallArgs& a) {
  return DoGet(t, -1, a.Ptr(0), a.Ptr(1), true);
}
int64_t SysLgetxattr(Task& t, const SyscallArgs& a) {
  return DoGet(t, -1, a.Ptr(0), a.Ptr(1), false);
}
int64_t SysFgetxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoGet(t, a.Int(0), 0, a.Ptr(1), true);
}

int64_t SysListxattr(Task& t, const SyscallArgs& a) {
  return DoList(t, -1, a.Ptr(0), true);
}
int64_t SysLlistxattr(Task& t, const SyscallArgs& a) {
  return DoList(t, -1, a.Ptr(0), false);
}
int64_t SysFlistxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoList(t, a.Int(0), 0, true);
}

int64_t SysSetxattr(Task& t, const SyscallArgs& a) {
  return DoSet(t, -1, a.Ptr(0), a.Ptr(1), a.Size(3), a.Int(4), true);
}
int64_t SysLsetxattr(Task& t, const SyscallArgs& a) {
  return DoSet(t, -1, a.Ptr(0), a.Ptr(1), a.Size(3), a.Int(4), false);
}
int64_t SysFsetxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoSet(t, a.Int(0), 0, a.Ptr(1), a.Size(3), a.Int(4), true);
}

int64_t SysRemovexattr(Task& t, const SyscallArgs& a) {
  return DoRemove(t, -1, a.Ptr(0), a.Ptr(1), true);
}
int64_t SysLremovexattr(Task& t, const SyscallArgs& a) {
  return DoRemove(t, -1, a.Ptr(0), a.Ptr(1), false);
}
int64_t SysFremovexattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoRemove(t, a.Int(0), 0, a.Ptr(1), true);
}

}  // namespace sentry
