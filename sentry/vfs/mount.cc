#include "sentry/vfs/mount.h"

#include <utility>

#include "abi/linux/statfs.h"
#include "sentry/vfs/filesystem.h"

namespace sentry::vfs {

Mount::Mount(int id, std::shared_ptr<Filesystem> fs,
             std::shared_ptr<Dentry> root, int flags,
             std::shared_ptr<Mount> parent, std::shared_ptr<Dentry> mountpoint,
             std::string source)
    : id_(id),
      fs_(std::move(fs)),
      root_(std::move(root)),
      flags_(flags),
      parent_(std::move(parent)),
      mountpoint_(std::move(mountpoint)),
      source_(std::move(source)) {}

bool Mount::ReadOnly() const {
  return (flags_ & kMountReadOnly) || fs_->ReadOnly();
}

std::string Mount::OptionsString() const {
  std::string out = ReadOnly() ? "ro" : "rw";
  if (flags_ & kMountNoSuid) out += ",nosuid";
  if (flags_ & kMountNoDev) out += ",nodev";
  if (flags_ & kMountNoExec) out += ",noexec";
  if (flags_ & kMountNoAtime) {
    out += ",noatime";
  } else {
    out += ",relatime";
  }
  std::string extra = fs_->MountOptions();
  if (!extra.empty()) out += "," + extra;
  return out;
}

int64_t Mount::StatfsFlags() const {
  int64_t f = uapi::kStValid;
  if (ReadOnly()) f |= uapi::kStRdonly;
  if (flags_ & kMountNoSuid) f |= uapi::kStNosuid;
  if (flags_ & kMountNoDev) f |= uapi::kStNodev;
  if (flags_ & kMountNoExec) f |= uapi::kStNoexec;
  if (flags_ & kMountNoAtime) {
    f |= uapi::kStNoatime;
  } else {
    f |= uapi::kStRelatime;
  }
  return f;
}

}  // namespace sentry::vfs
