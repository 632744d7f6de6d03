// procfs: the sandbox's /proc, generated from the sentry's own state (the
// process tree, memory maps, fd tables, mounts). Nothing of the host's
// /proc is shown, except /proc/cpuinfo's text.
//
// Nodes are built on lookup: directories list and make their children,
// files generate their whole text when opened (reads serve that
// snapshot), symlinks compute their target when read. "self" and
// "thread-self" resolve through the caller (vfs::Credentials::pid/tid);
// fd/N, cwd, root and exe are magic links that jump to the file itself.
#ifndef SENTRY_FS_PROCFS_PROCFS_H_
#define SENTRY_FS_PROCFS_PROCFS_H_

#include <memory>

#include "sentry/vfs/filesystem.h"

namespace sentry {
class Kernel;
}

namespace sentry::fs {

std::shared_ptr<vfs::Filesystem> NewProcfs(Kernel& kernel);

}  // namespace sentry::fs

#endif  // SENTRY_FS_PROCFS_PROCFS_H_
