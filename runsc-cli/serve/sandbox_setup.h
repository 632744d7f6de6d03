// Building a sandbox's kernel from a runsc.v1.SandboxSpec: the same set-up
// `runsc do` does (host root read-only, stdio on host fds), driven by the
// spec's rootfs, mounts, cwd, env, platform, hostname and credentials.
// The filesystem layout is sentry/fs/sandbox_fs.h's, shared with `do`.
#ifndef RUNSC_CLI_SERVE_SANDBOX_SETUP_H_
#define RUNSC_CLI_SERVE_SANDBOX_SETUP_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/platform.h"
#include "runsc/v1/sandboxes.pb.h"
#include "sentry/kernel/kernel.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace runsc::serve {

struct SandboxParts {
  sentry::KernelConfig config;
  std::unique_ptr<platform::Platform> platform;
  std::shared_ptr<sentry::vfs::VirtualFilesystem> vfs;
};

// VFS (rootfs, /dev, /tmp, /proc later, bind mounts), platform and kernel
// config.
// `strace` (may be null) becomes KernelConfig::strace.
absl::StatusOr<SandboxParts> BuildSandboxParts(
    const runsc::v1::SandboxSpec& spec, FILE* strace);

// What needs the kernel: procfs at /proc.
absl::Status FinishSandboxFs(sentry::vfs::VirtualFilesystem& vfs,
                             sentry::Kernel& kernel);

// A filesystem context whose cwd is `cwd` ("/" when empty).
absl::StatusOr<std::shared_ptr<sentry::vfs::FsContext>> NewFsContextAt(
    sentry::vfs::VirtualFilesystem& vfs, const std::string& cwd);

// The PATH value of an environment, or execvp's default.
std::string PathOf(const std::vector<std::string>& env);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_SANDBOX_SETUP_H_
