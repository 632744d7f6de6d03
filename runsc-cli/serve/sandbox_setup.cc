#include "runsc-cli/serve/sandbox_setup.h"

#include "absl/strings/str_cat.h"
#include "sentry/fs/sandbox_fs.h"
#include "sentry/socket/netns/network.h"
#include "sentry/socket/netns/publisher.h"

namespace runsc::serve {

absl::StatusOr<SandboxParts> BuildSandboxParts(
    const runsc::v1::SandboxSpec& spec, FILE* strace) {
  SandboxParts parts;
  parts.config.hostname = spec.hostname().empty() ? "sandbox" : spec.hostname();
  parts.config.uid = spec.uid();
  parts.config.gid = spec.gid();
  parts.config.strace = strace;
  parts.config.max_tasks = spec.limits().pids();

  // The sandbox's network (validated already): created here, in the
  // sentry process, which owns the namespace and the published ports.
  auto mode = sentry::socket::ParseNetworkMode(spec.network());
  if (!mode.ok()) return mode.status();
  auto net = sentry::socket::Network::Create(*mode);
  if (!net.ok()) return net.status();
  std::vector<sentry::socket::PortMapping> ports;
  for (const runsc::v1::PortMapping& p : spec.ports()) {
    sentry::socket::PortMapping m;
    if (!p.host_ip().empty()) m.host_ip = p.host_ip();
    m.host_port = static_cast<uint16_t>(p.host_port());
    m.sandbox_port = static_cast<uint16_t>(p.sandbox_port());
    m.udp = p.protocol() == "udp";
    ports.push_back(m);
  }
  if (absl::Status st = (*net)->Publish(ports); !st.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("ports: ", st.message()));
  }
  parts.config.network = *net;

  // The layout `runsc do` uses (sentry/fs/sandbox_fs.h): the root
  // read-only, /dev, /tmp and /dev/shm tmpfs, then the spec's binds.
  sentry::fs::SandboxFsOptions fs_opts;
  fs_opts.root = spec.rootfs().empty() ? "/" : spec.rootfs();
  for (const runsc::v1::Mount& m : spec.mounts()) {
    sentry::fs::BindMount b;
    b.host = m.source();
    b.guest = m.destination();
    b.writable = !m.read_only();
    b.tmpfs = m.type() == "tmpfs";
    b.tmpfs_size = m.size_bytes();
    fs_opts.binds.push_back(b);
  }
  auto vfs = sentry::fs::BuildSandboxVfs(fs_opts);
  if (!vfs.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("filesystem: ", vfs.status().message()));
  }
  parts.vfs = *vfs;

  auto platform = platform::Platform::Create(
      spec.platform().empty() ? "seccomp" : spec.platform());
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
