#include "sentry/fs/anon/timerfd.h"

#include <cerrno>
#include <cstring>

namespace sentry::fs {

namespace {

int64_t ClockNs(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

std::shared_ptr<TimerFd> TimerFd::New(clockid_t clock, int status_flags) {
  std::shared_ptr<TimerFd> t(new TimerFd(clock, status_flags));
  t->self_ = t;
  return t;
}

TimerFd::TimerFd(clockid_t clock, int status_flags)
    : AnonFile(status_flags, "timerfd"), clock_(clock) {}

TimerFd::~TimerFd() {
  absl::MutexLock l(&mu_);
  if (timer_) vfs::Timers::Cancel(timer_);
}

int64_t TimerFd::Now() const { return ClockNs(clock_); }

void TimerFd::UpdateLocked() {
  if (next_ == 0) return;
  int64_t now = Now();
  if (now < next_) return;
  if (interval_ > 0) {
    uint64_t n = 1 + static_cast<uint64_t>((now - next_) / interval_);
    ticks_ += n;
    next_ += static_cast<int64_t>(n) * interval_;
  } else {
    ticks_ += 1;
    next_ = 0;
  }
}

void TimerFd::ScheduleLocked() {
  if (timer_) {
    vfs::Timers::Cancel(timer_);
    timer_ = 0;
  }
  if (next_ == 0) return;
  absl::Time when = absl::Now() + absl::Nanoseconds(next_ - Now());
  std::weak_ptr<TimerFd> weak = self_;
  timer_ = vfs::Timers::At(when, [weak] {
    if (auto t = weak.lock()) t->Fire();
  });
}

void TimerFd::Fire() {
  {
    absl::MutexLock l(&mu_);
    timer_ = 0;
    UpdateLocked();
    cv_.SignalAll();
    // Periodic timers keep waking waiters at each expiry.
    if (next_ != 0) ScheduleLocked();
  }
  Notify(vfs::kReadableEvents);
}

int64_t TimerFd::Read(Task& t, void* buf, uint64_t n) {
  if (n < sizeof(uint64_t)) return -EINVAL;
  uint64_t v;
  {
    absl::MutexLock l(&mu_);
    UpdateLocked();
    if (ticks_ == 0) {
      if (nonblocking()) return -EAGAIN;
      int64_t r = vfs::BlockTask(&t, &mu_, &cv_,
                                 [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   UpdateLocked();
                                   return ticks_ > 0;
                                 });
      if (r < 0) return r;
    }
    v = ticks_;
    ticks_ = 0;
  }
  std::memcpy(buf, &v, sizeof(v));
  return sizeof(v);
}

vfs::EventMask TimerFd::Readiness(vfs::EventMask mask) {
  absl::MutexLock l(&mu_);
  UpdateLocked();
  return ticks_ > 0 ? (mask & vfs::kReadableEvents) : 0;
}

void TimerFd::Set(bool absolute, int64_t value, int64_t interval,
                  int64_t* old_value, int64_t* old_interval) {
  absl::MutexLock l(&mu_);
  UpdateLocked();
  int64_t now = Now();
  *old_value = next_ ? next_ - now : 0;
  *old_interval = interval_;
  ticks_ = 0;
  interval_ = interval;
  if (value == 0) {
    next_ = 0;
  } else if (absolute) {
    // An absolute time in the past fires at once.
    next_ = value <= now ? now : value;
    if (next_ == 0) next_ = 1;
  } else {
    next_ = now + value;
  }
  ScheduleLocked();
  cv_.SignalAll();
}

void TimerFd::Get(int64_t* value, int64_t* interval) {
  absl::MutexLock l(&mu_);
  UpdateLocked();
  int64_t now = Now();
  *value = next_ ? (next_ > now ? next_ - now : 1) : 0;
  *interval = interval_;
}

}  // namespace sentry::fs
