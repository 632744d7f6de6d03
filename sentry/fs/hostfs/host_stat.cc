#include "sentry/fs/hostfs/host_stat.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace sentry::fs {

void HostStatToAbi(const struct stat& in, uapi::Stat* out) {
  std::memset(out, 0, sizeof(*out));
  out->st_dev = in.st_dev;
  out->st_ino = in.st_ino;
  out->st_nlink = in.st_nlink;
  out->st_mode = in.st_mode;
  out->st_uid = in.st_uid;
  out->st_gid = in.st_gid;
  out->st_rdev = in.st_rdev;
  out->st_size = in.st_size;
  out->st_blksize = in.st_blksize;
  out->st_blocks = in.st_blocks;
  out->st_atim = uapi::Timespec{in.st_atim.tv_sec, in.st_atim.tv_nsec};
  out->st_mtim = uapi::Timespec{in.st_mtim.tv_sec, in.st_mtim.tv_nsec};
  out->st_ctim = uapi::Timespec{in.st_ctim.tv_sec, in.st_ctim.tv_nsec};
}

void HostStatxToAbi(const struct statx& in, uapi::Statx* out) {
  std::memset(out, 0, sizeof(*out));
  out->stx_mask = in.stx_mask & (uapi::kStatxBasicStats | uapi::kStatxBtime);
  out->stx_blksize = in.stx_blksize;
  out->stx_attributes = in.stx_attributes;
  out->stx_attributes_mask = in.stx_attributes_mask;
  out->stx_nlink = in.stx_nlink;
  out->stx_uid = in.stx_uid;
  out->stx_gid = in.stx_gid;
  out->stx_mode = in.stx_mode;
  out->stx_ino = in.stx_ino;
  out->stx_size = in.stx_size;
  out->stx_blocks = in.stx_blocks;
  auto ts = [](const struct statx_timestamp& t) {
    uapi::StatxTimestamp s{};
    s.tv_sec = t.tv_sec;
    s.tv_nsec = t.tv_nsec;
    return s;
  };
  out->stx_atime = ts(in.stx_atime);
  out->stx_btime = ts(in.stx_btime);
  out->stx_ctime = ts(in.stx_ctime);
  out->stx_mtime = ts(in.stx_mtime);
  out->stx_rdev_major = in.stx_rdev_major;
  out->stx_rdev_minor = in.stx_rdev_minor;
  out->stx_dev_major = in.stx_dev_major;
  out->stx_dev_minor = in.stx_dev_minor;
}

int64_t HostFstat(int fd, uapi::Stat* out) {
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
    return -errno;
  }
  HostStatToAbi(st, out);
  return 0;
}

}  // namespace sentry::fs
