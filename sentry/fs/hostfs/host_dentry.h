// HostDentry: one file of a hostfs, holding an O_PATH host fd for it.
//
// Dentries refer to their filesystem by plain pointer: a dentry is only
// ever used together with a Mount (VirtualDentry), which keeps the
// filesystem alive.
#ifndef SENTRY_FS_HOSTFS_HOST_DENTRY_H_
#define SENTRY_FS_HOSTFS_HOST_DENTRY_H_

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/vfs/dentry.h"

namespace sentry::fs {

class HostFilesystem;

class HostDentry : public vfs::Dentry {
 public:
  // Takes ownership of `path_fd` (an O_PATH fd for the file, whose fstat is
  // `st`). `masked`: a host pseudo-filesystem shown as an empty directory.
  HostDentry(HostFilesystem* fs, std::shared_ptr<vfs::Dentry> parent,
             std::string name, int path_fd, const struct stat& st,
             bool masked);
  ~HostDentry() override;

  vfs::Filesystem& filesystem() const override;
  int64_t Stat(uapi::Stat* st) override;
  int64_t Statx(uint32_t mask, uapi::Statx* stx) override;
  int64_t Readlink(std::string* target) override;
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override;

  // Writable hostfs only (the VFS never calls these on a read-only mount).
  int64_t Create(const std::string& name, int flags, mode_t mode,
                 const vfs::Credentials& creds,
                 std::shared_ptr<vfs::Dentry>* out) override;
  int64_t Mkdir(const std::string& name, mode_t mode,
                const vfs::Credentials& creds) override;
  int64_t Mknod(const std::string& name, mode_t mode, dev_t dev,
                const vfs::Credentials& creds) override;
  int64_t Symlink(const std::string& name, const std::string& target,
                  const vfs::Credentials& creds) override;
  int64_t Link(const std::string& name,
               const std::shared_ptr<vfs::Dentry>& target) override;
  int64_t Unlink(const std::string& name,
                 const std::shared_ptr<vfs::Dentry>& child) override;
  int64_t Rmdir(const std::string& name,
                const std::shared_ptr<vfs::Dentry>& child) override;
  int64_t Rename(const std::string& old_name,
                 const std::shared_ptr<vfs::Dentry>& child,
                 vfs::Dentry& new_dir, const std::string& new_name,
                 const std::shared_ptr<vfs::Dentry>& replaced,
                 unsigned flags) override;
  int64_t Tmpfile(const vfs::VirtualDentry& dir_vd, int flags, mode_t mode,
                  const vfs::Credentials& creds,
                  std::shared_ptr<vfs::FileDescription>* out) override;
  int64_t SetAttr(const vfs::SetAttrRequest& req) override;

  int path_fd() const { return fd_; }
  bool masked() const { return masked_; }

 protected:
  int64_t LookupChild(const std::string& name,
                      std::shared_ptr<vfs::Dentry>* out) override;

 private:
  // Opens the file itself with the access mode of `flags` (not O_PATH),
  // checking that the host still has the same file there.
  int64_t OpenHostFile(int flags, int* fd);
  // "/proc/self/fd/N" for the held fd: reopens exactly this inode.
  std::string ProcPath() const;

  HostFilesystem* const fs_;
  const int fd_;
  const dev_t dev_;
  const ino_t ino_;
  const bool masked_;
  // A symlink's target, read once: the held fd pins the host inode, and a
  // symlink's contents never change (replacing it makes a new inode).
  absl::Mutex link_mu_;
  bool link_read_ ABSL_GUARDED_BY(link_mu_) = false;
  std::string link_target_ ABSL_GUARDED_BY(link_mu_);
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOSTFS_HOST_DENTRY_H_
