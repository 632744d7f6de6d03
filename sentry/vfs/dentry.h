// Dentry: one named file in a filesystem's tree (Linux's struct dentry with
// the inode operations folded in). A filesystem subclasses it.
//
// Identity and lifetime: a dentry holds its parent alive, and a directory
// caches its live children (weak references), so two lookups of the same
// name return the same object while anyone (an open file, a cwd, a mount)
// holds it. Mountpoints are found by dentry identity, which this makes
// stable. Nothing here follows `..` or symlinks: the path walk in
// VirtualFilesystem does that, so a filesystem never resolves a path.
//
// Namespace operations (create, mkdir, unlink, rename...) are called by the
// VFS on the parent directory after it has done every generic check (mount
// writable, permissions, sticky bit, types, mountpoints busy); the VFS then
// keeps the children cache and the moved dentry's parent and name in step
// (see namespace_ops.cc).
#ifndef SENTRY_VFS_DENTRY_H_
#define SENTRY_VFS_DENTRY_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/stat.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/virtual_dentry.h"

namespace sentry::vfs {

class FileDescription;
class Filesystem;

// What SetAttr changes (chmod, chown, truncate, utimes).
struct SetAttrRequest {
  static constexpr uint32_t kMode = 1u << 0;
  static constexpr uint32_t kUid = 1u << 1;
  static constexpr uint32_t kGid = 1u << 2;
  static constexpr uint32_t kSize = 1u << 3;
  static constexpr uint32_t kAtime = 1u << 4;  // set atime to `atime`
  static constexpr uint32_t kMtime = 1u << 5;  // set mtime to `mtime`
  static constexpr uint32_t kAtimeNow = 1u << 6;
  static constexpr uint32_t kMtimeNow = 1u << 7;
  // chown by a non-root caller, or a write: the set-id bits go away.
  static constexpr uint32_t kKillSuid = 1u << 8;

  uint32_t mask = 0;
  uint32_t mode = 0;  // permission bits only (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  uapi::Timespec atime{};
  uapi::Timespec mtime{};
};

// renameat2 flags.
inline constexpr unsigned kRenameNoreplace = 1;
inline constexpr unsigned kRenameExchange = 2;
inline constexpr unsigned kRenameWhiteout = 4;

class Dentry : public std::enable_shared_from_this<Dentry> {
 public:
  // `type` is the S_IFMT part of the mode; it never changes for a dentry.
  Dentry(std::shared_ptr<Dentry> parent, std::string name, uint32_t type);
  virtual ~Dentry();
  Dentry(const Dentry&) = delete;
  Dentry& operator=(const Dentry&) = delete;

  // The name in the parent directory and the parent (null for the root of
  // the filesystem). Both change when the file is renamed.
  std::string name() const;
  std::shared_ptr<Dentry> parent() const;
  uint32_t type() const { return type_; }
  bool IsDir() const { return S_ISDIR(type_); }
  bool IsSymlink() const { return S_ISLNK(type_); }
  bool IsRegular() const { return S_ISREG(type_); }
  // The name was removed (unlink, rmdir, replaced by a rename). Open files
  // and working directories may still use the dentry.
  bool IsDeleted() const { return deleted_.load(std::memory_order_acquire); }

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
  // The target as `creds` sees it (procfs's "self" depends on the caller).
  virtual int64_t ReadlinkAs(const Credentials& creds, std::string* target) {
    return Readlink(target);
  }
  // Magic links (procfs's fd/N, exe, cwd, root): following one jumps to
  // the location it stands for instead of resolving its text.
  virtual bool IsMagicLink() const { return false; }
  virtual int64_t FollowMagicLink(const Credentials& creds,
                                  VirtualDentry* out) {
    return -ENOENT;
  }
  // Opens this file. `flags` are open(2)'s, already checked by the VFS
  // (access mode, O_DIRECTORY, read-only mounts, permissions); `vd` is where
  // the file was found.
  virtual int64_t Open(const VirtualDentry& vd, int flags,
                       const Credentials& creds,
                       std::shared_ptr<FileDescription>* out) = 0;

  // ---- Directory operations (this is the directory) ----
  // Creates the regular file `name` (O_CREAT). Default: -EACCES, as Linux
  // for filesystems without a create operation.
  virtual int64_t Create(const std::string& name, int flags, mode_t mode,
                         const Credentials& creds,
                         std::shared_ptr<Dentry>* out);
  // mkdir, mknod (S_IFREG/S_IFIFO/S_IFSOCK/S_IFCHR/S_IFBLK in `mode`),
  // symlink. Defaults: -EPERM (no such operation).
  virtual int64_t Mkdir(const std::string& name, mode_t mode,
                        const Credentials& creds);
  virtual int64_t Mknod(const std::string& name, mode_t mode, dev_t dev,
                        const Credentials& creds);
  virtual int64_t Symlink(const std::string& name, const std::string& target,
                          const Credentials& creds);
  // A new name `name` for `target` (same filesystem, not a directory).
  virtual int64_t Link(const std::string& name,
                       const std::shared_ptr<Dentry>& target);
  // Removes the non-directory `child` named `name`.
  virtual int64_t Unlink(const std::string& name,
                         const std::shared_ptr<Dentry>& child);
  // Removes the empty directory `child` (-ENOTEMPTY otherwise).
  virtual int64_t Rmdir(const std::string& name,
                        const std::shared_ptr<Dentry>& child);
  // Moves `child` (named `old_name` here) to `new_dir`/`new_name`,
  // replacing `replaced` (null when the name is free). With
  // kRenameExchange both exist and swap. The VFS has checked types,
  // emptiness is left to the filesystem (-ENOTEMPTY).
  virtual int64_t Rename(const std::string& old_name,
                         const std::shared_ptr<Dentry>& child,
                         Dentry& new_dir, const std::string& new_name,
                         const std::shared_ptr<Dentry>& replaced,
                         unsigned flags);
  // O_TMPFILE: an unnamed regular file in this directory, opened.
  virtual int64_t Tmpfile(const VirtualDentry& dir_vd, int flags, mode_t mode,
                          const Credentials& creds,
                          std::shared_ptr<FileDescription>* out);

  // ---- Attributes ----
  // chmod/chown/truncate/utimes after the VFS's permission checks.
  // Default: -EPERM.
  virtual int64_t SetAttr(const SetAttrRequest& req);

  // ---- Extended attributes ----
  // Defaults: nothing stored (get -ENODATA, empty list), changes
  // -EOPNOTSUPP. The syscall layer has checked names, sizes, permissions
  // and read-only mounts.
  virtual int64_t GetXattr(const std::string& name, std::string* value) {
    return -ENODATA;
  }
  virtual int64_t ListXattr(std::vector<std::string>* names) { return 0; }
  // `flags`: XATTR_CREATE / XATTR_REPLACE.
  virtual int64_t SetXattr(const std::string& name, const std::string& value,
                           int flags) {
    return -EOPNOTSUPP;
  }
  virtual int64_t RemoveXattr(const std::string& name) { return -EOPNOTSUPP; }

  // ---- Cache maintenance (used by the VFS after namespace operations) --
  // Records `child` as this directory's live child `name`.
  void CacheChild(const std::string& name, const std::shared_ptr<Dentry>& child);
  // Forgets the cached child `name` (if it is `which`, or any when null).
  void ForgetChild(const std::string& name, const Dentry* which = nullptr);
  // The file is now `name` in `parent` (rename).
  void SetParentAndName(std::shared_ptr<Dentry> parent, std::string name);
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }
  // Something is mounted here, in some mount (Linux's DCACHE_MOUNTED): the
  // path walk looks the mount table up only for such dentries.
  bool MountedOn() const { return mounted_on_.load(std::memory_order_acquire); }
  void MarkMountedOn() { mounted_on_.store(true, std::memory_order_release); }

 protected:
  // Finds the child `name` in the filesystem itself (no cache).
  virtual int64_t LookupChild(const std::string& name,
                              std::shared_ptr<Dentry>* out) = 0;

 private:
  const uint32_t type_;
  std::atomic<bool> deleted_{false};
  std::atomic<bool> mounted_on_{false};

  mutable absl::Mutex name_mu_;
  std::shared_ptr<Dentry> parent_ ABSL_GUARDED_BY(name_mu_);
  std::string name_ ABSL_GUARDED_BY(name_mu_);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<Dentry>> children_
      ABSL_GUARDED_BY(mu_);
  size_t sweep_at_ ABSL_GUARDED_BY(mu_) = 64;
};

// Fills a statx from a stat, for filesystems without a native statx.
void StatToStatx(const uapi::Stat& st, uint32_t mask, uapi::Statx* stx);

// The current time as a Linux timespec (CLOCK_REALTIME).
uapi::Timespec NowTimespec();

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_DENTRY_H_
