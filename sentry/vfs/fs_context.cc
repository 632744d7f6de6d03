#include "sentry/vfs/fs_context.h"

#include <utility>

#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"

namespace sentry::vfs {

FsContext::FsContext(VirtualDentry root, VirtualDentry cwd, mode_t umask)
    : root_(std::move(root)), cwd_(std::move(cwd)), umask_(umask & 0777) {}

VirtualDentry FsContext::root() const {
  absl::ReaderMutexLock l(&mu_);
  return root_;
}

VirtualDentry FsContext::cwd() const {
  absl::ReaderMutexLock l(&mu_);
  return cwd_;
}

void FsContext::SetRoot(VirtualDentry vd) {
  VirtualDentry old;
  absl::MutexLock l(&mu_);
  old = std::exchange(root_, std::move(vd));
}

void FsContext::SetCwd(VirtualDentry vd) {
  VirtualDentry old;
  absl::MutexLock l(&mu_);
  old = std::exchange(cwd_, std::move(vd));
}

mode_t FsContext::umask() const {
  absl::ReaderMutexLock l(&mu_);
  return umask_;
}

mode_t FsContext::SwapUmask(mode_t mask) {
  absl::MutexLock l(&mu_);
  return std::exchange(umask_, mask & 0777);
}

std::shared_ptr<FsContext> FsContext::Fork() const {
  absl::ReaderMutexLock l(&mu_);
  return std::make_shared<FsContext>(root_, cwd_, umask_);
}

}  // namespace sentry::vfs
