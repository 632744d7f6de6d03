// hostfs: a host directory (or a single file, for a bind mount of a file)
// shown inside the sandbox, read-only unless the mount asks for writes.
//
// Every host access is relative to a file descriptor the sentry holds:
// each dentry keeps an O_PATH fd, and a child is reached with
// openat(parent_fd, name, O_PATH | O_NOFOLLOW) for a single name that is
// never "." or ".." and has no '/'. Symlinks are read (readlinkat on the
// link's own fd) and resolved by the VFS path walk inside the sandbox's
// root, so neither a symlink nor `..` can reach above the host directory.
//
// Host pseudo-filesystems that expose the host itself (proc, sysfs, cgroup,
// debugfs, ...) found below the root are shown as empty directories, and
// device nodes and sockets cannot be opened (EACCES/ENXIO, like a nodev
// mount): the sandbox gets its own /proc and /dev from other filesystems
// mounted on top. FIFOs cannot be opened on a read-only hostfs either; on
// a writable one they connect the sandbox's own processes through a
// sentry pipe (never the host's FIFO).
//
// A writable hostfs creates, removes and renames names with the *at()
// calls relative to the held directory fds, never following a symlink in
// the final component, and changes attributes through the file's own fd:
// nothing the sandbox names can act on a host file outside the tree. The
// set-user-ID and set-group-ID bits are never set on host files.
#ifndef SENTRY_FS_HOSTFS_HOST_FILESYSTEM_H_
#define SENTRY_FS_HOSTFS_HOST_FILESYSTEM_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sentry/vfs/dentry_cache.h"
#include "sentry/vfs/filesystem.h"

namespace sentry::fs {

class HostDentry;

// How many recently used hostfs dentries (each an O_PATH host fd) stay open
// when nothing else holds them.
inline constexpr size_t kDentryCacheSize = 512;

class HostFilesystem : public vfs::Filesystem {
 public:
  // Opens `host_root` (a host directory, or a file).
  static absl::StatusOr<std::shared_ptr<HostFilesystem>> New(
      const std::string& host_root, bool writable = false);
  ~HostFilesystem() override;

  std::string Name() const override { return "hostfs"; }
  std::shared_ptr<vfs::Dentry> Root() override;
  bool ReadOnly() const override { return !writable_; }
  void DentryUsed(const std::shared_ptr<vfs::Dentry>& d) override {
    cache_.Touch(d);
  }
  int64_t Statfs(uapi::Statfs* out) override;

  const std::string& host_root() const { return host_root_; }
  bool writable() const { return writable_; }

 private:
  HostFilesystem(std::string host_root, bool writable);

  std::string host_root_;
  const bool writable_;
  std::shared_ptr<HostDentry> root_;
  // Recently used dentries stay open (declared last: emptied first).
  vfs::DentryCache cache_{kDentryCacheSize};
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOSTFS_HOST_FILESYSTEM_H_
