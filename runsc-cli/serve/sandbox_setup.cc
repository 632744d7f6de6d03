#include "runsc-cli/serve/sandbox_setup.h"

#include "absl/strings/str_cat.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/vfs/mount.h"

namespace runsc::serve {

absl::StatusOr<SandboxParts> BuildSandboxParts(
    const runsc::v1::SandboxSpec& spec, FILE* strace) {
  SandboxParts parts;
  parts.config.hostname = spec.hostname().empty() ? "sandbox" : spec.hostname();
  parts.config.uid = spec.uid();
  parts.config.gid = spec.gid();
  parts.config.strace = strace;

  const std::string rootfs = spec.rootfs().empty() ? "/" : spec.rootfs();
  auto vfs = sentry::vfs::VirtualFilesystem::New(rootfs);
  if (!vfs.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("rootfs ", rootfs, ": ", vfs.status().message()));
  }
  for (int i = 0; i < spec.mounts_size(); i++) {
    const runsc::v1::Mount& m = spec.mounts(i);
    auto fs = sentry::fs::HostFilesystem::New(m.source());
    if (!fs.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "mounts[", i, "] source ", m.source(), ": ", fs.status().message()));
    }
    absl::Status st = (*vfs)->AddMount(m.destination(), *fs,
                                       sentry::vfs::kMountReadOnly);
    if (!st.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "mounts[", i, "] destination ", m.destination(), ": ", st.message()));
    }
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
