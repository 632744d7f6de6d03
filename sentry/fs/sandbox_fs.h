// The sandbox's filesystem layout, shared by `runsc do` and the daemon:
//
//   /          hostfs of the chosen host root, read-only (writable on demand)
//   /dev       devtmpfs (devices, fd links), /dev/shm a tmpfs
//   /tmp       tmpfs
//   /proc      procfs (mounted once the Kernel exists: MountProcfs)
//   binds      hostfs of each -v HOST:GUEST[:ro|rw], read-only by default
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
  std::string host;   // a host directory or file
  std::string guest;  // absolute path in the sandbox
  bool writable = false;
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

absl::StatusOr<std::shared_ptr<vfs::VirtualFilesystem>> BuildSandboxVfs(
    const SandboxFsOptions& opts);

// Mounts procfs at /proc (if the root has a /proc directory).
absl::Status MountProcfs(vfs::VirtualFilesystem& vfs, Kernel& kernel);

}  // namespace sentry::fs

#endif  // SENTRY_FS_SANDBOX_FS_H_
