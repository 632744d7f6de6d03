// VirtualDentry: a location in the VFS, a (mount, dentry) pair like Linux's
// struct path. The same dentry reached through two mounts (bind mounts) is
// two locations; `..` and getcwd need the mount to know where they are.
#ifndef SENTRY_VFS_VIRTUAL_DENTRY_H_
#define SENTRY_VFS_VIRTUAL_DENTRY_H_

#include <memory>

namespace sentry::vfs {

class Mount;
class Dentry;

struct VirtualDentry {
  std::shared_ptr<Mount> mount;
  std::shared_ptr<Dentry> dentry;

  bool ok() const { return mount != nullptr && dentry != nullptr; }
  friend bool operator==(const VirtualDentry& a, const VirtualDentry& b) {
    return a.mount == b.mount && a.dentry == b.dentry;
  }
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_VIRTUAL_DENTRY_H_
