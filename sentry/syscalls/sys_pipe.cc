// pipe(2), pipe2(2).
#include <fcntl.h>

#include <cerrno>
#include <cstdint>

#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

namespace {

int64_t DoPipe2(Task& t, uint64_t addr, int flags) {
  // O_NOTIFICATION_PIPE (watch queues) is not supported.
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  auto [r, w] = fs::NewPipe(flags);
  const bool cloexec = flags & O_CLOEXEC;
  const uint64_t limit = NofileLimit(t);
  int64_t rfd = t.fds().Install(r, cloexec, limit);
  if (rfd < 0) return rfd;
  int64_t wfd = t.fds().Install(w, cloexec, limit);
  if (wfd < 0) {
    t.fds().Close(static_cast<int>(rfd));
    return wfd;
  }
  int32_t fds[2] = {static_cast<int32_t>(rfd), static_cast<int32_t>(wfd)};
  if (t.CopyOut(addr, fds, sizeof(fds)) < 0) {
    t.fds().Close(static_cast<int>(rfd));
    t.fds().Close(static_cast<int>(wfd));
    return -EFAULT;
  }
  return 0;
}

}  // namespace

int64_t SysPipe(Task& t, const SyscallArgs& a) { return DoPipe2(t, a.Ptr(0), 0); }

int64_t SysPipe2(Task& t, const SyscallArgs& a) {
  return DoPipe2(t, a.Ptr(0), a.Int(1));
}

}  // namespace sentry
