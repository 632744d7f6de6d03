#include "sentry/kernel/futex.h"

#include <linux/futex.h>

#include <cerrno>

#include "sentry/kernel/task.h"
#include "sentry/mm/memory_manager.h"

namespace sentry {

FutexKey SharedFutexKey(const MemoryManager& mm, uint64_t addr) {
  const MemoryManager::SharedKey k = mm.FutexKeyFor(addr);
  return FutexKey{k.object, k.offset, k.dev, k.ino};
}

int FutexManager::WakeLocked(const FutexKey& key, int n, uint32_t bitset) {
  int woken = 0;
  for (auto it = waiters_.begin(); it != waiters_.end() && woken < n;) {
    Waiter* w = *it;
    if (w->key == key && (w->bitset & bitset)) {
      w->woken = true;
      w->cv.Signal();
      it = waiters_.erase(it);
      woken++;
    } else {
      ++it;
    }
  }
  return woken;
}

int64_t FutexManager::Wait(Task& t, const FutexKey& key, uint64_t uaddr,
                           uint32_t val, uint32_t bitset,
                           std::optional<absl::Time> deadline) {
  if (bitset == 0) return -EINVAL;
  Waiter w;
  w.key = key;
  w.bitset = bitset;
  absl::MutexLock l(&mu_);
  uint32_t cur;
  if (t.CopyInObj(uaddr, &cur) < 0) return -EFAULT;
  if (cur != val) return -EAGAIN;
  waiters_.push_back(&w);
  // Task::Block returns when woken, at the deadline, or as soon as a signal
  // is deliverable or the task must exit (Interrupt() signals w.cv).
  const int64_t r = t.Block(&mu_, &w.cv, [&w] { return w.woken; }, deadline);
  // A wake that raced with the signal or the deadline wins, as in Linux.
  if (w.woken) return 0;
  waiters_.remove(&w);
  return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
}

int64_t FutexManager::Wake(const FutexKey& key, int n, uint32_t bitset) {
  if (bitset == 0) return -EINVAL;
  absl::MutexLock l(&mu_);
  return WakeLocked(key, n, bitset);
}

int64_t FutexManager::Requeue(Task& t, const FutexKey& from,
                              uint64_t from_addr, const FutexKey& to, int n,
                              int n2, std::optional<uint32_t> cmp) {
  if (n < 0 || n2 < 0) return -EINVAL;
  absl::MutexLock l(&mu_);
  if (cmp) {
    uint32_t cur;
    if (t.CopyInObj(from_addr, &cur) < 0) return -EFAULT;
    if (cur != *cmp) return -EAGAIN;
  }
  int woken = WakeLocked(from, n, FUTEX_BITSET_MATCH_ANY);
  int moved = 0;
  for (Waiter* w : waiters_) {
    if (moved >= n2) break;
    if (w->key == from) {
      w->key = to;
      moved++;
    }
  }
  // Both operations return woken + requeued (futex_requeue()'s
  // task_count); futex(2) says FUTEX_REQUEUE counts only the woken, but
  // the kernel has never done that.
  return woken + moved;
}

int64_t FutexManager::WakeOp(Task& t, const FutexKey& k1, const FutexKey& k2,
                             uint64_t uaddr2, int n1, int n2,
                             uint32_t encoded) {
  // FUTEX_WAKE_OP: atomically *(int*)uaddr2 = oldval OP oparg, wake n1 on
  // uaddr1, and n2 on uaddr2 if (oldval CMP cmparg).
  const int op = (encoded >> 28) & 7;
  const bool shift = (encoded >> 28) & 8;
  const int cmp = (encoded >> 24) & 15;
  int oparg = static_cast<int>(encoded << 8) >> 20;
  const int cmparg = static_cast<int>(encoded << 20) >> 20;
  if (shift) {
    if (oparg < 0 || oparg > 31) return -EINVAL;
    oparg = 1 << oparg;
  }
  absl::MutexLock l(&mu_);
  // Not atomic against application threads running at this moment (the
  // sentry cannot lock the application's memory bus); exact for the
  // single-threaded case and for waiters parked in the sentry.
  int32_t old;
  if (t.CopyInObj(uaddr2, &old) < 0) return -EFAULT;
  int32_t nv;
  switch (op) {
    case FUTEX_OP_SET: nv = oparg; break;
    case FUTEX_OP_ADD: nv = old + oparg; break;
    case FUTEX_OP_OR: nv = old | oparg; break;
    case FUTEX_OP_ANDN: nv = old & ~oparg; break;
    case FUTEX_OP_XOR: nv = old ^ oparg; break;
    default: return -ENOSYS;
  }
  bool cond;
  switch (cmp) {
    case FUTEX_OP_CMP_EQ: cond = old == cmparg; break;
    case FUTEX_OP_CMP_NE: cond = old != cmparg; break;
    case FUTEX_OP_CMP_LT: cond = old < cmparg; break;
    case FUTEX_OP_CMP_LE: cond = old <= cmparg; break;
    case FUTEX_OP_CMP_GT: cond = old > cmparg; break;
    case FUTEX_OP_CMP_GE: cond = old >= cmparg; break;
    default: return -ENOSYS;
  }
  if (t.CopyOutObj(uaddr2, nv) < 0) return -EFAULT;
  int woken = WakeLocked(k1, n1, FUTEX_BITSET_MATCH_ANY);
  if (cond) woken += WakeLocked(k2, n2, FUTEX_BITSET_MATCH_ANY);
  return woken;
}

}  // namespace sentry
