// Filesystem: one instance of a filesystem type (a hostfs over a host
// directory, a tmpfs...), as Linux's super_block. Mounts refer to it; its
// dentries implement the per-file operations.
#ifndef SENTRY_VFS_FILESYSTEM_H_
#define SENTRY_VFS_FILESYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "abi/linux/statfs.h"

namespace sentry::vfs {

class Dentry;

class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // Type name as /proc/mounts shows it ("hostfs", "tmpfs").
  virtual std::string Name() const = 0;
  // The root directory. Stays alive as long as the filesystem.
  virtual std::shared_ptr<Dentry> Root() = 0;
  // True when the filesystem cannot be written whatever the mount says.
  virtual bool ReadOnly() const { return false; }
  // Called after every successful lookup of `d` (a DentryCache hook).
  virtual void DentryUsed(const std::shared_ptr<Dentry>& d) {}
  // statfs(2): everything but f_flags (the VFS adds the mount's). The
  // default reports an empty filesystem of 4 KiB blocks.
  virtual int64_t Statfs(uapi::Statfs* out);
  // Filesystem-specific mount options for /proc/mounts ("size=...,mode=..."),
  // appended after rw/ro and the generic flags.
  virtual std::string MountOptions() const { return ""; }
};

// Device numbers for filesystems without a backing device: major 0 and a
// fresh minor each (Linux's get_anon_bdev).
uint64_t AllocateAnonDevice();

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FILESYSTEM_H_
