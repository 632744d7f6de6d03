#include "sentry/fs/hostfs/host_filesystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sentry/fs/hostfs/host_dentry.h"

namespace sentry::fs {

HostFilesystem::HostFilesystem(std::string host_root, bool writable)
    : host_root_(std::move(host_root)), writable_(writable) {}

HostFilesystem::~HostFilesystem() = default;

absl::StatusOr<std::shared_ptr<HostFilesystem>> HostFilesystem::New(
    const std::string& host_root, bool writable) {
  int fd = open(host_root.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("host path \"", host_root,
                                            "\": ", std::strerror(errno)));
  }
  struct stat st;
  int err = fstat(fd, &st) < 0 ? errno : 0;
  if (!err && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) err = EINVAL;
  if (err) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "host path \"", host_root, "\": ", std::strerror(err)));
  }
  std::shared_ptr<HostFilesystem> fs(new HostFilesystem(host_root, writable));
  fs->root_ = std::make_shared<HostDentry>(fs.get(), nullptr, "", fd, st,
                                           /*masked=*/false);
  return fs;
}

std::shared_ptr<vfs::Dentry> HostFilesystem::Root() { return root_; }

int64_t HostFilesystem::Statfs(uapi::Statfs* out) {
  struct statfs sfs;
  if (fstatfs(root_->path_fd(), &sfs) < 0) return -errno;
  std::memset(out, 0, sizeof(*out));
  out->f_type = static_cast<int64_t>(sfs.f_type);
  out->f_bsize = static_cast<int64_t>(sfs.f_bsize);
  out->f_blocks = sfs.f_blocks;
  out->f_bfree = sfs.f_bfree;
  out->f_bavail = sfs.f_bavail;
  out->f_files = sfs.f_files;
  out->f_ffree = sfs.f_ffree;
  out->f_namelen = static_cast<int64_t>(sfs.f_namelen);
  out->f_frsize = static_cast<int64_t>(sfs.f_frsize);
  return 0;
}

}  // namespace sentry::fs
