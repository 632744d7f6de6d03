// poll, ppoll, select, pselect6 and the epoll family: waiting for
// readiness over many descriptors, built on vfs::TaskWaiter (one waiter
// registered on every file of interest, then re-checked after each wake).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "abi/linux/epoll.h"
#include "abi/linux/errno.h"
#include "abi/linux/signal.h"
#include "abi/linux/time.h"
#include "sentry/fs/anon/epoll.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/waiter.h"

namespace sentry {

namespace {

using vfs::EventMask;

// Timeouts as durations from now (nullopt: wait for ever).
std::optional<absl::Time> DeadlineIn(std::optional<absl::Duration> d) {
  if (!d) return std::nullopt;
  return absl::Now() + *d;
}

int64_t CopyInTimespec(Task& t, uint64_t addr, bool compat,
                       std::optional<absl::Duration>* out) {
  if (!addr) {
    *out = std::nullopt;
    return 0;
  }
  int64_t sec, nsec;
  if (compat) {
    uapi::Timespec32 ts;
    if (t.CopyInObj(addr, &ts) < 0) return -EFAULT;
    sec = ts.tv_sec;
    nsec = ts.tv_nsec;
  } else {
    uapi::Timespec ts;
    if (t.CopyInObj(addr, &ts) < 0) return -EFAULT;
    sec = ts.tv_sec;
    nsec = ts.tv_nsec;
  }
  if (sec < 0 || nsec < 0 || nsec >= uapi::kNanosPerSecond) return -EINVAL;
  *out = absl::Seconds(sec) + absl::Nanoseconds(nsec);
  return 0;
}

int64_t CopyOutRemaining(Task& t, uint64_t addr, bool compat,
                         std::optional<absl::Time> deadline) {
  if (!addr || !deadline) return 0;
  absl::Duration left = std::max(*deadline - absl::Now(), absl::ZeroDuration());
  int64_t ns = absl::ToInt64Nanoseconds(left);
  if (compat) {
    uapi::Timespec32 ts{static_cast<int32_t>(ns / 1000000000),
                        static_cast<int32_t>(ns % 1000000000)};
    return t.CopyOutObj(addr, ts) < 0 ? -EFAULT : 0;
  }
  uapi::Timespec ts{ns / 1000000000, ns % 1000000000};
  return t.CopyOutObj(addr, ts) < 0 ? -EFAULT : 0;
}

// The signal mask of ppoll/pselect6/epoll_pwait: in force while waiting;
// when the wait is interrupted, the old mask comes back only after the
// signal's handler ran (Task::saved_mask), as Linux does.
class ScopedSigmask {
 public:
  explicit ScopedSigmask(Task& t) : t_(t) {}
  int64_t Set(uint64_t addr, uint64_t size) {
    if (!addr) return 0;
    if (size != sizeof(uapi::Sigset)) return -EINVAL;
    uapi::Sigset mask;
    if (t_.CopyInObj(addr, &mask) < 0) return -EFAULT;
    // SIGKILL and SIGSTOP cannot be blocked.
    mask &= ~((uapi::Sigset{1} << (SIGKILL - 1)) |
              (uapi::Sigset{1} << (SIGSTOP - 1)));
    old_ = t_.signal_mask();
    t_.set_signal_mask(mask);
    return 0;
  }
  int64_t Finish(int64_t result) {
    if (!old_) return result;
    if (result == -EINTR || result == -uapi::kERESTARTNOHAND ||
        result == -uapi::kERESTARTSYS) {
      t_.saved_mask = *old_;
    } else {
      t_.set_signal_mask(*old_);
    }
    return result;
  }

 private:
  Task& t_;
  std::optional<uapi::Sigset> old_;
};

struct PollEntry {
  int fd;
  EventMask events;  // what was asked (plus ERR/HUP, always reported)
  EventMask revents = 0;
  std::shared_ptr<vfs::FileDescription> file;
};

// The core of poll and select: fills revents, returns how many entries
// have any, 0 on timeout, or -ERESTARTNOHAND when interrupted.
int64_t DoPollEntries(Task& t, std::vector<PollEntry>& entries,
                      std::optional<absl::Time> deadline) {
  for (PollEntry& e : entries) {
    if (e.fd >= 0) e.file = GetFile(t, e.fd);
  }
  vfs::TaskWaiter waiter;
  bool registered = false;
  int64_t result = 0;
  for (;;) {
    int64_t ready = 0;
    for (PollEntry& e : entries) {
      e.revents = 0;
      if (e.fd < 0) continue;
      if (!e.file) {
        e.revents = POLLNVAL;
      } else {
        e.revents = e.file->Readiness(e.events | vfs::kAlwaysEvents) &
                    (e.events | vfs::kEventErr | vfs::kEventHup);
      }
      if (e.revents) ++ready;
    }
    if (ready > 0 || (deadline && absl::Now() >= *deadline)) {
      result = ready;
      break;
    }
    if (!registered) {
      // Register, then look once more so that no change is missed.
      for (PollEntry& e : entries) {
        if (e.file) e.file->EventRegister(&waiter);
      }
      registered = true;
      continue;
    }
    int64_t r = waiter.Wait(&t, deadline);
    if (r == -ETIMEDOUT) {
      result = 0;
      break;
    }
    if (r < 0) {
      result = -uapi::kERESTARTNOHAND;
      break;
    }
    waiter.Reset();
  }
  if (registered) {
    for (PollEntry& e : entries) {
      if (e.file) e.file->EventUnregister(&waiter);
    }
  }
  return result;
}

int64_t DoPoll(Task& t, uint64_t fds_addr, uint64_t nfds,
               std::optional<absl::Time> deadline) {
  if (nfds > NofileLimit(t)) return -EINVAL;
  std::vector<uapi::Pollfd> raw(nfds);
  if (nfds && t.CopyIn(fds_addr, raw.data(), nfds * sizeof(uapi::Pollfd)) < 0) {
    return -EFAULT;
  }
  std::vector<PollEntry> entries(nfds);
  for (size_t i = 0; i < nfds; ++i) {
    entries[i].fd = raw[i].fd;
    entries[i].events = static_cast<uint16_t>(raw[i].events);
  }
  int64_t r = DoPollEntries(t, entries, deadline);
  if (r < 0) return r;
  for (size_t i = 0; i < nfds; ++i) {
    raw[i].revents = static_cast<int16_t>(entries[i].revents);
  }
  if (nfds && t.CopyOut(fds_addr, raw.data(), nfds * sizeof(uapi::Pollfd)) < 0) {
    return -EFAULT;
  }
  return r;
}

// select's fd sets: bitmaps of `n` bits, read in words of `word` bytes.
int64_t DoSelect(Task& t, int n, uint64_t in_addr, uint64_t out_addr,
                 uint64_t ex_addr, std::optional<absl::Time> deadline,
                 size_t word) {
  if (n < 0) return -EINVAL;
  // Linux clamps n to the fd table's size.
  std::vector<int> open_fds = t.fds().Fds();
  int max_open = open_fds.empty() ? 0 : open_fds.back() + 1;
  if (n > max_open) n = std::max(max_open, std::min(n, 1024));
  size_t bytes = ((static_cast<size_t>(n) + word * 8 - 1) / (word * 8)) * word;
  std::vector<uint8_t> in(bytes), out(bytes), ex(bytes);
  if (in_addr && t.CopyIn(in_addr, in.data(), bytes) < 0) return -EFAULT;
  if (out_addr && t.CopyIn(out_addr, out.data(), bytes) < 0) return -EFAULT;
  if (ex_addr && t.CopyIn(ex_addr, ex.data(), bytes) < 0) return -EFAULT;
  auto bit = [](const std::vector<uint8_t>& v, int i) {
    return (v[i / 8] >> (i % 8)) & 1;
  };
  constexpr EventMask kIn = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
  constexpr EventMask kOut = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
  constexpr EventMask kEx = POLLPRI;
  std::vector<PollEntry> entries;
  for (int i = 0; i < n; ++i) {
    EventMask ev = 0;
    if (in_addr && bit(in, i)) ev |= kIn;
    if (out_addr && bit(out, i)) ev |= kOut;
    if (ex_addr && bit(ex, i)) ev |= kEx;
    if (!ev) continue;
    if (!GetFile(t, i)) return -EBADF;
    entries.push_back(PollEntry{i, ev});
  }
  int64_t r = DoPollEntries(t, entries, deadline);
  if (r < 0) return r;
  std::fill(in.begin(), in.end(), 0);
  std::fill(out.begin(), out.end(), 0);
  std::fill(ex.begin(), ex.end(), 0);
  int64_t count = 0;
  for (const PollEntry& e : entries) {
    auto set = [&](std::vector<uint8_t>& v) {
      v[e.fd / 8] |= static_cast<uint8_t>(1 << (e.fd % 8));
      ++count;
    };
    if ((e.events & POLLIN) && (e.revents & kIn)) set(in);
    if ((e.events & POLLOUT) && (e.revents & kOut)) set(out);
    if ((e.events & POLLPRI) && (e.revents & kEx)) set(ex);
  }
  if (in_addr && t.CopyOut(in_addr, in.data(), bytes) < 0) return -EFAULT;
  if (out_addr && t.CopyOut(out_addr, out.data(), bytes) < 0) return -EFAULT;
  if (ex_addr && t.CopyOut(ex_addr, ex.data(), bytes) < 0) return -EFAULT;
  return count;
}

int64_t CopyInTimeval(Task& t, uint64_t addr, bool compat,
                      std::optional<absl::Duration>* out) {
  if (!addr) {
    *out = std::nullopt;
    return 0;
  }
  int64_t sec, usec;
  if (compat) {
    uapi::Timeval32 tv;
    if (t.CopyInObj(addr, &tv) < 0) return -EFAULT;
    sec = tv.tv_sec;
    usec = tv.tv_usec;
  } else {
    uapi::Timeval tv;
    if (t.CopyInObj(addr, &tv) < 0) return -EFAULT;
    sec = tv.tv_sec;
    usec = tv.tv_usec;
  }
  // select carries whole seconds out of tv_usec (poll_select_set_timeout).
  if (sec < 0 || usec < 0) return -EINVAL;
  *out = absl::Seconds(sec) + absl::Microseconds(usec);
  return 0;
}

int64_t CopyOutTimevalRemaining(Task& t, uint64_t addr, bool compat,
                                std::optional<absl::Time> deadline) {
  if (!addr || !deadline) return 0;
  absl::Duration left = std::max(*deadline - absl::Now(), absl::ZeroDuration());
  int64_t us = absl::ToInt64Microseconds(left);
  if (compat) {
    uapi::Timeval32 tv{static_cast<int32_t>(us / 1000000),
                       static_cast<int32_t>(us % 1000000)};
    return t.CopyOutObj(addr, tv) < 0 ? -EFAULT : 0;
  }
  uapi::Timeval tv{us / 1000000, us % 1000000};
  return t.CopyOutObj(addr, tv) < 0 ? -EFAULT : 0;
}

int64_t SelectCommon(Task& t, int n, uint64_t in, uint64_t out, uint64_t ex,
                     uint64_t tv_addr, bool compat) {
  std::optional<absl::Duration> timeout;
  int64_t r = CopyInTimeval(t, tv_addr, compat, &timeout);
  if (r < 0) return r;
  std::optional<absl::Time> deadline = DeadlineIn(timeout);
  r = DoSelect(t, n, in, out, ex, deadline, compat ? 4 : 8);
  // select(2) reports the time left (Linux does, unlike most systems).
  CopyOutTimevalRemaining(t, tv_addr, compat, deadline);
  return r;
}

int64_t Pselect6Common(Task& t, const SyscallArgs& a, bool compat_time,
                       bool compat_sig) {
  std::optional<absl::Duration> timeout;
  int64_t r = CopyInTimespec(t, a.Ptr(4), compat_time, &timeout);
  if (r < 0) return r;
  uint64_t sig_addr = 0, sig_size = 0;
  if (a.Ptr(5)) {
    if (compat_sig) {
      uint32_t pair[2];
      if (t.CopyIn(a.Ptr(5), pair, sizeof(pair)) < 0) return -EFAULT;
      sig_addr = pair[0];
      sig_size = pair[1];
    } else {
      uint64_t pair[2];
      if (t.CopyIn(a.Ptr(5), pair, sizeof(pair)) < 0) return -EFAULT;
      sig_addr = pair[0];
      sig_size = pair[1];
    }
  }
  ScopedSigmask sm(t);
  r = sm.Set(sig_addr, sig_size);
  if (r < 0) return r;
  std::optional<absl::Time> deadline = DeadlineIn(timeout);
  r = DoSelect(t, a.Int(0), a.Ptr(1), a.Ptr(2), a.Ptr(3), deadline,
               compat_sig ? 4 : 8);
  CopyOutRemaining(t, a.Ptr(4), compat_time, deadline);
  return sm.Finish(r);
}

int64_t PpollCommon(Task& t, const SyscallArgs& a, bool compat_time) {
  std::optional<absl::Duration> timeout;
  int64_t r = CopyInTimespec(t, a.Ptr(2), compat_time, &timeout);
  if (r < 0) return r;
  ScopedSigmask sm(t);
  r = sm.Set(a.Ptr(3), a.Size(4));
  if (r < 0) return r;
  std::optional<absl::Time> deadline = DeadlineIn(timeout);
  r = DoPoll(t, a.Ptr(0), a.UInt(1), deadline);
  if (r >= 0 || r == -uapi::kERESTARTNOHAND) {
    CopyOutRemaining(t, a.Ptr(2), compat_time, deadline);
  }
  return sm.Finish(r);
}

// ---- epoll ----

int64_t EpollCreate(Task& t, int flags) {
  if (flags & ~EPOLL_CLOEXEC) return -EINVAL;
  auto ep = std::make_shared<fs::EpollFile>(O_RDWR);
  return t.fds().Install(std::move(ep), flags & EPOLL_CLOEXEC, NofileLimit(t));
}

int64_t EpollWaitCommon(Task& t, int epfd, uint64_t events_addr, int max,
                        std::optional<absl::Time> deadline) {
  if (max <= 0 || max > uapi::kEpMaxEvents) return -EINVAL;
  auto f = GetFile(t, epfd);
  if (!f) return -EBADF;
  auto* ep = dynamic_cast<fs::EpollFile*>(f.get());
  if (!ep) return -EINVAL;
  std::vector<uapi::EpollEvent> out;
  int64_t r = ep->Wait(&t, max, deadline, &out);
  if (r <= 0) return r;
  if (t.CopyOut(events_addr, out.data(), out.size() * sizeof(out[0])) < 0) {
    return -EFAULT;
  }
  return r;
}

}  // namespace

int64_t SysPoll(Task& t, const SyscallArgs& a) {
  int timeout_ms = a.Int(2);
  std::optional<absl::Duration> d;
  if (timeout_ms >= 0) d = absl::Milliseconds(timeout_ms);
  return DoPoll(t, a.Ptr(0), a.UInt(1), DeadlineIn(d));
}

int64_t SysPpoll(Task& t, const SyscallArgs& a) {
  return PpollCommon(t, a, false);
}

int64_t SysPpollTime32I386(Task& t, const SyscallArgs& a) {
  return PpollCommon(t, a, true);
}

int64_t SysSelect(Task& t, const SyscallArgs& a) {
  return SelectCommon(t, a.Int(0), a.Ptr(1), a.Ptr(2), a.Ptr(3), a.Ptr(4),
                      false);
}

int64_t SysNewselectI386(Task& t, const SyscallArgs& a) {
  return SelectCommon(t, a.Int(0), a.Ptr(1), a.Ptr(2), a.Ptr(3), a.Ptr(4),
                      true);
}

// The old i386 select(2): one pointer to {n, inp, outp, exp, tvp}.
int64_t SysOldSelectI386(Task& t, const SyscallArgs& a) {
  uint32_t args[5];
  if (t.CopyIn(a.Ptr(0), args, sizeof(args)) < 0) return -EFAULT;
  return SelectCommon(t, static_cast<int32_t>(args[0]), args[1], args[2],
                      args[3], args[4], true);
}

int64_t SysPselect6(Task& t, const SyscallArgs& a) {
  return Pselect6Common(t, a, false, false);
}

int64_t SysPselect6Time32I386(Task& t, const SyscallArgs& a) {
  return Pselect6Common(t, a, true, true);
}

int64_t SysPselect6Time64I386(Task& t, const SyscallArgs& a) {
  return Pselect6Common(t, a, false, true);
}

int64_t SysEpollCreate(Task& t, const SyscallArgs& a) {
  if (a.Int(0) <= 0) return -EINVAL;
  return EpollCreate(t, 0);
}

int64_t SysEpollCreate1(Task& t, const SyscallArgs& a) {
  return EpollCreate(t, a.Int(0));
}

int64_t SysEpollCtl(Task& t, const SyscallArgs& a) {
  int epfd = a.Int(0), op = a.Int(1), fd = a.Int(2);
  uapi::EpollEvent ev{};
  if (op != uapi::kEpollCtlDel) {
    if (t.CopyInObj(a.Ptr(3), &ev) < 0) return -EFAULT;
  }
  auto epf = GetFile(t, epfd);
  auto f = GetFile(t, fd);
  if (!epf || !f) return -EBADF;
  if (f->IsPathOnly()) return -EBADF;
  // Regular files and directories are always ready: Linux refuses them.
  uapi::Stat st;
  if (f->Stat(&st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
    return -EPERM;
  }
  if ((ev.events & uapi::kEpollExclusive) && op == uapi::kEpollCtlAdd) {
    if (dynamic_cast<fs::EpollFile*>(f.get())) return -EINVAL;
    if (ev.events & uapi::kEpollOneshot) return -EINVAL;
  }
  auto* ep = dynamic_cast<fs::EpollFile*>(epf.get());
  if (!ep || f.get() == epf.get()) return -EINVAL;
  switch (op) {
    case uapi::kEpollCtlAdd:
      return ep->Add(fd, f, ev);
    case uapi::kEpollCtlMod:
      return ep->Modify(fd, f.get(), ev);
    case uapi::kEpollCtlDel:
      return ep->Remove(fd, f.get());
    default:
      return -EINVAL;
  }
}

int64_t SysEpollWait(Task& t, const SyscallArgs& a) {
  int timeout_ms = a.Int(3);
  std::optional<absl::Duration> d;
  if (timeout_ms >= 0) d = absl::Milliseconds(timeout_ms);
  return EpollWaitCommon(t, a.Int(0), a.Ptr(1), a.Int(2), DeadlineIn(d));
}

int64_t SysEpollPwait(Task& t, const SyscallArgs& a) {
  ScopedSigmask sm(t);
  int64_t r = sm.Set(a.Ptr(4), a.Size(5));
  if (r < 0) return r;
  int timeout_ms = a.Int(3);
  std::optional<absl::Duration> d;
  if (timeout_ms >= 0) d = absl::Milliseconds(timeout_ms);
  return sm.Finish(
      EpollWaitCommon(t, a.Int(0), a.Ptr(1), a.Int(2), DeadlineIn(d)));
}

int64_t SysEpollPwait2(Task& t, const SyscallArgs& a) {
  std::optional<absl::Duration> d;
  int64_t r = CopyInTimespec(t, a.Ptr(3), false, &d);
  if (r < 0) return r;
  ScopedSigmask sm(t);
  r = sm.Set(a.Ptr(4), a.Size(5));
  if (r < 0) return r;
  return sm.Finish(
      EpollWaitCommon(t, a.Int(0), a.Ptr(1), a.Int(2), DeadlineIn(d)));
}

}  // namespace sentry
