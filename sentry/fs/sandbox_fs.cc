#include "sentry/fs/sandbox_fs.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "sentry/fs/dev/devices.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/fs/procfs/procfs.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::fs {

namespace {

// Whether `path` names an existing directory inside the sandbox.
bool IsSandboxDir(vfs::VirtualFilesystem& v, const std::string& path) {
  vfs::VirtualDentry root = v.Root(), out;
  vfs::LookupOptions o;
  o.must_be_dir = true;
  return v.GetDentryAt(root, root, path, o, vfs::Credentials{}, &out) == 0;
}

// Creates the missing directories of `path` (mkdir -p), where writable.
void MakeMountpoint(vfs::VirtualFilesystem& v, const std::string& path,
                    bool dir) {
  vfs::VirtualDentry root = v.Root();
  std::string cur;
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (size_t i = 0; i < parts.size(); ++i) {
    cur += "/" + parts[i];
    const bool last = i + 1 == parts.size();
    if (last && !dir) {
      vfs::VirtualDentry vd;
      if (v.GetDentryAt(root, root, cur, vfs::LookupOptions{},
                        vfs::Credentials{}, &vd) == 0) {
        return;
      }
      v.MknodAt(root, root, cur, S_IFREG | 0644, 0, vfs::Credentials{});
      return;
    }
    v.MkdirAt(root, root, cur, 0755, vfs::Credentials{});
  }
}

}  // namespace

absl::StatusOr<BindMount> ParseBindMount(const std::string& spec) {
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() ||
      parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad volume \"", spec, "\": want HOST:GUEST[:ro|rw]"));
  }
  BindMount b;
  b.host = parts[0];
  b.guest = parts[1];
  if (parts.size() == 3) {
    if (parts[2] == "rw") {
      b.writable = true;
    } else if (parts[2] != "ro") {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad volume \"", spec, "\": mode must be ro or rw, not \"",
          parts[2], "\""));
    }
  }
  if (b.guest[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("bad volume \"", spec, "\": ", b.guest,
                     " is not an absolute path"));
  }
  if (b.host[0] != '/') {
    char buf[4096];
    if (!getcwd(buf, sizeof(buf))) {
      return absl::InternalError(absl::StrCat("getcwd: ", strerror(errno)));
    }
    b.host = absl::StrCat(buf, "/", b.host);
  }
  return b;
}

absl::StatusOr<BindMount> ParseTmpfsMount(const std::string& spec) {
  std::vector<std::string> parts = absl::StrSplit(spec, absl::MaxSplits(':', 1));
  BindMount b;
  b.tmpfs = true;
  b.writable = true;
  b.guest = parts[0];
  if (b.guest.empty() || b.guest[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad tmpfs \"", spec, "\": want an absolute GUEST[:size=N[k|m|g]]"));
  }
  if (parts.size() == 2) {
    for (absl::string_view opt : absl::StrSplit(parts[1], ',')) {
      if (opt == "ro") {
        b.writable = false;
        continue;
      }
      if (!absl::ConsumePrefix(&opt, "size=") || opt.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "bad tmpfs \"", spec, "\": unknown option \"", opt,
            "\" (known: size=N[k|m|g], ro)"));
      }
      uint64_t mult = 1;
      switch (opt.back()) {
        case 'k': case 'K': mult = 1ull << 10; break;
        case 'm': case 'M': mult = 1ull << 20; break;
        case 'g': case 'G': mult = 1ull << 30; break;
        default: break;
      }
      if (mult != 1) opt.remove_suffix(1);
      uint64_t n = 0;
      if (!absl::SimpleAtoi(opt, &n) || n == 0 || n > (UINT64_MAX / mult)) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad tmpfs \"", spec, "\": bad size"));
      }
      b.tmpfs_size = n * mult;
    }
  }
  return b;
}

absl::StatusOr<std::shared_ptr<vfs::VirtualFilesystem>> BuildSandboxVfs(
    const SandboxFsOptions& opts) {
  auto root_fs = HostFilesystem::New(opts.root, opts.root_writable);
  if (!root_fs.ok()) return root_fs.status();
  if (!(*root_fs)->Root()->IsDir()) {
    return absl::InvalidArgumentError(
        absl::StrCat("root \"", opts.root, "\" is not a directory"));
  }
  auto v = std::make_shared<vfs::VirtualFilesystem>(
      *std::move(root_fs), opts.root_writable ? 0 : vfs::kMountReadOnly,
      opts.root);
  if (IsSandboxDir(*v, "/dev")) {
    absl::Status s = v->AddMount("/dev", NewDevfs(),
                                 vfs::kMountNoSuid | vfs::kMountNoExec,
                                 "devtmpfs");
    if (!s.ok()) return s;
    TmpfsOptions shm;
    shm.size_limit = opts.tmp_size;
    s = v->AddMount("/dev/shm", TmpfsFilesystem::New(shm),
                    vfs::kMountNoSuid | vfs::kMountNoDev, "tmpfs");
    if (!s.ok()) return s;
  }
  if (IsSandboxDir(*v, "/tmp")) {
    TmpfsOptions tmp;
    tmp.size_limit = opts.tmp_size;
    absl::Status s = v->AddMount("/tmp", TmpfsFilesystem::New(tmp),
                                 vfs::kMountNoSuid | vfs::kMountNoDev, "tmpfs");
    if (!s.ok()) return s;
  }
  for (const BindMount& b : opts.binds) {
    if (b.tmpfs) {
      TmpfsOptions t;
      t.size_limit = b.tmpfs_size;
      MakeMountpoint(*v, b.guest, /*dir=*/true);
      absl::Status s = v->AddMount(
          b.guest, TmpfsFilesystem::New(t),
          vfs::kMountNoSuid | vfs::kMountNoDev |
              (b.writable ? 0 : vfs::kMountReadOnly),
          "tmpfs");
      if (!s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("tmpfs ", b.guest, ": ", s.message()));
      }
      continue;
    }
    auto fs = HostFilesystem::New(b.host, b.writable);
    if (!fs.ok()) {
      return absl::Status(fs.status().code(),
                          absl::StrCat("volume ", b.host, ":", b.guest, ": ",
                                       fs.status().message()));
    }
    MakeMountpoint(*v, b.guest, (*fs)->Root()->IsDir());
    absl::Status s = v->AddMount(b.guest, *std::move(fs),
                                 b.writable ? 0 : vfs::kMountReadOnly, b.host);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("volume ", b.host, ":",
                                                 b.guest, ": ", s.message()));
    }
  }
  return v;
}

absl::Status MountProcfs(vfs::VirtualFilesystem& v, Kernel& kernel) {
  if (!IsSandboxDir(v, "/proc")) return absl::OkStatus();
  return v.AddMount("/proc", NewProcfs(kernel),
                    vfs::kMountNoSuid | vfs::kMountNoDev | vfs::kMountNoExec,
                    "proc");
}

}  // namespace sentry::fs
