// Building blocks of procfs: generated directories, files and symlinks.
#ifndef SENTRY_FS_PROCFS_NODES_H_
#define SENTRY_FS_PROCFS_NODES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sentry/vfs/credentials.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/directory_file.h"
#include "sentry/vfs/filesystem.h"
#include "sentry/vfs/mount.h"

namespace sentry {
class Kernel;
}

namespace sentry::fs::proc {

class ProcFs : public vfs::Filesystem {
 public:
  explicit ProcFs(Kernel& kernel);
  std::string Name() const override { return "proc"; }
  std::shared_ptr<vfs::Dentry> Root() override { return root_; }
  int64_t Statfs(uapi::Statfs* out) override;

  Kernel& kernel() { return kernel_; }
  uint64_t dev() const { return dev_; }
  const uapi::Timespec& mount_time() const { return mount_time_; }
  const std::string& boot_id() const { return boot_id_; }
  // A mount that holds nothing, for locations of anonymous files that
  // magic links lead to (pipes, host fds).
  const std::shared_ptr<vfs::Mount>& anon_mount() const { return anon_mount_; }
  void set_root(std::shared_ptr<vfs::Dentry> r) { root_ = std::move(r); }

 private:
  Kernel& kernel_;
  const uint64_t dev_;
  const uapi::Timespec mount_time_;
  const std::string boot_id_;
  std::shared_ptr<vfs::Dentry> root_;
  std::shared_ptr<vfs::Mount> anon_mount_;
};

// Who owns a node (procfs shows a process's files as its owner's).
using OwnerFn = std::function<void(uint32_t* uid, uint32_t* gid)>;

class Node : public vfs::Dentry {
 public:
  Node(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
       uint32_t mode);
  vfs::Filesystem& filesystem() const override { return *fs_; }
  int64_t Stat(uapi::Stat* st) override;
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override;
  void set_owner(OwnerFn f) { owner_ = std::move(f); }
  ProcFs* fs() const { return fs_; }
  uint64_t ino() const { return ino_; }
  uint32_t mode() const { return mode_; }

 protected:
  int64_t LookupChild(const std::string& name,
                      std::shared_ptr<vfs::Dentry>* out) override {
    return -ENOTDIR;
  }
  ProcFs* const fs_;
  const uint32_t mode_;
  const uint64_t ino_;
  OwnerFn owner_;
};

// A directory: `list` names the children (with their file types) and
// `make` builds one on lookup (-ENOENT when it does not exist).
struct ChildInfo {
  std::string name;
  uint32_t type;  // S_IF*
};
using ListFn = std::function<void(std::vector<ChildInfo>*)>;
using MakeFn = std::function<int64_t(const std::shared_ptr<vfs::Dentry>& self,
                                     const std::string& name,
                                     std::shared_ptr<vfs::Dentry>* out)>;

class Dir : public Node {
 public:
  Dir(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
      uint32_t perm, ListFn list, MakeFn make);
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override;
  void List(std::vector<vfs::DirEntry>* out);

 protected:
  int64_t LookupChild(const std::string& name,
                      std::shared_ptr<vfs::Dentry>* out) override;

 private:
  ListFn list_;
  MakeFn make_;
};

// A file whose text is generated at open. With a `write` function the
// file accepts writes (each write(2) is handed over whole).
using GenFn = std::function<int64_t(const vfs::Credentials& caller,
                                    std::string* out)>;
using WriteFn = std::function<int64_t(const std::string& data)>;

class File : public Node {
 public:
  File(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
       uint32_t perm, GenFn gen, WriteFn write = nullptr);
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override;

 private:
  GenFn gen_;
  WriteFn write_;
};

// A symlink; with `jump` it is a magic link.
using TargetFn = std::function<int64_t(const vfs::Credentials& caller,
                                       std::string* out)>;
using JumpFn = std::function<int64_t(const vfs::Credentials& caller,
                                     vfs::VirtualDentry* out)>;

class Link : public Node {
 public:
  Link(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
       TargetFn target, JumpFn jump = nullptr);
  int64_t Readlink(std::string* target) override;
  int64_t ReadlinkAs(const vfs::Credentials& creds,
                     std::string* target) override;
  bool IsMagicLink() const override { return jump_ != nullptr; }
  int64_t FollowMagicLink(const vfs::Credentials& creds,
                          vfs::VirtualDentry* out) override;

 private:
  TargetFn target_;
  JumpFn jump_;
};

// Where a magic link to an anonymous file (a pipe, a host fd) leads:
// opening it reopens the file (FileDescription::Reopen).
vfs::VirtualDentry AnonLocation(ProcFs* fs,
                                std::shared_ptr<vfs::FileDescription> file);

}  // namespace sentry::fs::proc

#endif  // SENTRY_FS_PROCFS_NODES_H_
