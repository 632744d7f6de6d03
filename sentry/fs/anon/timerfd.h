// timerfd_create(2): a timer whose expirations are read as a counter.
//
// Expirations are computed from the clock when looked at (read, poll,
// gettime); a sentry timer (vfs::Timers) only wakes waiters at the next
// expiry.
#ifndef SENTRY_FS_ANON_TIMERFD_H_
#define SENTRY_FS_ANON_TIMERFD_H_

#include <time.h>

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/fs/anon/anon_file.h"
#include "sentry/vfs/waiter.h"

namespace sentry::fs {

class TimerFd : public AnonFile {
 public:
  // `clock`: CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME (the
  // _ALARM variants map to these).
  static std::shared_ptr<TimerFd> New(clockid_t clock, int status_flags);
  ~TimerFd() override;

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  vfs::EventMask Readiness(vfs::EventMask mask) override;

  // timerfd_settime: times in ns of the timer's clock; `value` 0 disarms.
  // `*old_value`/`*old_interval` get the previous setting (as gettime).
  void Set(bool absolute, int64_t value, int64_t interval, int64_t* old_value,
           int64_t* old_interval);
  // timerfd_gettime: time to the next expiry (0 when disarmed), interval.
  void Get(int64_t* value, int64_t* interval);

 private:
  TimerFd(clockid_t clock, int status_flags);
  int64_t Now() const;
  // Folds expirations up to now into ticks_.
  void UpdateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Schedules the wake-up at next_ (cancelling the previous one).
  void ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Fire();

  const clockid_t clock_;
  std::weak_ptr<TimerFd> self_;
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;  // clock ns; 0: disarmed
  int64_t interval_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t ticks_ ABSL_GUARDED_BY(mu_) = 0;
  vfs::Timers::Id timer_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_ANON_TIMERFD_H_
