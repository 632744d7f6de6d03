#include "sentry/vfs/filesystem.h"

#include <sys/sysmacros.h>

#include <atomic>
#include <cstring>

namespace sentry::vfs {

int64_t Filesystem::Statfs(uapi::Statfs* out) {
  std::memset(out, 0, sizeof(*out));
  out->f_bsize = 4096;
  out->f_frsize = 4096;
  out->f_namelen = 255;
  return 0;
}

uint64_t AllocateAnonDevice() {
  // Linux hands out minors from 1 upwards; the host's own anonymous
  // devices are not ours to imitate, so start well above the usual ones.
  static std::atomic<unsigned> next_minor{64};
  return makedev(0, next_minor.fetch_add(1));
}

}  // namespace sentry::vfs
