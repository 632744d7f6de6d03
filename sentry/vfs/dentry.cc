#include "sentry/vfs/dentry.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "sentry/vfs/filesystem.h"

namespace sentry::vfs {

Dentry::Dentry(std::shared_ptr<Dentry> parent, std::string name, uint32_t type)
    : type_(type & S_IFMT), parent_(std::move(parent)), name_(std::move(name)) {}

Dentry::~Dentry() = default;

std::string Dentry::name() const {
  absl::MutexLock l(&name_mu_);
  return name_;
}

std::shared_ptr<Dentry> Dentry::parent() const {
  absl::MutexLock l(&name_mu_);
  return parent_;
}

void Dentry::SetParentAndName(std::shared_ptr<Dentry> parent,
                              std::string name) {
  std::shared_ptr<Dentry> old;
  absl::MutexLock l(&name_mu_);
  old = std::exchange(parent_, std::move(parent));
  name_ = std::move(name);
}

void Dentry::CacheChild(const std::string& name,
                        const std::shared_ptr<Dentry>& child) {
  absl::MutexLock l(&mu_);
  children_[name] = child;
}

void Dentry::ForgetChild(const std::string& name, const Dentry* which) {
  absl::MutexLock l(&mu_);
  auto it = children_.find(name);
  if (it == children_.end()) return;
  if (which) {
    std::shared_ptr<Dentry> live = it->second.lock();
    if (live && live.get() != which) return;
  }
  children_.erase(it);
}

int64_t Dentry::Lookup(const std::string& name, std::shared_ptr<Dentry>* out) {
  if (!IsDir()) return -ENOTDIR;
  bool found = false;
  {
    absl::MutexLock l(&mu_);
    auto it = children_.find(name);
    if (it != children_.end()) {
      if (auto live = it->second.lock()) {
        *out = std::move(live);
        found = true;
      }
    }
  }
  if (found) {
    filesystem().DentryUsed(*out);
    return 0;
  }
  // Ask the filesystem without holding the lock (it may block on the host).
  std::shared_ptr<Dentry> fresh;
  int64_t r = LookupChild(name, &fresh);
  if (r < 0) return r;
  {
    absl::MutexLock l(&mu_);
    auto& slot = children_[name];
    if (auto live = slot.lock()) {
      // Another thread won the race: keep one object per name.
      *out = std::move(live);
    } else {
      slot = fresh;
      *out = fresh;
    }
    if (children_.size() >= sweep_at_) {
      // Forget names nobody holds any more.
      for (auto it = children_.begin(); it != children_.end();) {
        auto cur = it++;
        if (cur->second.expired()) children_.erase(cur);
      }
      sweep_at_ = std::max<size_t>(64, children_.size() * 2);
    }
  }
  filesystem().DentryUsed(*out);
  return 0;
}

int64_t Dentry::Statx(uint32_t mask, uapi::Statx* stx) {
  uapi::Stat st;
  int64_t r = Stat(&st);
  if (r < 0) return r;
  StatToStatx(st, mask, stx);
  return 0;
}

int64_t Dentry::Readlink(std::string* target) { return -EINVAL; }

int64_t Dentry::Create(const std::string& name, int flags, mode_t mode,
                       const Credentials& creds,
                       std::shared_ptr<Dentry>* out) {
  return -EACCES;
}

int64_t Dentry::Mkdir(const std::string& name, mode_t mode,
                      const Credentials& creds) {
  return -EPERM;
}

int64_t Dentry::Mknod(const std::string& name, mode_t mode, dev_t dev,
                      const Credentials& creds) {
  return -EPERM;
}

int64_t Dentry::Symlink(const std::string& name, const std::string& target,
                        const Credentials& creds) {
  return -EPERM;
}

int64_t Dentry::Link(const std::string& name,
                     const std::shared_ptr<Dentry>& target) {
  return -EPERM;
}

int64_t Dentry::Unlink(const std::string& name,
                       const std::shared_ptr<Dentry>& child) {
  return -EPERM;
}

int64_t Dentry::Rmdir(const std::string& name,
                      const std::shared_ptr<Dentry>& child) {
  return -EPERM;
}

int64_t Dentry::Rename(const std::string& old_name,
                       const std::shared_ptr<Dentry>& child, Dentry& new_dir,
                       const std::string& new_name,
                       const std::shared_ptr<Dentry>& replaced,
                       unsigned flags) {
  return -EPERM;
}

int64_t Dentry::Tmpfile(const VirtualDentry& dir_vd, int flags, mode_t mode,
                        const Credentials& creds,
                        std::shared_ptr<FileDescription>* out) {
  return -EOPNOTSUPP;
}

int64_t Dentry::SetAttr(const SetAttrRequest& req) { return -EPERM; }

uapi::Timespec NowTimespec() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uapi::Timespec{ts.tv_sec, ts.tv_nsec};
}

void StatToStatx(const uapi::Stat& st, uint32_t mask, uapi::Statx* stx) {
  std::memset(stx, 0, sizeof(*stx));
  stx->stx_mask = uapi::kStatxBasicStats;
  stx->stx_blksize = static_cast<uint32_t>(st.st_blksize);
  stx->stx_nlink = static_cast<uint32_t>(st.st_nlink);
  stx->stx_uid = st.st_uid;
  stx->stx_gid = st.st_gid;
  stx->stx_mode = static_cast<uint16_t>(st.st_mode);
  stx->stx_ino = st.st_ino;
  stx->stx_size = static_cast<uint64_t>(st.st_size);
  stx->stx_blocks = static_cast<uint64_t>(st.st_blocks);
  auto ts = [](const uapi::Timespec& t) {
    uapi::StatxTimestamp s{};
    s.tv_sec = t.tv_sec;
    s.tv_nsec = static_cast<uint32_t>(t.tv_nsec);
    return s;
  };
  stx->stx_atime = ts(st.st_atim);
  stx->stx_mtime = ts(st.st_mtim);
  stx->stx_ctime = ts(st.st_ctim);
  stx->stx_rdev_major = major(st.st_rdev);
  stx->stx_rdev_minor = minor(st.st_rdev);
  stx->stx_dev_major = major(st.st_dev);
  stx->stx_dev_minor = minor(st.st_dev);
}

}  // namespace sentry::vfs
