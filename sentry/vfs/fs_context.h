// FsContext: a process's filesystem context (Linux's fs_struct): its root
// directory, working directory and umask. Shared by CLONE_FS clones,
// copied by Fork() otherwise.
#ifndef SENTRY_VFS_FS_CONTEXT_H_
#define SENTRY_VFS_FS_CONTEXT_H_

#include <sys/types.h>

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/vfs/virtual_dentry.h"

namespace sentry::vfs {

class FsContext {
 public:
  FsContext(VirtualDentry root, VirtualDentry cwd, mode_t umask = 022);

  VirtualDentry root() const;
  VirtualDentry cwd() const;
  // chroot(2) / chdir(2): the caller checked that `vd` is a directory.
  void SetRoot(VirtualDentry vd);
  void SetCwd(VirtualDentry vd);
  mode_t umask() const;
  // umask(2): sets the mask (only the 0777 bits) and returns the old one.
  mode_t SwapUmask(mode_t mask);

  std::shared_ptr<FsContext> Fork() const;

 private:
  mutable absl::Mutex mu_;
  VirtualDentry root_ ABSL_GUARDED_BY(mu_);
  VirtualDentry cwd_ ABSL_GUARDED_BY(mu_);
  mode_t umask_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FS_CONTEXT_H_
