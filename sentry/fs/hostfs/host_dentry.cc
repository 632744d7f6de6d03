#include "sentry/fs/hostfs/host_dentry.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "sentry/fs/hostfs/host_file.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/fs/hostfs/host_stat.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::fs {

namespace {

// Host filesystems that describe the host itself (its processes, kernel,
// devices, cgroups) rather than files: never shown to the sandbox.
bool IsHostPseudoFs(uint64_t magic) {
  switch (magic) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEBUGFS_MAGIC:
    case SECURITYFS_MAGIC:
    case TRACEFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case BPF_FS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case PSTOREFS_MAGIC:
    case EFIVARFS_MAGIC:
    case SELINUX_MAGIC:
    case SMACK_MAGIC:
    case NSFS_MAGIC:
    case BINFMTFS_MAGIC:
    case RDTGROUP_SUPER_MAGIC:
    case AUTOFS_SUPER_MAGIC:
    case 0x19800202:  // mqueue
    case 0x65735543:  // fusectl
    case 0x62656570:  // configfs
      return true;
    default:
      return false;
  }
}

}  // namespace

HostDentry::HostDentry(HostFilesystem* fs, std::shared_ptr<vfs::Dentry> parent,
                       std::string name, int path_fd, const struct stat& st,
                       bool masked)
    : vfs::Dentry(std::move(parent), std::move(name), st.st_mode),
      fs_(fs),
      fd_(path_fd),
      dev_(st.st_dev),
      ino_(st.st_ino),
      masked_(masked) {}

HostDentry::~HostDentry() { close(fd_); }

vfs::Filesystem& HostDentry::filesystem() const { return *fs_; }

int64_t HostDentry::LookupChild(const std::string& name,
                                std::shared_ptr<vfs::Dentry>* out) {
  // The walk never passes these; refuse them anyway so that nothing but a
  // plain name ever reaches openat.
  if (name.empty() || name == "." || name == ".." ||
      name.find('/') != std::string::npos) {
    return -ENOENT;
  }
  if (name.size() > vfs::kNameMax) return -ENAMETOOLONG;
  if (masked_) return -ENOENT;
  int fd = openat(fd_, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  bool masked = false;
  if (st.st_dev != dev_) {
    // A host mount point: hide it if it is one of the host's own views.
    // A directory shows as empty; anything else (a bind-mounted file) is
    // not there at all.
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0 ||
        IsHostPseudoFs(static_cast<uint64_t>(sfs.f_type))) {
      if (!S_ISDIR(st.st_mode)) {
        close(fd);
        return -ENOENT;
      }
      masked = true;
    }
  }
  *out = std::make_shared<HostDentry>(fs_, shared_from_this(), name, fd, st,
                                      masked);
  return 0;
}

int64_t HostDentry::Stat(uapi::Stat* st) { return HostFstat(fd_, st); }

int64_t HostDentry::Statx(uint32_t mask, uapi::Statx* stx) {
  struct statx sx;
  if (statx(fd_, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT,
            mask, &sx) < 0) {
    if (errno == ENOSYS) return vfs::Dentry::Statx(mask, stx);
    return -errno;
  }
  HostStatxToAbi(sx, stx);
  return 0;
}

int64_t HostDentry::Readlink(std::string* target) {
  if (!IsSymlink()) return -EINVAL;
  {
    absl::MutexLock l(&link_mu_);
    if (link_read_) {
      *target = link_target_;
      return 0;
    }
  }
  char buf[vfs::kPathMax];
  ssize_t n = readlinkat(fd_, "", buf, sizeof(buf));
  if (n < 0) return -errno;
  if (static_cast<size_t>(n) >= sizeof(buf)) return -ENAMETOOLONG;
  target->assign(buf, static_cast<size_t>(n));
  absl::MutexLock l(&link_mu_);
  link_target_ = *target;
  link_read_ = true;
  return 0;
}

std::string HostDentry::ProcPath() const {
  return "/proc/self/fd/" + std::to_string(fd_);
}

int64_t HostDentry::OpenHostFile(int flags, int* out_fd) {
  int acc = flags & O_ACCMODE;
  int host_acc = acc == O_ACCMODE ? O_RDWR : acc;
  int fd;
  if (IsDir()) {
    fd = openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } else {
    std::shared_ptr<vfs::Dentry> parent = this->parent();
    // O_NONBLOCK: should the name now be a FIFO, do not hang the sentry.
    const int oflags = host_acc | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    if (parent && !IsDeleted()) {
      fd = openat(static_cast<HostDentry*>(parent.get())->fd_, name().c_str(),
                  oflags);
    } else {
      // The root of a bind-mounted file, or a file without a name: reopen
      // the inode the held fd refers to.
      fd = open(ProcPath().c_str(), oflags & ~O_NOFOLLOW);
    }
  }
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_dev != dev_ || st.st_ino != ino_ ||
      (st.st_mode & S_IFMT) != type()) {
    // The host replaced the file since the lookup.
    close(fd);
    return -ENOENT;
  }
  *out_fd = fd;
  return 0;
}

int64_t HostDentry::Open(const vfs::VirtualDentry& vd, int flags,
                         const vfs::Credentials& creds,
                         std::shared_ptr<vfs::FileDescription>* out) {
  int acc = flags & O_ACCMODE;
  const bool write = acc != O_RDONLY || (flags & O_TRUNC);
  if (write && !fs_->writable() && !S_ISFIFO(type())) return -EROFS;
  if (S_ISCHR(type()) || S_ISBLK(type())) return -EACCES;
  if (S_ISSOCK(type())) return -ENXIO;
  if (S_ISFIFO(type())) {
    // Only the sandbox's own processes meet at a FIFO: the host's FIFO
    // itself is never opened.
    if (!fs_->writable()) return -EACCES;
    return OpenFifo(creds.task, FifoPipe(dev_, ino_), ino_, flags, out);
  }
  if (!IsDir() && !IsRegular()) return -EACCES;
  int fd;
  int64_t r = OpenHostFile(flags, &fd);
  if (r < 0) return r;
  const int status = vfs::OpenStatusFlags(flags);
  if (IsDir()) {
    *out = std::make_shared<HostDirectoryFile>(fd, status, masked_);
  } else {
    *out = std::make_shared<HostRegularFile>(fd, status);
  }
  return 0;
}

namespace {

// Permission bits a host file may get from the sandbox: never set-user-ID
// or set-group-ID (the host would honour them outside the sandbox).
mode_t HostMode(mode_t mode) { return mode & 01777; }

}  // namespace

// After creating `name`, gives it exactly `mode` (the sentry's own umask
// applied to the host call) through a fresh dentry's fd.
static int64_t FinishCreate(HostDentry* dir, const std::string& name,
                            mode_t mode, std::shared_ptr<vfs::Dentry>* out) {
  std::shared_ptr<vfs::Dentry> child;
  int64_t r = dir->Lookup(name, &child);
  if (r < 0) return r;
  auto* hd = static_cast<HostDentry*>(child.get());
  if (!child->IsSymlink()) {
    std::string p = "/proc/self/fd/" + std::to_string(hd->path_fd());
    if (chmod(p.c_str(), HostMode(mode)) < 0) return -errno;
  }
  if (out) *out = std::move(child);
  return 0;
}

int64_t HostDentry::Create(const std::string& name, int flags, mode_t mode,
                           const vfs::Credentials& creds,
                           std::shared_ptr<vfs::Dentry>* out) {
  if (!fs_->writable()) return -EROFS;
  if (mknodat(fd_, name.c_str(), S_IFREG | HostMode(mode), 0) < 0) {
    return -errno;
  }
  return FinishCreate(this, name, mode, out);
}

int64_t HostDentry::Mkdir(const std::string& name, mode_t mode,
                          const vfs::Credentials& creds) {
  if (!fs_->writable()) return -EROFS;
  if (mkdirat(fd_, name.c_str(), HostMode(mode)) < 0) return -errno;
  return FinishCreate(this, name, mode, nullptr);
}

int64_t HostDentry::Mknod(const std::string& name, mode_t mode, dev_t dev,
                          const vfs::Credentials& creds) {
  if (!fs_->writable()) return -EROFS;
  switch (mode & S_IFMT) {
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    default:
      // No device nodes on the host from inside the sandbox.
      return -EPERM;
  }
  if (mknodat(fd_, name.c_str(), (mode & S_IFMT) | HostMode(mode), 0) < 0) {
    return -errno;
  }
  return FinishCreate(this, name, mode, nullptr);
}

int64_t HostDentry::Symlink(const std::string& name, const std::string& target,
                            const vfs::Credentials& creds) {
  if (!fs_->writable()) return -EROFS;
  if (symlinkat(target.c_str(), fd_, name.c_str()) < 0) return -errno;
  return 0;
}

int64_t HostDentry::Link(const std::string& name,
                         const std::shared_ptr<vfs::Dentry>& target) {
  if (!fs_->writable()) return -EROFS;
  auto* t = static_cast<HostDentry*>(target.get());
  // Following the fd's magic link links exactly that inode.
  if (linkat(AT_FDCWD, t->ProcPath().c_str(), fd_, name.c_str(),
             AT_SYMLINK_FOLLOW) < 0) {
    return -errno;
  }
  return 0;
}

int64_t HostDentry::Unlink(const std::string& name,
                           const std::shared_ptr<vfs::Dentry>& child) {
  if (!fs_->writable()) return -EROFS;
  if (unlinkat(fd_, name.c_str(), 0) < 0) return -errno;
  return 0;
}

int64_t HostDentry::Rmdir(const std::string& name,
                          const std::shared_ptr<vfs::Dentry>& child) {
  if (!fs_->writable()) return -EROFS;
  if (unlinkat(fd_, name.c_str(), AT_REMOVEDIR) < 0) return -errno;
  return 0;
}

int64_t HostDentry::Rename(const std::string& old_name,
                           const std::shared_ptr<vfs::Dentry>& child,
                           vfs::Dentry& new_dir, const std::string& new_name,
                           const std::shared_ptr<vfs::Dentry>& replaced,
                           unsigned flags) {
  if (!fs_->writable()) return -EROFS;
  auto& nd = static_cast<HostDentry&>(new_dir);
  if (syscall(SYS_renameat2, fd_, old_name.c_str(), nd.fd_, new_name.c_str(),
              flags) < 0) {
    return -errno;
  }
  return 0;
}

int64_t HostDentry::Tmpfile(const vfs::VirtualDentry& dir_vd, int flags,
                            mode_t mode, const vfs::Credentials& creds,
                            std::shared_ptr<vfs::FileDescription>* out) {
  if (!fs_->writable()) return -EROFS;
  int acc = flags & O_ACCMODE;
  int fd = openat(fd_, ".", O_TMPFILE | acc | O_CLOEXEC | (flags & O_EXCL),
                  HostMode(mode));
  if (fd < 0) return -errno;
  std::string p = "/proc/self/fd/" + std::to_string(fd);
  fchmod(fd, HostMode(mode));
  int path_fd = open(p.c_str(), O_PATH | O_CLOEXEC);
  struct stat st;
  if (path_fd < 0 || fstat(fd, &st) < 0) {
    int err = errno;
    if (path_fd >= 0) close(path_fd);
    close(fd);
    return -err;
  }
  std::string name = "#" + std::to_string(st.st_ino);
  auto d = std::make_shared<HostDentry>(fs_, shared_from_this(), name,
                                        path_fd, st, false);
  d->MarkDeleted();
  auto f = std::make_shared<HostRegularFile>(fd, vfs::OpenStatusFlags(flags));
  vfs::VirtualDentry vd{dir_vd.mount, d};
  f->SetLocation(vd, "");
  *out = std::move(f);
  return 0;
}

int64_t HostDentry::SetAttr(const vfs::SetAttrRequest& req) {
  using R = vfs::SetAttrRequest;
  if (!fs_->writable()) return -EROFS;
  const std::string p = ProcPath();
  if (req.mask & R::kSize) {
    if (!IsRegular()) return IsDir() ? -EISDIR : -EINVAL;
    if (truncate(p.c_str(), static_cast<off_t>(req.size)) < 0) return -errno;
  }
  if (req.mask & (R::kUid | R::kGid)) {
    uid_t uid = (req.mask & R::kUid) ? req.uid : static_cast<uid_t>(-1);
    gid_t gid = (req.mask & R::kGid) ? req.gid : static_cast<gid_t>(-1);
    if (fchownat(fd_, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
      return -errno;
    }
  }
  if (req.mask & R::kMode) {
    if (IsSymlink()) return -EOPNOTSUPP;
    if (chmod(p.c_str(), HostMode(req.mode)) < 0) return -errno;
  }
  if (req.mask & (R::kAtime | R::kMtime | R::kAtimeNow | R::kMtimeNow)) {
    struct timespec ts[2];
    auto pick = [](bool now, bool set, const uapi::Timespec& v) {
      struct timespec t;
      t.tv_sec = v.tv_sec;
      t.tv_nsec = v.tv_nsec;
      if (now) t.tv_nsec = UTIME_NOW;
      if (!now && !set) t.tv_nsec = UTIME_OMIT;
      return t;
    };
    ts[0] = pick(req.mask & R::kAtimeNow, req.mask & R::kAtime, req.atime);
    ts[1] = pick(req.mask & R::kMtimeNow, req.mask & R::kMtime, req.mtime);
    int r;
    std::shared_ptr<vfs::Dentry> parent = this->parent();
    if (IsSymlink() && parent) {
      r = utimensat(static_cast<HostDentry*>(parent.get())->fd_,
                    name().c_str(), ts, AT_SYMLINK_NOFOLLOW);
    } else {
      r = utimensat(AT_FDCWD, p.c_str(), ts, 0);
    }
    if (r < 0) return -errno;
  }
  return 0;
}

}  // namespace sentry::fs
