// The sandbox's filesystem layout, shared by `runsc do` and the daemon:
//
//   /          hostfs of the chosen host root, read-only (writable on demand)
//   /dev       devtmpfs (devices, fd links), /dev/shm a tmpfs
//   /tmp       tmpfs
//   /proc      procfs (mounted once the Kernel exists: MountProcfs)
//   binds      hostfs of each -v HOST:GUEST[:ro|rw], read-only by default,
//              or a tmpfs of the sandbox's own (--tmpfs GUEST[:size=N]),
//              mounted in the order given
//
// Default mounts whose mountpoint is missing in the root are skipped; a
// bind mount's mountpoint is created when it lies in a writable mount
// (e.g. under /tmp), and is an error otherwise.
#ifndef SENTRY_FS_SANDBOX_FS_H_
#define SENTRY_FS_SANDBOX_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sentry {
class Kernel;
namespace vfs {
class VirtualFilesystem;
}
}  // namespace sentry

namespace sentry::fs {

struct BindMount {
  std::string host;   // a host directory or file (empty for a tmpfs)
  std::string guest;  // absolute path in the sandbox
  bool writable = false;
  // A fresh tmpfs instead of a host path, limited to `tmpfs_size` bytes
  // (0: the default, half of the host's memory, as Linux's tmpfs).
  bool tmpfs = false;
  uint64_t tmpfs_size = 0;
};

struct SandboxFsOptions {
  std::string root = "/";  // host directory shown as "/"
  bool root_writable = false;
  std::vector<BindMount> binds;
  uint64_t tmp_size = 0;  // /tmp and /dev/shm size limits; 0: default
};

// Parses "HOST:GUEST[:ro|rw]" (-v). Relative HOST paths are made absolute
// against the current directory.
absl::StatusOr<BindMount> ParseBindMount(const std::string& spec);
// Parses "GUEST[:size=N[k|m|g]]" (--tmpfs), as docker's --tmpfs.
absl::StatusOr<BindMount> ParseTmpfsMount(const std::string& spec);

absl::StatusOr<std::shared_ptr<vfs::VirtualFilesystem>> BuildSandboxVfs(
    const SandboxFsOptions& opts);

// Mounts procfs at /proc (if the root has a /proc directory).
absl::Status MountProcfs(vfs::VirtualFilesystem& vfs, Kernel& kernel);

}  // namespace sentry::fs

#endif  // SENTRY_FS_SANDBOX_FS_H_
