#include "sentry/fs/hostfs/host_filesystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sentry/fs/hostfs/host_dentry.h"

namespace sentry::fs {

HostFilesystem::HostFilesystem(std::string host_root)
    : host_root_(std::move(host_root)) {}

HostFilesystem::~HostFilesystem() = default;

absl::StatusOr<std::shared_ptr<HostFilesystem>> HostFilesystem::New(
    const std::string& host_root) {
  int fd = open(host_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("host root \"", host_root,
                                            "\": ", std::strerror(errno)));
  }
  struct stat st;
  int err = fstat(fd, &st) < 0 ? errno : (S_ISDIR(st.st_mode) ? 0 : ENOTDIR);
  if (err) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "host root \"", host_root, "\": ", std::strerror(err)));
  }
  std::shared_ptr<HostFilesystem> fs(new HostFilesystem(host_root));
  fs->root_ = std::make_shared<HostDentry>(fs.get(), nullptr, "", fd, st,
                                           /*masked=*/false);
  return fs;
}

std::shared_ptr<vfs::Dentry> HostFilesystem::Root() { return root_; }

}  // namespace sentry::fs
