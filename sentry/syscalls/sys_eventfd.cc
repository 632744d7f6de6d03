// eventfd(2), timerfd_create(2) and friends, memfd_create(2): files that
// exist only as open descriptions.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>

#include <cerrno>
#include <memory>
#include <string>

#include "abi/linux/fcntl.h"
#include "abi/linux/time.h"
#include "sentry/fs/anon/eventfd.h"
#include "sentry/fs/anon/timerfd.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

namespace {

int64_t DoEventfd(Task& t, uint32_t initval, int flags) {
  if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)) return -EINVAL;
  auto f = std::make_shared<fs::EventFd>(initval, flags & EFD_SEMAPHORE,
                                         O_RDWR | (flags & O_NONBLOCK));
  return t.fds().Install(std::move(f), flags & EFD_CLOEXEC, NofileLimit(t));
}

constexpr int64_t kNs = 1000000000;

int64_t ToNs(const uapi::Timespec& ts, int64_t* out) {
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= kNs) return -EINVAL;
  if (ts.tv_sec > INT64_MAX / kNs - 1) {
    *out = INT64_MAX;
  } else {
    *out = ts.tv_sec * kNs + ts.tv_nsec;
  }
  return 0;
}

uapi::Timespec FromNs(int64_t ns) { return uapi::Timespec{ns / kNs, ns % kNs}; }

int64_t CopyInItimerspec(Task& t, uint64_t addr, bool compat,
                         uapi::Itimerspec* out) {
  if (compat) {
    uapi::Itimerspec32 v;
    if (t.CopyInObj(addr, &v) < 0) return -EFAULT;
    out->it_interval = {v.it_interval.tv_sec, v.it_interval.tv_nsec};
    out->it_value = {v.it_value.tv_sec, v.it_value.tv_nsec};
    return 0;
  }
  return t.CopyInObj(addr, out) < 0 ? -EFAULT : 0;
}

int64_t CopyOutItimerspec(Task& t, uint64_t addr, bool compat,
                          const uapi::Itimerspec& v) {
  if (compat) {
    uapi::Itimerspec32 c;
    c.it_interval = {static_cast<int32_t>(v.it_interval.tv_sec),
                     static_cast<int32_t>(v.it_interval.tv_nsec)};
    c.it_value = {static_cast<int32_t>(v.it_value.tv_sec),
                  static_cast<int32_t>(v.it_value.tv_nsec)};
    return t.CopyOutObj(addr, c) < 0 ? -EFAULT : 0;
  }
  return t.CopyOutObj(addr, v) < 0 ? -EFAULT : 0;
}

int64_t GetTimerFd(Task& t, int fd, std::shared_ptr<fs::TimerFd>* out) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  auto tf = std::dynamic_pointer_cast<fs::TimerFd>(f);
  if (!tf) return -EINVAL;
  *out = std::move(tf);
  return 0;
}

int64_t DoTimerfdSettime(Task& t, const SyscallArgs& a, bool compat) {
  int flags = a.Int(1);
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return -EINVAL;
  uapi::Itimerspec nv;
  int64_t r = CopyInItimerspec(t, a.Ptr(2), compat, &nv);
  if (r < 0) return r;
  std::shared_ptr<fs::TimerFd> tf;
  r = GetTimerFd(t, a.Int(0), &tf);
  if (r < 0) return r;
  int64_t value, interval;
  if (ToNs(nv.it_value, &value) < 0 || ToNs(nv.it_interval, &interval) < 0) {
    return -EINVAL;
  }
  int64_t old_value, old_interval;
  tf->Set(flags & TFD_TIMER_ABSTIME, value, interval, &old_value,
          &old_interval);
  if (a.Ptr(3)) {
    uapi::Itimerspec ov{FromNs(old_interval), FromNs(old_value)};
    return CopyOutItimerspec(t, a.Ptr(3), compat, ov);
  }
  return 0;
}

int64_t DoTimerfdGettime(Task& t, const SyscallArgs& a, bool compat) {
  std::shared_ptr<fs::TimerFd> tf;
  int64_t r = GetTimerFd(t, a.Int(0), &tf);
  if (r < 0) return r;
  int64_t value, interval;
  tf->Get(&value, &interval);
  uapi::Itimerspec v{FromNs(interval), FromNs(value)};
  return CopyOutItimerspec(t, a.Ptr(1), compat, v);
}

}  // namespace

int64_t SysEventfd(Task& t, const SyscallArgs& a) {
  return DoEventfd(t, a.UInt(0), 0);
}

int64_t SysEventfd2(Task& t, const SyscallArgs& a) {
  return DoEventfd(t, a.UInt(0), a.Int(1));
}

int64_t SysTimerfdCreate(Task& t, const SyscallArgs& a) {
  int clock = a.Int(0);
  int flags = a.Int(1);
  if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) return -EINVAL;
  clockid_t host_clock;
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_ALARM:
      host_clock = CLOCK_REALTIME;
      break;
    case CLOCK_MONOTONIC:
      host_clock = CLOCK_MONOTONIC;
      break;
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      host_clock = CLOCK_BOOTTIME;
      break;
    default:
      return -EINVAL;
  }
  if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
      !FileCredentials(t).IsRoot()) {
    return -EPERM;
  }
  auto f = fs::TimerFd::New(host_clock, O_RDWR | (flags & O_NONBLOCK));
  return t.fds().Install(std::move(f), flags & TFD_CLOEXEC, NofileLimit(t));
}

int64_t SysTimerfdSettime(Task& t, const SyscallArgs& a) {
  return DoTimerfdSettime(t, a, false);
}
int64_t SysTimerfdGettime(Task& t, const SyscallArgs& a) {
  return DoTimerfdGettime(t, a, false);
}
int64_t SysTimerfdSettime32I386(Task& t, const SyscallArgs& a) {
  return DoTimerfdSettime(t, a, true);
}
int64_t SysTimerfdGettime32I386(Task& t, const SyscallArgs& a) {
  return DoTimerfdGettime(t, a, true);
}

int64_t SysMemfdCreate(Task& t, const SyscallArgs& a) {
  constexpr uint64_t kNameMax = 249;  // NAME_MAX - strlen("memfd:")
  unsigned flags = a.UInt(1);
  constexpr unsigned kKnown = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB |
                              uapi::kMfdNoexecSeal | uapi::kMfdExec;
  if (flags & ~kKnown) {
    // MFD_HUGETLB carries the page size in the high bits.
    if (!(flags & MFD_HUGETLB)) return -EINVAL;
  }
  if ((flags & uapi::kMfdNoexecSeal) && (flags & uapi::kMfdExec)) return -EINVAL;
  std::string name;
  int64_t r = t.CopyInString(a.Ptr(0), kNameMax + 1, &name);
  if (r == -ENAMETOOLONG) return -EINVAL;
  if (r < 0) return r;
  if (name.size() > kNameMax) return -EINVAL;
  if (flags & MFD_HUGETLB) return -EINVAL;  // no huge pages in the sandbox
  auto f = fs::NewMemfdFile(name, O_RDWR | vfs::kOLargefile,
                            flags & (MFD_ALLOW_SEALING | uapi::kMfdNoexecSeal));
  return t.fds().Install(std::move(f), flags & MFD_CLOEXEC, NofileLimit(t));
}

}  // namespace sentry
