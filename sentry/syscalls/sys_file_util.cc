#include "sentry/syscalls/sys_file_util.h"

#include <fcntl.h>

#include <cerrno>
#include <utility>

#include "abi/linux/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

vfs::Credentials FileCredentials(Task& t) {
  // File access is checked with the process's filesystem ids (fsuid,
  // fsgid), which follow setuid/setgid.
  const Credentials creds = t.thread_group().creds();
  vfs::Credentials c;
  c.uid = creds.fsuid;
  c.gid = creds.fsgid;
  c.pid = t.thread_group().tgid();
  c.tid = t.tid();
  c.task = &t;
  return c;
}

uint64_t NofileLimit(Task& t) {
  return t.thread_group().GetRlimit(uapi::kRlimitNofile).cur;
}

std::shared_ptr<vfs::FileDescription> GetFile(Task& t, int fd) {
  return t.fds().Get(fd);
}

int64_t CopyInPath(Task& t, uint64_t addr, std::string* out) {
  int64_t r = t.CopyInString(addr, vfs::kPathMax - 1, out);
  return r < 0 ? r : 0;
}

int64_t WalkStart(Task& t, int dirfd, const std::string& path,
                  vfs::VirtualDentry* start) {
  if (!path.empty() && path[0] == '/') {
    *start = t.fs().root();
    return 0;
  }
  if (dirfd == AT_FDCWD) {
    *start = t.fs().cwd();
    return 0;
  }
  auto file = GetFile(t, dirfd);
  if (!file) return -EBADF;
  const vfs::VirtualDentry& loc = file->location();
  if (!loc.ok() || !loc.dentry->IsDir()) return -ENOTDIR;
  *start = loc;
  return 0;
}

int64_t AtTarget::Stat(uapi::Stat* st) const {
  if (file) return file->Stat(st);
  return vd.dentry->Stat(st);
}

int64_t AtTarget::Statx(uint32_t mask, uapi::Statx* stx) const {
  if (file) return file->Statx(mask, stx);
  return vd.dentry->Statx(mask, stx);
}

int64_t ResolveAt(Task& t, int dirfd, uint64_t path_addr, bool empty_ok,
                  bool follow, AtTarget* out) {
  std::string path;
  if (path_addr != 0 || !empty_ok) {
    int64_t r = CopyInPath(t, path_addr, &path);
    if (r < 0) return r;
  }
  if (path.empty()) {
    if (!empty_ok) return -ENOENT;
    if (dirfd == AT_FDCWD) {
      out->vd = t.fs().cwd();
      return 0;
    }
    out->file = GetFile(t, dirfd);
    if (!out->file) return -EBADF;
    out->vd = out->file->location();
    return 0;
  }
  vfs::VirtualDentry start;
  int64_t r = WalkStart(t, dirfd, path, &start);
  if (r < 0) return r;
  vfs::LookupOptions opts;
  opts.follow_final = follow;
  return t.kernel().vfs().GetDentryAt(t.fs().root(), start, path, opts,
                                      FileCredentials(t), &out->vd);
}

}  // namespace sentry
