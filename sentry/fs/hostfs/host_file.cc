#include "sentry/fs/hostfs/host_file.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "abi/linux/dirent.h"
#include "sentry/fs/hostfs/host_stat.h"

namespace sentry::fs {

HostRegularFile::HostRegularFile(int host_fd, int status_flags)
    : FileDescription(status_flags), fd_(host_fd) {}

HostRegularFile::~HostRegularFile() { close(fd_); }

int64_t HostRegularFile::PRead(void* buf, uint64_t n, int64_t off) {
  if (off < 0) return -EINVAL;
  for (;;) {
    ssize_t r = pread(fd_, buf, n, off);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostRegularFile::PWrite(const void* buf, uint64_t n, int64_t off) {
  if (off < 0) return -EINVAL;
  for (;;) {
    ssize_t r = pwrite(fd_, buf, n, off);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostRegularFile::Fsync(bool datasync) {
  int r = datasync ? fdatasync(fd_) : fsync(fd_);
  return r < 0 ? -errno : 0;
}

int64_t HostRegularFile::Truncate(uint64_t size) {
  return ftruncate(fd_, static_cast<off_t>(size)) < 0 ? -errno : 0;
}

int64_t HostRegularFile::Allocate(int mode, uint64_t offset, uint64_t len) {
  if (fallocate(fd_, mode, static_cast<off_t>(offset),
                static_cast<off_t>(len)) < 0) {
    return -errno;
  }
  return 0;
}

int64_t HostRegularFile::Seek(int64_t off, int whence) {
  if (whence != SEEK_DATA && whence != SEEK_HOLE) {
    return FileDescription::Seek(off, whence);
  }
  absl::MutexLock l(&pos_mu_);
  // The host fd's own offset is unused by pread, so it can answer this.
  off_t r = lseek(fd_, off, whence);
  if (r < 0) return -errno;
  pos_ = r;
  return r;
}

int64_t HostRegularFile::Stat(uapi::Stat* st) { return HostFstat(fd_, st); }

HostDirectoryFile::HostDirectoryFile(int host_fd, int status_flags,
                                     bool masked)
    : DirectoryFileDescription(status_flags), fd_(host_fd), masked_(masked) {}

HostDirectoryFile::~HostDirectoryFile() { close(fd_); }

int64_t HostDirectoryFile::Stat(uapi::Stat* st) { return HostFstat(fd_, st); }

int64_t HostDirectoryFile::Fsync(bool datasync) {
  int r = datasync ? fdatasync(fd_) : fsync(fd_);
  return r < 0 ? -errno : 0;
}

int64_t HostDirectoryFile::ListEntries(std::vector<vfs::DirEntry>* out) {
  if (masked_) return 0;
  if (lseek(fd_, 0, SEEK_SET) < 0) return -errno;
  alignas(8) char buf[32768];
  for (;;) {
    long n = syscall(SYS_getdents64, fd_, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return 0;
    long pos = 0;
    while (pos < n) {
      // Parse the host's linux_dirent64 records field by field.
      uint64_t ino;
      uint16_t reclen;
      uint8_t type;
      std::memcpy(&ino, buf + pos, sizeof(ino));
      std::memcpy(&reclen, buf + pos + 16, sizeof(reclen));
      std::memcpy(&type, buf + pos + 18, sizeof(type));
      if (reclen < uapi::kDirent64NameOffset + 1 || pos + reclen > n) return -EIO;
      const char* name = buf + pos + uapi::kDirent64NameOffset;
      size_t len = strnlen(name, reclen - uapi::kDirent64NameOffset);
      pos += reclen;
      if ((len == 1 && name[0] == '.') ||
          (len == 2 && name[0] == '.' && name[1] == '.')) {
        continue;
      }
      out->push_back(vfs::DirEntry{std::string(name, len), ino, type});
    }
  }
}

}  // namespace sentry::fs
