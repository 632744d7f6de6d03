// inotify_init(2), inotify_init1(2), inotify_add_watch(2),
// inotify_rm_watch(2).
#include <fcntl.h>
#include <sys/inotify.h>

#include <cerrno>
#include <memory>
#include <string>

#include "sentry/fs/anon/inotify.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

int64_t DoInit(Task& t, int flags) {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) return -EINVAL;
  auto f = std::make_shared<fs::InotifyFile>(O_RDONLY | (flags & O_NONBLOCK));
  return t.fds().Install(std::move(f), flags & IN_CLOEXEC, NofileLimit(t));
}

int64_t GetInotify(Task& t, int fd, std::shared_ptr<fs::InotifyFile>* out) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  *out = std::dynamic_pointer_cast<fs::InotifyFile>(f);
  return *out ? 0 : -EINVAL;
}

}  // namespace

int64_t SysInotifyInit(Task& t, const SyscallArgs& a) { return DoInit(t, 0); }

int64_t SysInotifyInit1(Task& t, const SyscallArgs& a) {
  return DoInit(t, a.Int(0));
}

int64_t SysInotifyAddWatch(Task& t, const SyscallArgs& a) {
  uint32_t mask = a.UInt(2);
  std::shared_ptr<fs::InotifyFile> in;
  int64_t r = GetInotify(t, a.Int(0), &in);
  if (r < 0) return r;
  if (!(mask & vfs::kInAllEvents)) return -EINVAL;
  if ((mask & vfs::kInMaskAdd) && (mask & vfs::kInMaskCreate)) return -EINVAL;
  AtTarget target;
  r = ResolveAt(t, AT_FDCWD, a.Ptr(1), false, !(mask & vfs::kInDontFollow),
                &target);
  if (r < 0) return r;
  const vfs::VirtualDentry& vd = target.vd;
  if ((mask & vfs::kInOnlydir) && !vd.dentry->IsDir()) return -ENOTDIR;
  vfs::Credentials c = FileCredentials(t);
  if (!c.IsRoot()) {
    uapi::Stat st;
    r = vd.dentry->Stat(&st);
    if (r < 0) return r;
    r = vfs::CheckPermission(c, st.st_mode, st.st_uid, st.st_gid,
                             vfs::kMayRead);
    if (r < 0) return r;
  }
  return in->AddWatch(vd.dentry, mask);
}

int64_t SysInotifyRmWatch(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::InotifyFile> in;
  int64_t r = GetInotify(t, a.Int(0), &in);
  if (r < 0) return r;
  return in->RemoveWatch(a.Int(1));
}

}  // namespace sentry
