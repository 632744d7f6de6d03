#include "sentry/fs/hostfs/host_dentry.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "sentry/fs/hostfs/host_file.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/fs/hostfs/host_stat.h"
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
  char buf[vfs::kPathMax];
  ssize_t n = readlinkat(fd_, "", buf, sizeof(buf));
  if (n < 0) return -errno;
  if (static_cast<size_t>(n) >= sizeof(buf)) return -ENAMETOOLONG;
  target->assign(buf, static_cast<size_t>(n));
  return 0;
}

int64_t HostDentry::OpenHostFile(int flags, int* out_fd) {
  int fd;
  if (IsDir()) {
    fd = openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } else {
    auto* parent = static_cast<HostDentry*>(this->parent().get());
    if (!parent) return -ENOENT;
    // O_NONBLOCK: should the name now be a FIFO, do not hang the sentry.
    fd = openat(parent->fd_, name().c_str(),
                O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
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
                         std::shared_ptr<vfs::FileDescription>* out) {
  int acc = flags & O_ACCMODE;
  if (acc != O_RDONLY || (flags & O_TRUNC)) return -EROFS;
  if (S_ISCHR(type()) || S_ISBLK(type()) || S_ISFIFO(type())) return -EACCES;
  if (S_ISSOCK(type())) return -ENXIO;
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

}  // namespace sentry::fs
