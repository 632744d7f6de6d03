// Dentry: one named file in a filesystem's tree (Linux's struct dentry with
// the inode operations folded in). A filesystem subclasses it.
//
// Identity and lifetime: a dentry holds its parent alive, and a directory
// caches its live children (weak references), so two lookups of the same
// name return the same object while anyone (an open file, a cwd, a mount)
// holds it. Mountpoints are found by dentry identity, which this makes
// stable. Nothing here follows `..` or symlinks: the path walk in
// VirtualFilesystem does that, so a filesystem never resolves a path.
#ifndef SENTRY_VFS_DENTRY_H_
#define SENTRY_VFS_DENTRY_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/stat.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/virtual_dentry.h"

namespace sentry::vfs {

class FileDescription;
class Filesystem;

class Dentry : public std::enable_shared_from_this<Dentry> {
 public:
  // `type` is the S_IFMT part of the mode; it never changes for a dentry.
  Dentry(std::shared_ptr<Dentry> parent, std::string name, uint32_t type);
  virtual ~Dentry();
  Dentry(const Dentry&) = delete;
  Dentry& operator=(const Dentry&) = delete;

  const std::string& name() const { return name_; }
  // Null for the root of the filesystem.
  const std::shared_ptr<Dentry>& parent() const { return parent_; }
  uint32_t type() const { return type_; }
  bool IsDir() const { return S_ISDIR(type_); }
  bool IsSymlink() const { return S_ISLNK(type_); }
  bool IsRegular() const { return S_ISREG(type_); }

  virtual Filesystem& filesystem() const = 0;

  // The child `name` of this directory (a single component, neither "." nor
  // ".." nor containing '/'; the path walk guarantees it). -ENOENT when it
  // does not exist, -ENOTDIR when this is not a directory.
  int64_t Lookup(const std::string& name, std::shared_ptr<Dentry>* out);

  // stat(2) of this file, symlinks not followed.
  virtual int64_t Stat(uapi::Stat* st) = 0;
  // statx(2); the default derives it from Stat.
  virtual int64_t Statx(uint32_t mask, uapi::Statx* stx);
  // The target of a symlink; -EINVAL for anything else.
  virtual int64_t Readlink(std::string* target);
  // Opens this file. `flags` are open(2)'s, already checked by the VFS
  // (access mode, O_DIRECTORY, read-only mounts, permissions); `vd` is where
  // the file was found.
  virtual int64_t Open(const VirtualDentry& vd, int flags,
                       std::shared_ptr<FileDescription>* out) = 0;
  // Creates the regular file `name` in this directory (O_CREAT). Called only
  // on writable mounts. Default: -EACCES, as Linux for filesystems without
  // a create operation.
  virtual int64_t Create(const std::string& name, int flags, mode_t mode,
                         const Credentials& creds,
                         std::shared_ptr<Dentry>* out);

 protected:
  // Finds the child `name` in the filesystem itself (no cache).
  virtual int64_t LookupChild(const std::string& name,
                              std::shared_ptr<Dentry>* out) = 0;

 private:
  const std::shared_ptr<Dentry> parent_;
  const std::string name_;
  const uint32_t type_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<Dentry>> children_
      ABSL_GUARDED_BY(mu_);
  size_t sweep_at_ ABSL_GUARDED_BY(mu_) = 64;
};

// Fills a statx from a stat, for filesystems without a native statx.
void StatToStatx(const uapi::Stat& st, uint32_t mask, uapi::Statx* stx);

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_DENTRY_H_
