#include "sentry/vfs/mount.h"

#include <utility>

#include "sentry/vfs/filesystem.h"

namespace sentry::vfs {

Mount::Mount(int id, std::shared_ptr<Filesystem> fs,
             std::shared_ptr<Dentry> root, int flags,
             std::shared_ptr<Mount> parent, std::shared_ptr<Dentry> mountpoint)
    : id_(id),
      fs_(std::move(fs)),
      root_(std::move(root)),
      flags_(flags),
      parent_(std::move(parent)),
      mountpoint_(std::move(mountpoint)) {}

bool Mount::ReadOnly() const {
  return (flags_ & kMountReadOnly) || fs_->ReadOnly();
}

}  // namespace sentry::vfs
