// VirtualFilesystem: construction, the mount table and path names.
#include "sentry/vfs/vfs.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/filesystem.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/mount.h"

namespace sentry::vfs {

absl::StatusOr<std::shared_ptr<VirtualFilesystem>> VirtualFilesystem::New(
    const std::string& host_root) {
  auto fs = fs::HostFilesystem::New(host_root);
  if (!fs.ok()) return fs.status();
  return std::make_shared<VirtualFilesystem>(*std::move(fs), kMountReadOnly,
                                             host_root);
}

VirtualFilesystem::VirtualFilesystem(std::shared_ptr<Filesystem> root_fs,
                                     int root_flags,
                                     const std::string& root_source) {
  std::shared_ptr<Dentry> root = root_fs->Root();
  root_mount_ = std::make_shared<Mount>(1, std::move(root_fs), std::move(root),
                                        root_flags, nullptr, nullptr,
                                        root_source);
}

VirtualFilesystem::~VirtualFilesystem() = default;

VirtualDentry VirtualFilesystem::Root() const {
  return VirtualDentry{root_mount_, root_mount_->root()};
}

absl::StatusOr<std::shared_ptr<FsContext>> VirtualFilesystem::NewFsContext(
    const std::string& cwd) {
  VirtualDentry root = Root();
  std::string path = cwd.empty() ? "/" : cwd;
  if (path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", cwd, "\" is not absolute"));
  }
  VirtualDentry vd;
  LookupOptions opts;
  opts.must_be_dir = true;
  int64_t r = GetDentryAt(root, root, path, opts, Credentials{}, &vd);
  if (r < 0) {
    return absl::NotFoundError(absl::StrCat("working directory \"", cwd,
                                            "\": ", std::strerror(-r)));
  }
  return std::make_shared<FsContext>(std::move(root), std::move(vd), 022);
}

absl::Status VirtualFilesystem::AddMount(const std::string& target,
                                         std::shared_ptr<Filesystem> fs,
                                         int flags, const std::string& source) {
  VirtualDentry root = Root();
  if (target.empty() || target[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("mount target \"", target, "\" is not absolute"));
  }
  std::shared_ptr<Dentry> fs_root = fs->Root();
  VirtualDentry vd;
  LookupOptions opts;
  opts.must_be_dir = fs_root->IsDir();
  int64_t r = GetDentryAt(root, root, target, opts, Credentials{}, &vd);
  if (r < 0) {
    return absl::NotFoundError(absl::StrCat("mount target \"", target,
                                            "\": ", std::strerror(-r)));
  }
  if (vd.dentry->IsDir() != fs_root->IsDir()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mount target \"", target, "\": ",
        std::strerror(fs_root->IsDir() ? ENOTDIR : EISDIR)));
  }
  absl::MutexLock l(&mounts_mu_);
  auto m = std::make_shared<Mount>(next_mount_id_++, std::move(fs),
                                   std::move(fs_root), flags, vd.mount,
                                   vd.dentry, source);
  mounts_[{vd.mount.get(), vd.dentry.get()}] = m;
  ++mountpoints_[vd.dentry.get()];
  vd.dentry->MarkMountedOn();
  mount_order_.push_back(std::move(m));
  return absl::OkStatus();
}

std::shared_ptr<Mount> VirtualFilesystem::MountedAt(
    const VirtualDentry& vd) const {
  // Most dentries were never mounted on: no lock, no table look-up.
  if (!vd.dentry->MountedOn()) return nullptr;
  absl::ReaderMutexLock l(&mounts_mu_);
  if (mounts_.empty()) return nullptr;
  auto it = mounts_.find(std::make_pair(static_cast<const Mount*>(vd.mount.get()),
                                        static_cast<const Dentry*>(vd.dentry.get())));
  return it == mounts_.end() ? nullptr : it->second;
}

bool VirtualFilesystem::IsMountpoint(const Dentry* d) const {
  if (!d->MountedOn()) return false;
  absl::ReaderMutexLock l(&mounts_mu_);
  return mountpoints_.contains(d);
}

std::vector<std::shared_ptr<Mount>> VirtualFilesystem::Mounts() const {
  std::vector<std::shared_ptr<Mount>> out{root_mount_};
  absl::ReaderMutexLock l(&mounts_mu_);
  out.insert(out.end(), mount_order_.begin(), mount_order_.end());
  return out;
}

std::string VirtualFilesystem::PathOf(const VirtualDentry& root,
                                      const VirtualDentry& vd,
                                      bool* reachable) {
  std::vector<std::string> names;
  VirtualDentry cur = vd;
  bool ok = true;
  while (cur.ok() && !(cur == root)) {
    if (cur.dentry == cur.mount->root()) {
      if (!cur.mount->parent()) {
        ok = false;  // reached the top without meeting `root`
        break;
      }
      cur = VirtualDentry{cur.mount->parent(), cur.mount->mountpoint()};
      continue;
    }
    names.push_back(cur.dentry->name());
    std::shared_ptr<Dentry> parent = cur.dentry->parent();
    if (!parent) {
      ok = false;
      break;
    }
    cur.dentry = std::move(parent);
  }
  if (reachable) *reachable = ok;
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    out += '/';
    out += *it;
  }
  return out.empty() ? "/" : out;
}

}  // namespace sentry::vfs
