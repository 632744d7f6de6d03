// tmpfs: a filesystem in the sentry's memory, as Linux's shmem. Used for
// /tmp, /dev/shm and (pre-populated with device nodes) /dev.
//
// Structure: every file is a TmpfsInode (what hard links share: mode,
// owner, times, contents) named by one or more TmpfsDentry objects. A
// directory holds its entries strongly, so the tree lives as long as the
// filesystem, and lookups always find the same dentry object.
//
// File contents: small files live in a sentry buffer; once a file grows
// past kInlineMax bytes, or someone needs a host fd for it (a shared
// mapping), its contents move to a host memfd the sentry owns, which the
// memory manager can map into the stub. The filesystem has a size limit
// (bytes of data written, like tmpfs's blocks; sparse sizes are free):
// writes beyond it fail with ENOSPC.
//
// Locking: TmpfsInode::mu guards an inode's attributes and contents;
// TmpfsDentry::dir_mu_ a directory's entries. A rename holds the VFS's
// rename lock and then the two directories' locks; nothing takes a
// directory lock while holding an inode lock.
#ifndef SENTRY_FS_TMPFS_TMPFS_H_
#define SENTRY_FS_TMPFS_TMPFS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/stat.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/directory_file.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/filesystem.h"

namespace sentry::fs {

class Pipe;
class TmpfsDentry;
class TmpfsFilesystem;

// Files up to this size keep their contents in the sentry's memory.
inline constexpr uint64_t kInlineMax = 16 * 1024;

struct TmpfsOptions {
  std::string name = "tmpfs";  // the type /proc/mounts shows
  uint64_t size_limit = 0;     // bytes; 0: half of the host's memory
  mode_t root_mode = 01777;
  uid_t uid = 0;
  gid_t gid = 0;
};

class TmpfsInode {
 public:
  TmpfsInode(TmpfsFilesystem* fs, uint64_t ino, mode_t mode, uid_t uid,
             gid_t gid, dev_t rdev);
  ~TmpfsInode();

  uint64_t ino() const { return ino_; }
  void Stat(uapi::Stat* st);

  // Regular files: contents. Offsets and sizes are checked by the caller.
  int64_t Read(void* buf, uint64_t n, int64_t off);
  // Writes at `off`, or at the end of the file when `append` (then
  // `*new_off` receives the offset after the write).
  int64_t Write(const void* buf, uint64_t n, int64_t off, bool append,
                int64_t* end);
  int64_t Truncate(uint64_t size);
  int64_t Allocate(int mode, uint64_t offset, uint64_t len);
  int64_t SeekDataHole(int64_t off, int whence);
  uint64_t Size();
  // The memfd holding the contents (created on demand), or -errno.
  int HostFd();

  mutable absl::Mutex mu;
  uint32_t mode ABSL_GUARDED_BY(mu);
  uint32_t uid ABSL_GUARDED_BY(mu);
  uint32_t gid ABSL_GUARDED_BY(mu);
  uint32_t nlink ABSL_GUARDED_BY(mu) = 1;
  uapi::Timespec atime ABSL_GUARDED_BY(mu);
  uapi::Timespec mtime ABSL_GUARDED_BY(mu);
  uapi::Timespec ctime ABSL_GUARDED_BY(mu);
  uapi::Timespec btime ABSL_GUARDED_BY(mu);
  // Directories: their size as tmpfs reports it.
  uint64_t dir_size ABSL_GUARDED_BY(mu) = 40;
  // O_TMPFILE without O_EXCL: linkat may give it a name.
  bool linkable ABSL_GUARDED_BY(mu) = false;
  const dev_t rdev;
  // Symlinks: the target (never changes).
  std::string target;

  // FIFOs: the pipe shared by all openers.
  std::shared_ptr<Pipe> Fifo();

  // Seals (memfd_create(2)): every shmem inode starts with F_SEAL_SEAL, so
  // only memfds made with MFD_ALLOW_SEALING can take more.
  uint32_t seals ABSL_GUARDED_BY(mu);
  // Held by every shared mapping that may write the contents (Linux's
  // i_mmap_writable): F_SEAL_WRITE is EBUSY while one exists.
  std::weak_ptr<const void> writable_maps ABSL_GUARDED_BY(mu);

  // Extended attributes (trusted., security. and user. names).
  std::map<std::string, std::string> xattrs ABSL_GUARDED_BY(mu);

 private:
  // Moves inline contents into a new memfd.
  int64_t ToMemfdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Accounts data up to `end` against the filesystem's limit.
  int64_t ChargeLocked(uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  TmpfsFilesystem* const fs_;
  const uint64_t ino_;
  std::string inline_ ABSL_GUARDED_BY(mu);
  int memfd_ ABSL_GUARDED_BY(mu) = -1;
  uint64_t size_ ABSL_GUARDED_BY(mu) = 0;
  uint64_t charged_ ABSL_GUARDED_BY(mu) = 0;
  std::shared_ptr<Pipe> fifo_ ABSL_GUARDED_BY(mu);
};

class TmpfsFilesystem : public vfs::Filesystem,
                        public std::enable_shared_from_this<TmpfsFilesystem> {
 public:
  static std::shared_ptr<TmpfsFilesystem> New(const TmpfsOptions& opts);
  ~TmpfsFilesystem() override;

  std::string Name() const override { return opts_.name; }
  std::shared_ptr<vfs::Dentry> Root() override;
  int64_t Statfs(uapi::Statfs* out) override;
  std::string MountOptions() const override;

  uint64_t dev() const { return dev_; }
  uint64_t NextIno() { return next_ino_.fetch_add(1); }
  // Space accounting, in bytes: false when `bytes` more would exceed the
  // limit.
  bool Charge(uint64_t bytes);
  // Charges as much of `bytes` as the free whole pages allow; returns
  // what was charged (a multiple of the page size, possibly 0).
  uint64_t ChargeSome(uint64_t bytes);
  void Uncharge(uint64_t bytes);
  uint64_t used() const { return used_.load(); }
  uint64_t limit() const { return limit_; }
  void InodeCreated() { ++inodes_; }
  void InodeDestroyed() { --inodes_; }

 private:
  explicit TmpfsFilesystem(const TmpfsOptions& opts);

  const TmpfsOptions opts_;
  const uint64_t dev_;
  uint64_t limit_;
  std::atomic<uint64_t> next_ino_{1};
  std::atomic<uint64_t> used_{0};
  std::atomic<int64_t> inodes_{0};
  std::shared_ptr<TmpfsDentry> root_;
};

class TmpfsDentry : public vfs::Dentry {
 public:
  TmpfsDentry(TmpfsFilesystem* fs, std::shared_ptr<vfs::Dentry> parent,
              std::string name, std::shared_ptr<TmpfsInode> inode);
  ~TmpfsDentry() override;

  vfs::Filesystem& filesystem() const override { return *fs_; }
  const std::shared_ptr<TmpfsInode>& inode() const { return inode_; }

  int64_t Stat(uapi::Stat* st) override;
  int64_t Readlink(std::string* target) override;
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override;
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
  int64_t GetXattr(const std::string& name, std::string* value) override;
  int64_t ListXattr(std::vector<std::string>* names) override;
  int64_t SetXattr(const std::string& name, const std::string& value,
                   int flags) override;
  int64_t RemoveXattr(const std::string& name) override;

  // The directory's entries, for getdents.
  void List(std::vector<vfs::DirEntry>* out);
  // Drops every entry below this directory (filesystem teardown: breaks
  // the parent/child reference cycles).
  void Clear();

 protected:
  int64_t LookupChild(const std::string& name,
                      std::shared_ptr<vfs::Dentry>* out) override;

 private:
  // Adds a new inode as `name`: -EEXIST if taken, -ENOENT if this
  // directory was removed.
  int64_t AddChild(const std::string& name, mode_t mode, dev_t rdev,
                   const vfs::Credentials& creds, const std::string& target,
                   std::shared_ptr<TmpfsDentry>* out);
  // Directory mtime/ctime after a change of its entries.
  void TouchDirLocked(int64_t size_delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(dir_mu_);

  TmpfsFilesystem* const fs_;
  const std::shared_ptr<TmpfsInode> inode_;
  absl::Mutex dir_mu_;
  std::map<std::string, std::shared_ptr<TmpfsDentry>> entries_
      ABSL_GUARDED_BY(dir_mu_);
  bool removed_ ABSL_GUARDED_BY(dir_mu_) = false;
  friend class TmpfsFilesystem;
};

// An open tmpfs regular file.
class TmpfsRegularFile : public vfs::FileDescription {
 public:
  TmpfsRegularFile(std::shared_ptr<TmpfsInode> inode, int status_flags);

  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  int64_t PRead(void* buf, uint64_t n, int64_t off) override;
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override;
  int64_t Seek(int64_t off, int whence) override;
  int64_t Stat(uapi::Stat* st) override;
  int64_t Truncate(uint64_t size) override;
  int64_t Allocate(int mode, uint64_t offset, uint64_t len) override;
  int MappableHostFd() override { return inode_->HostFd(); }
  int64_t PrepareMap(bool shared, int prot, bool* may_write,
                     std::shared_ptr<const void>* writable_map) override;
  int64_t GetSeals() override;
  int64_t AddSeals(unsigned seals) override;

  const std::shared_ptr<TmpfsInode>& inode() const { return inode_; }

 private:
  const std::shared_ptr<TmpfsInode> inode_;
};

// A regular file with no name in any filesystem: memfd_create(2). `name`
// is what /proc/PID/fd shows after "/memfd:".
// `flags` are memfd_create's MFD_ALLOW_SEALING and MFD_NOEXEC_SEAL.
std::shared_ptr<vfs::FileDescription> NewMemfdFile(const std::string& name,
                                                   int status_flags,
                                                   unsigned flags = 0);

}  // namespace sentry::fs

#endif  // SENTRY_FS_TMPFS_TMPFS_H_
