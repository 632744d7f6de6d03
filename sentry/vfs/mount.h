// Mount: a filesystem attached at a location of the mount tree (Linux's
// struct mount). The root mount has no parent. Mounts are immutable once
// made; the mount table itself lives in VirtualFilesystem.
#ifndef SENTRY_VFS_MOUNT_H_
#define SENTRY_VFS_MOUNT_H_

#include <sys/mount.h>

#include <memory>
#include <string>

namespace sentry::vfs {

class Dentry;
class Filesystem;

// Per-mount flags, with the values of mount(2)'s MS_* bits.
inline constexpr int kMountReadOnly = MS_RDONLY;
inline constexpr int kMountNoSuid = MS_NOSUID;
inline constexpr int kMountNoDev = MS_NODEV;
inline constexpr int kMountNoExec = MS_NOEXEC;
inline constexpr int kMountNoAtime = MS_NOATIME;
inline constexpr int kMountRelatime = MS_RELATIME;

class Mount {
 public:
  Mount(int id, std::shared_ptr<Filesystem> fs, std::shared_ptr<Dentry> root,
        int flags, std::shared_ptr<Mount> parent,
        std::shared_ptr<Dentry> mountpoint, std::string source = "none");

  int id() const { return id_; }
  Filesystem& filesystem() const { return *fs_; }
  const std::shared_ptr<Filesystem>& shared_filesystem() const { return fs_; }
  // The dentry the mount shows at its mountpoint.
  const std::shared_ptr<Dentry>& root() const { return root_; }
  int flags() const { return flags_; }
  // Writes refused: the mount or the filesystem itself is read-only.
  bool ReadOnly() const;
  bool NoExec() const { return flags_ & kMountNoExec; }
  bool NoDev() const { return flags_ & kMountNoDev; }
  bool NoSuid() const { return flags_ & kMountNoSuid; }
  // What /proc/mounts shows in the first column ("tmpfs", a host path).
  const std::string& source() const { return source_; }
  // "rw,nosuid,nodev,relatime" plus the filesystem's own options.
  std::string OptionsString() const;
  // The ST_* flags statfs(2) reports for this mount.
  int64_t StatfsFlags() const;

  // Where the mount is attached; both null for the root mount.
  const std::shared_ptr<Mount>& parent() const { return parent_; }
  const std::shared_ptr<Dentry>& mountpoint() const { return mountpoint_; }

 private:
  const int id_;
  const std::shared_ptr<Filesystem> fs_;
  const std::shared_ptr<Dentry> root_;
  const int flags_;
  const std::shared_ptr<Mount> parent_;
  const std::shared_ptr<Dentry> mountpoint_;
  const std::string source_;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_MOUNT_H_
