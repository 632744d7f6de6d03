// OpathFileDescription: what open(O_PATH) returns. It names a location
// (usable as a dirfd, with fchdir, fstat, AT_EMPTY_PATH) but cannot be read,
// written, listed or ioctl'ed (-EBADF), as in Linux.
#ifndef SENTRY_VFS_OPATH_FILE_H_
#define SENTRY_VFS_OPATH_FILE_H_

#include "sentry/vfs/file_description.h"

namespace sentry::vfs {

class OpathFileDescription : public FileDescription {
 public:
  // `flags`: O_PATH plus O_DIRECTORY/O_NOFOLLOW as given (F_GETFL shows
  // them, as Linux does).
  explicit OpathFileDescription(int flags)
      : FileDescription(flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)) {}

  int64_t Read(Task& t, void* buf, uint64_t n) override { return -EBADF; }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return -EBADF;
  }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -EBADF; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -EBADF;
  }
  int64_t Seek(int64_t off, int whence) override { return -EBADF; }
  int64_t Getdents64(void* buf, uint64_t n) override { return -EBADF; }
  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override { return -EBADF; }
  int64_t SetStatusFlags(int flags) override { return -EBADF; }
  int64_t Stat(uapi::Stat* st) override;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_OPATH_FILE_H_
