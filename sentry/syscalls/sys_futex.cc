#include "sentry/syscalls/sys_futex.h"

#include <linux/futex.h>
#include <time.h>

#include <cerrno>
#include <optional>

#include "abi/linux/errno.h"
#include "abi/linux/time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

namespace sentry {

namespace {

// Reads the timeout argument: relative for FUTEX_WAIT, absolute on the
// chosen clock for FUTEX_WAIT_BITSET.
int64_t ReadTimeout(Task& t, uint64_t addr, bool i386, bool absolute,
                    bool realtime, std::optional<absl::Time>* out) {
  if (addr == 0) {
    out->reset();
    return 0;
  }
  int64_t sec, nsec;
  if (i386) {
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
  const absl::Duration d = absl::Seconds(sec) + absl::Nanoseconds(nsec);
  if (!absolute) {
    *out = absl::Now() + d;
  } else if (realtime) {
    *out = absl::UnixEpoch() + d;
  } else {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    *out = absl::Now() + (d - (absl::Seconds(now.tv_sec) +
                               absl::Nanoseconds(now.tv_nsec)));
  }
  return 0;
}

// futex_wait(): a signal ends the wait with -ERESTARTSYS (restarted
// unless a handler without SA_RESTART runs), or, with a timeout, with
// -ERESTART_RESTARTBLOCK and a restart that keeps the absolute deadline
// (futex_wait_restart()).
int64_t WaitRestartable(Task& t, const FutexKey& key, uint64_t uaddr,
                        uint32_t val, uint32_t bitset,
                        std::optional<absl::Time> deadline) {
  const int64_t r =
      t.kernel().futexes().Wait(t, key, uaddr, val, bitset, deadline);
  if (r != -EINTR) return r;
  if (!deadline) return -uapi::kERESTARTSYS;
  t.restart_block = [key, uaddr, val, bitset, deadline](Task& t) {
    return WaitRestartable(t, key, uaddr, val, bitset, deadline);
  };
  return -uapi::kERESTART_RESTARTBLOCK;
}

int64_t DoFutex(Task& t, const SyscallArgs& a, bool i386) {
  const uint64_t uaddr = a.Ptr(0);
  const int op = a.Int(1);
  const int cmd = op & FUTEX_CMD_MASK;
  const bool realtime = op & FUTEX_CLOCK_REALTIME;
  const uint32_t val = static_cast<uint32_t>(a.a[2]);
  const uint64_t uaddr2 = a.Ptr(4);
  const uint32_t val3 = static_cast<uint32_t>(a.a[5]);
  if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
      cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
    return -ENOSYS;
  if (uaddr & 3) return -EINVAL;
  FutexManager& fm = t.kernel().futexes();
  const bool is_private = op & FUTEX_PRIVATE_FLAG;
  auto key_of = [&](uint64_t addr) {
    if (is_private) return FutexKey{&t.mm(), addr, 0, 0};
    const MemoryManager::SharedKey k = t.mm().FutexKeyFor(addr);
    return FutexKey{k.object, k.offset, k.dev, k.ino};
  };
  const FutexKey key = key_of(uaddr);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const uint32_t bitset =
          cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset == 0) return -EINVAL;
      std::optional<absl::Time> deadline;
      if (int64_t r = ReadTimeout(t, a.Ptr(3), i386, cmd == FUTEX_WAIT_BITSET,
                                  realtime, &deadline);
          r < 0)
        return r;
      return WaitRestartable(t, key, uaddr, val, bitset, deadline);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const uint32_t bitset =
          cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset == 0) return -EINVAL;
      const int n = static_cast<int>(std::min<uint32_t>(val, INT32_MAX));
      return fm.Wake(key, n, bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (uaddr2 & 3) return -EINVAL;
      const int n = static_cast<int>(val);
      const int n2 = static_cast<int>(a.a[3]);
      std::optional<uint32_t> cmp;
      if (cmd == FUTEX_CMP_REQUEUE) cmp = val3;
      return fm.Requeue(t, key, uaddr, key_of(uaddr2), n, n2, cmp);
    }
    case FUTEX_WAKE_OP: {
      if (uaddr2 & 3) return -EINVAL;
      return fm.WakeOp(t, key, key_of(uaddr2), uaddr2,
                       static_cast<int>(val), static_cast<int>(a.a[3]), val3);
    }
  }
  // Priority-inheritance futexes are not offered.
  return -ENOSYS;
}

}  // namespace

int64_t SysFutex(Task& t, const SyscallArgs& a) { return DoFutex(t, a, false); }
int64_t SysFutexI386(Task& t, const SyscallArgs& a) {
  return DoFutex(t, a, true);
}

}  // namespace sentry
