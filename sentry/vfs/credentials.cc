#include "sentry/vfs/credentials.h"

#include <sys/stat.h>

#include <cerrno>

namespace sentry::vfs {

int64_t CheckPermission(const Credentials& creds, uint32_t mode, uint32_t uid,
                        uint32_t gid, int want) {
  want &= kMayRead | kMayWrite | kMayExec;
  if (creds.IsRoot()) {
    if (!(want & kMayExec)) return 0;
    if (S_ISDIR(mode) || (mode & 0111)) return 0;
    return -EACCES;
  }
  uint32_t bits;
  if (creds.uid == uid) {
    bits = (mode >> 6) & 7;
  } else if (creds.gid == gid) {
    bits = (mode >> 3) & 7;
  } else {
    bits = mode & 7;
  }
  return (bits & static_cast<uint32_t>(want)) == static_cast<uint32_t>(want)
             ? 0
             : -EACCES;
}

}  // namespace sentry::vfs
