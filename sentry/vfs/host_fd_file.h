// Files backed by host fds the sandbox is given (its stdio). The
// implementation is in fs/host_fd/.
#ifndef SENTRY_VFS_HOST_FD_FILE_H_
#define SENTRY_VFS_HOST_FD_FILE_H_

#include <memory>
#include <string>

#include "sentry/vfs/file_description.h"

namespace sentry::vfs {

// Wraps a dup of `host_fd` (the caller keeps its own fd). `name` is what
// Path() reports ("stdin"). Null if the dup fails.
std::shared_ptr<FileDescription> NewHostFdFile(int host_fd, std::string name);

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_HOST_FD_FILE_H_
