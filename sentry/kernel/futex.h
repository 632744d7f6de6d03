// Futexes, emulated in the sentry (kernel/futex/). A waiter is keyed by its
// address space and address (private futexes); shared futexes across
// processes come with fork, keyed by backing object and offset.
//
// Locking: one mutex for the whole table (simple and correct with requeue;
// per-bucket locks can come when contention shows up). A waiter checks the
// futex word and queues itself under the lock, so a waker that changed the
// word before calling FUTEX_WAKE can never miss it. Each waiter sleeps on
// its own condition variable.
#ifndef SENTRY_KERNEL_FUTEX_H_
#define SENTRY_KERNEL_FUTEX_H_

#include <cstdint>
#include <list>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sentry {

class Task;

// Private futexes: (address space, address). Shared futexes in MAP_SHARED
// memory: (the shared memory object, offset into it), so processes that
// map the same memory at different addresses meet on the same key.
struct FutexKey {
  const void* space = nullptr;  // MemoryManager, or shared memory object
  uint64_t addr = 0;            // address, or offset in the object
  uint64_t dev = 0, ino = 0;    // for shared file mappings
  bool operator==(const FutexKey& o) const {
    return space == o.space && addr == o.addr && dev == o.dev && ino == o.ino;
  }
};

class MemoryManager;
// The key a shared (non-private) futex operation on `addr` uses, as the
// kernel's wakes at thread exit do.
FutexKey SharedFutexKey(const MemoryManager& mm, uint64_t addr);

class FutexManager {
 public:
  // Waits while *addr == val and until woken (with a matching bitset), the
  // deadline passes (-ETIMEDOUT), or a signal is deliverable or the task
  // must exit (-EINTR; the syscall layer turns it into a restart).
  // Returns 0, -EAGAIN (value differs), -EFAULT, -ETIMEDOUT or -EINTR.
  // `uaddr` is where the word is read; `key` identifies the futex.
  int64_t Wait(Task& t, const FutexKey& key, uint64_t uaddr, uint32_t val,
               uint32_t bitset, std::optional<absl::Time> deadline);
  // Wakes up to n waiters whose bitset intersects `bitset`.
  int64_t Wake(const FutexKey& key, int n, uint32_t bitset);
  // Wakes up to n waiters on `from`, moves up to n2 others to `to`.
  // With `cmp`, first checks *from == *cmp (else -EAGAIN).
  int64_t Requeue(Task& t, const FutexKey& from, uint64_t from_addr,
                  const FutexKey& to, int n, int n2,
                  std::optional<uint32_t> cmp);
  // FUTEX_WAKE_OP.
  int64_t WakeOp(Task& t, const FutexKey& k1, const FutexKey& k2,
                 uint64_t uaddr2, int n1, int n2, uint32_t op);

 private:
  struct Waiter {
    FutexKey key;
    uint32_t bitset;
    bool woken = false;
    absl::CondVar cv;
  };
  int WakeLocked(const FutexKey& key, int n, uint32_t bitset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::list<Waiter*> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_FUTEX_H_
