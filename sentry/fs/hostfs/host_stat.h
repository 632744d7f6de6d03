// Conversions from the host's stat results to the Linux ABI structures the
// application sees. The host is Linux x86-64 too, but fields are copied
// one by one so nothing depends on libc's struct layout.
#ifndef SENTRY_FS_HOSTFS_HOST_STAT_H_
#define SENTRY_FS_HOSTFS_HOST_STAT_H_

#include <sys/stat.h>

#include "abi/linux/stat.h"

namespace sentry::fs {

void HostStatToAbi(const struct stat& in, uapi::Stat* out);
// Only basic stats and btime are passed on; the host's mount id is not.
void HostStatxToAbi(const struct statx& in, uapi::Statx* out);

// fstatat(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) into `out`; 0 or
// -errno.
int64_t HostFstat(int fd, uapi::Stat* out);

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOSTFS_HOST_STAT_H_
