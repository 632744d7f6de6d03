// Extended attributes. tmpfs stores them (trusted., security. and user.
// names, like Linux's tmpfs); other filesystems store none: gets are
// ENODATA, lists are empty, changes are EROFS on read-only mounts and
// EOPNOTSUPP otherwise.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cerrno>
#include <string>
#include <vector>

#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"

namespace sentry {

namespace {

constexpr uint64_t kXattrNameMax = 255;
constexpr uint64_t kXattrSizeMax = 65536;
constexpr uint64_t kXattrListMax = 65536;

// An attribute name: ERANGE when empty or longer than XATTR_NAME_MAX.
int64_t CopyInXattrName(Task& t, uint64_t addr, std::string* name) {
  int64_t r = t.CopyInString(addr, kXattrNameMax, name);
  if (r == -ENAMETOOLONG) return -ERANGE;
  if (r < 0) return r;
  return name->empty() ? -ERANGE : 0;
}

bool HasPrefix(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

// Namespaces the sandbox knows: anything else is EOPNOTSUPP. That
// includes system. (POSIX ACLs, which no filesystem here implements: a
// stored ACL would not change the mode, and cp -a and tar fall back to
// chmod when setting one fails).
int64_t CheckNamespace(const std::string& name) {
  if (HasPrefix(name, "user.") || HasPrefix(name, "trusted.") ||
      HasPrefix(name, "security.")) {
    return 0;
  }
  return -EOPNOTSUPP;
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

// xattr_permission(): who may read or change an attribute.
int64_t MayAccess(Task& t, const vfs::VirtualDentry& vd,
                  const std::string& name, bool write) {
  vfs::Credentials c = FileCredentials(t);
  if (HasPrefix(name, "trusted.")) return c.IsRoot() ? 0 : (write ? -EPERM : -ENODATA);
  if (!HasPrefix(name, "user.")) return 0;
  // user. attributes only on regular files and directories.
  if (!vd.dentry->IsRegular() && !vd.dentry->IsDir()) {
    return write ? -EPERM : -ENODATA;
  }
  if (c.IsRoot()) return 0;
  uapi::Stat st;
  int64_t r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  return vfs::CheckPermission(c, st.st_mode, st.st_uid, st.st_gid,
                              write ? vfs::kMayWrite : vfs::kMayRead);
}

int64_t DoGet(Task& t, int fd, uint64_t path, uint64_t name_addr,
              uint64_t buf, uint64_t size, bool follow) {
  AtTarget target;
  int64_t r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  std::string name;
  r = CopyInXattrName(t, name_addr, &name);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EOPNOTSUPP;
  r = CheckNamespace(name);
  if (r < 0) return r;
  r = MayAccess(t, target.vd, name, false);
  if (r < 0) return r;
  std::string value;
  r = target.vd.dentry->GetXattr(name, &value);
  if (r < 0) return r;
  if (size == 0) return static_cast<int64_t>(value.size());
  if (value.size() > size) return -ERANGE;
  if (t.CopyOut(buf, value.data(), value.size()) < 0) return -EFAULT;
  return static_cast<int64_t>(value.size());
}

int64_t DoList(Task& t, int fd, uint64_t path, uint64_t buf, uint64_t size,
               bool follow) {
  AtTarget target;
  int64_t r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return 0;
  std::vector<std::string> names;
  r = target.vd.dentry->ListXattr(&names);
  if (r < 0) return r;
  vfs::Credentials c = FileCredentials(t);
  std::string out;
  for (const std::string& n : names) {
    if (HasPrefix(n, "trusted.") && !c.IsRoot()) continue;
    out += n;
    out += '\0';
  }
  if (out.size() > kXattrListMax) return -E2BIG;
  if (size == 0) return static_cast<int64_t>(out.size());
  if (out.size() > size) return -ERANGE;
  if (t.CopyOut(buf, out.data(), out.size()) < 0) return -EFAULT;
  return static_cast<int64_t>(out.size());
}

int64_t DoSet(Task& t, int fd, uint64_t path, uint64_t name_addr,
              uint64_t value_addr, uint64_t size, int flags, bool follow) {
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  std::string name;
  int64_t r = CopyInXattrName(t, name_addr, &name);
  if (r < 0) return r;
  if (size > kXattrSizeMax) return -E2BIG;
  std::string value(size, '\0');
  if (size && t.CopyIn(value_addr, value.data(), size) < 0) return -EFAULT;
  AtTarget target;
  r = XattrTarget(t, fd, path, follow, &target);
  if (r < 0) return r;
  if (!target.vd.ok()) return -EOPNOTSUPP;
  if (target.vd.mount->ReadOnly()) return -EROFS;
  r = CheckNamespace(name);
  if (r < 0) return r;
  r = MayAccess(t, target.vd, name, true);
  if (r < 0) return r;
  return target.vd.dentry->SetXattr(name, value, flags);
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
  r = CheckNamespace(name);
  if (r < 0) return r;
  r = MayAccess(t, target.vd, name, true);
  if (r < 0) return r;
  r = target.vd.dentry->RemoveXattr(name);
  // Filesystems that store nothing have nothing to remove.
  return r == -EOPNOTSUPP ? -ENODATA : r;
}

}  // namespace

int64_t SysGetxattr(Task& t, const SyscallArgs& a) {
  return DoGet(t, -1, a.Ptr(0), a.Ptr(1), a.Ptr(2), a.Size(3), true);
}
int64_t SysLgetxattr(Task& t, const SyscallArgs& a) {
  return DoGet(t, -1, a.Ptr(0), a.Ptr(1), a.Ptr(2), a.Size(3), false);
}
int64_t SysFgetxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoGet(t, a.Int(0), 0, a.Ptr(1), a.Ptr(2), a.Size(3), true);
}

int64_t SysListxattr(Task& t, const SyscallArgs& a) {
  return DoList(t, -1, a.Ptr(0), a.Ptr(1), a.Size(2), true);
}
int64_t SysLlistxattr(Task& t, const SyscallArgs& a) {
  return DoList(t, -1, a.Ptr(0), a.Ptr(1), a.Size(2), false);
}
int64_t SysFlistxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoList(t, a.Int(0), 0, a.Ptr(1), a.Size(2), true);
}

int64_t SysSetxattr(Task& t, const SyscallArgs& a) {
  return DoSet(t, -1, a.Ptr(0), a.Ptr(1), a.Ptr(2), a.Size(3), a.Int(4), true);
}
int64_t SysLsetxattr(Task& t, const SyscallArgs& a) {
  return DoSet(t, -1, a.Ptr(0), a.Ptr(1), a.Ptr(2), a.Size(3), a.Int(4), false);
}
int64_t SysFsetxattr(Task& t, const SyscallArgs& a) {
  if (a.Int(0) < 0) return -EBADF;
  return DoSet(t, a.Int(0), 0, a.Ptr(1), a.Ptr(2), a.Size(3), a.Int(4), true);
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
