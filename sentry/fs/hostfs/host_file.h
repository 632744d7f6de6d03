// Open hostfs files: regular files read with pread on a host fd the sentry
// holds, and directories listed with the host's getdents64.
#ifndef SENTRY_FS_HOSTFS_HOST_FILE_H_
#define SENTRY_FS_HOSTFS_HOST_FILE_H_

#include <vector>

#include "sentry/vfs/directory_file.h"
#include "sentry/vfs/file_description.h"

namespace sentry::fs {

class HostRegularFile : public vfs::FileDescription {
 public:
  // Takes ownership of `host_fd` (opened with the description's access).
  HostRegularFile(int host_fd, int status_flags);
  ~HostRegularFile() override;

  int64_t PRead(void* buf, uint64_t n, int64_t off) override;
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override;
  int64_t Fsync(bool datasync) override;
  int64_t Truncate(uint64_t size) override;
  int64_t Allocate(int mode, uint64_t offset, uint64_t len) override;
  int MappableHostFd() override { return fd_; }
  // SEEK_DATA/SEEK_HOLE ask the host; the rest is the default arithmetic.
  int64_t Seek(int64_t off, int whence) override;
  int64_t Stat(uapi::Stat* st) override;

  // For mapping the file directly (mm may use it; the sentry keeps it).
  int host_fd() const { return fd_; }

 private:
  const int fd_;
};

class HostDirectoryFile : public vfs::DirectoryFileDescription {
 public:
  // Takes ownership of `host_fd` (opened O_RDONLY | O_DIRECTORY). `masked`
  // lists nothing but "." and "..".
  HostDirectoryFile(int host_fd, int status_flags, bool masked);
  ~HostDirectoryFile() override;

  int64_t Stat(uapi::Stat* st) override;
  int64_t Fsync(bool datasync) override;

 protected:
  int64_t ListEntries(std::vector<vfs::DirEntry>* out) override;

 private:
  const int fd_;
  const bool masked_;
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOSTFS_HOST_FILE_H_
