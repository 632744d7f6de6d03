#include "runsc-cli/serve/sandbox_setup.h"

#include "absl/strings/str_cat.h"
#include "sentry/fs/sandbox_fs.h"

namespace runsc::serve {

absl::StatusOr<SandboxParts> BuildSandboxParts(
    const runsc::v1::SandboxSpec& spec, FILE* strace) {
  SandboxParts parts;
  parts.config.hostname = spec.hostname().empty() ? "sandbox" : spec.hostname();
  parts.config.uid = spec.uid();
  parts.config.gid = spec.gid();
  parts.config.strace = strace;
  parts.config.max_tasks = spec.limits().pids();

  // The layout `runsc do` uses (sentry/fs/sandbox_fs.h): the root
  // read-only, /dev, /tmp and /dev/shm tmpfs, then the spec's binds.
  sentry::fs::SandboxFsOptions fs_opts;
  fs_opts.root = spec.rootfs().empty() ? "/" : spec.rootfs();
  for (const runsc::v1::Mount& m : spec.mounts()) {
    fs_opts.binds.push_back({m.source(), m.destination(), !m.read_only()});
  }
  auto vfs = sentry::fs::BuildSandboxVfs(fs_opts);
  if (!vfs.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("filesystem: ", vfs.status().message()));
  }
  parts.vfs = *vfs;

  auto platform = platform::Platform::Create(
      spec.platform().empty() ? "ptrace" : spec.platform());
  if (!platform.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("platform: ", platform.status().message()));
  }
  parts.platform = std::move(*platform);
  return parts;
}

absl::StatusOr<std::shared_ptr<sentry::vfs::FsContext>> NewFsContextAt(
    sentry::vfs::VirtualFilesystem& vfs, const std::string& cwd) {
  auto fs = vfs.NewFsContext(cwd.empty() ? "/" : cwd);
  if (!fs.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cwd ", cwd, ": ", fs.status().message()));
  }
  return *fs;
}

std::string PathOf(const std::vector<std::string>& env) {
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  }
  return "/bin:/usr/bin";
}

}  // namespace runsc::serve

namespace runsc::serve {

absl::Status FinishSandboxFs(sentry::vfs::VirtualFilesystem& vfs,
                             sentry::Kernel& kernel) {
  absl::Status st = sentry::fs::MountProcfs(vfs, kernel);
  if (!st.ok()) return absl::FailedPreconditionError(absl::StrCat("/proc: ", st.message()));
  return absl::OkStatus();
}

}  // namespace runsc::serve
