#include "sentry/vfs/opath_file.h"

#include <cerrno>

#include "sentry/vfs/dentry.h"

namespace sentry::vfs {

int64_t OpathFileDescription::Stat(uapi::Stat* st) {
  if (!location().ok()) return -EBADF;
  return location().dentry->Stat(st);
}

}  // namespace sentry::vfs
