// Character devices the sandbox knows, by device number, and /dev itself.
//
//   1:3 null   1:5 zero   1:7 full   1:8 random   1:9 urandom
//   5:0 tty (ENXIO: sandboxed processes have no controlling terminal)
//
// Any other device number is ENXIO, as Linux without a driver for it. A
// device node may be created anywhere (mknod in a tmpfs) and opens the same
// device: none of these gives access to anything outside the sandbox.
#ifndef SENTRY_FS_DEV_DEVICES_H_
#define SENTRY_FS_DEV_DEVICES_H_

#include <sys/types.h>

#include <memory>

#include "sentry/vfs/credentials.h"
#include "sentry/vfs/file_description.h"

namespace sentry::fs {

class TmpfsFilesystem;

int64_t OpenCharDevice(dev_t rdev, int flags, const vfs::Credentials& creds,
                       std::shared_ptr<vfs::FileDescription>* out);

// /dev: a tmpfs ("devtmpfs", mode 0755) holding null, zero, full, random,
// urandom, tty, the fd/stdin/stdout/stderr links into /proc/self/fd, and
// empty shm/ and pts/ directories (shm gets its own tmpfs mounted on it).
std::shared_ptr<TmpfsFilesystem> NewDevfs();

}  // namespace sentry::fs

#endif  // SENTRY_FS_DEV_DEVICES_H_
