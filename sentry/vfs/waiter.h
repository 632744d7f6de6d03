// Readiness and blocking: the one mechanism every waiting file operation
// uses (pipes, FIFOs, eventfd, timerfd, epoll, host fds, poll/select).
//
// A file that can become ready owns a WaitQueue and calls Notify(events)
// whenever its state changes in a way a waiter may care about. Waiters are
// WaitEntry objects registered on one or more queues: a TaskWaiter (one
// blocked syscall: read on an empty pipe, poll over many fds) or an epoll
// instance's per-fd entry. Notifications only say "look again": the waiter
// then asks the file for its current readiness.
//
// Locking: a WaitQueue's mutex is held while entries' Notify callbacks run,
// so a callback must not block, must not touch the queue again, and may
// only take leaf locks. Files call Notify after dropping their own locks.
//
// Blocking: TaskWaiter::Wait (and BlockTask below for waits on a file's own
// condition variable) are the only places a sentry thread sleeps on behalf
// of a task; they return -ERESTARTSYS when the task must stop waiting
// (killed, or a signal to handle), and each syscall turns that into its
// Linux restart code.
#ifndef SENTRY_VFS_WAITER_H_
#define SENTRY_VFS_WAITER_H_

#include <poll.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sentry {
class Task;
}

namespace sentry::vfs {

// Event bits: poll(2)'s values, which are also epoll's.
using EventMask = uint32_t;
inline constexpr EventMask kEventIn = POLLIN;
inline constexpr EventMask kEventPri = POLLPRI;
inline constexpr EventMask kEventOut = POLLOUT;
inline constexpr EventMask kEventErr = POLLERR;
inline constexpr EventMask kEventHup = POLLHUP;
inline constexpr EventMask kEventNval = POLLNVAL;
inline constexpr EventMask kEventRdNorm = POLLRDNORM;
inline constexpr EventMask kEventRdBand = POLLRDBAND;
inline constexpr EventMask kEventWrNorm = POLLWRNORM;
inline constexpr EventMask kEventWrBand = POLLWRBAND;
inline constexpr EventMask kEventRdHup = 0x2000;  // POLLRDHUP
// What "readable"/"writable" mean for most files.
inline constexpr EventMask kReadableEvents = kEventIn | kEventRdNorm;
inline constexpr EventMask kWritableEvents = kEventOut | kEventWrNorm;
// Always reported, whatever was asked.
inline constexpr EventMask kAlwaysEvents = kEventErr | kEventHup | kEventNval;

class WaitQueue;

class WaitEntry {
 public:
  virtual ~WaitEntry() = default;
  // Called by a queue with the events that may have happened; see the
  // locking rules above.
  virtual void Callback(EventMask events) = 0;
  // Events this entry wants to hear about (kAlwaysEvents always pass).
  EventMask mask = 0;
};

class WaitQueue {
 public:
  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  void Register(WaitEntry* e);
  void Unregister(WaitEntry* e);
  // Runs the callback of every entry whose mask meets `events`.
  void Notify(EventMask events);
  bool empty() const;
  // The union of the registered entries' masks.
  EventMask Interest() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<WaitEntry*> entries_ ABSL_GUARDED_BY(mu_);
};

// Blocks the task's sentry thread on `cv` (with `mu` held) until `done()`
// is true, the deadline passes, or the task must stop waiting. Returns 0,
// -ETIMEDOUT, or -ERESTARTSYS.
int64_t BlockTask(Task* t, absl::Mutex* mu, absl::CondVar* cv,
                  const std::function<bool()>& done,
                  std::optional<absl::Time> deadline = std::nullopt)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

// One blocked syscall: register it on the queues of interest, check the
// condition, then Wait. Fired() stays true once any queue notified, until
// Reset().
class TaskWaiter : public WaitEntry {
 public:
  explicit TaskWaiter(EventMask m = ~0u) { mask = m; }
  void Callback(EventMask events) override;
  // 0 once notified, -ETIMEDOUT, or -ERESTARTSYS.
  int64_t Wait(Task* t, std::optional<absl::Time> deadline = std::nullopt);
  void Reset();
  bool Fired() const;

 private:
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  bool fired_ ABSL_GUARDED_BY(mu_) = false;
};

// Keeps an entry registered on a queue for the lifetime of the object.
class ScopedRegistration {
 public:
  ScopedRegistration(WaitQueue* q, WaitEntry* e) : q_(q), e_(e) {
    if (q_) q_->Register(e_);
  }
  ~ScopedRegistration() {
    if (q_) q_->Unregister(e_);
  }
  ScopedRegistration(const ScopedRegistration&) = delete;
  ScopedRegistration& operator=(const ScopedRegistration&) = delete;

 private:
  WaitQueue* q_;
  WaitEntry* e_;
};

// A sentry-wide timer thread: runs callbacks at (monotonic) deadlines, for
// timerfd and poll-style timeouts of files that become ready with time.
class Timers {
 public:
  using Id = uint64_t;
  // Runs `fn` at `when` (never under the caller's locks). Returns an id
  // for Cancel.
  static Id At(absl::Time when, std::function<void()> fn);
  // Cancels a timer; returns false when it already ran (or is running).
  static bool Cancel(Id id);
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_WAITER_H_
