#include "sentry/fs/anon/eventfd.h"

#include <cerrno>
#include <cstring>

namespace sentry::fs {

EventFd::EventFd(uint64_t initial, bool semaphore, int status_flags)
    : AnonFile(status_flags, "eventfd"), semaphore_(semaphore), count_(initial) {}

uint64_t EventFd::count() const {
  absl::MutexLock l(&mu_);
  return count_;
}

int64_t EventFd::Read(Task& t, void* buf, uint64_t n) {
  if (n < sizeof(uint64_t)) return -EINVAL;
  uint64_t v;
  {
    absl::MutexLock l(&mu_);
    if (count_ == 0) {
      if (nonblocking()) return -EAGAIN;
      int64_t r = vfs::BlockTask(&t, &mu_, &cv_,
                                 [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return count_ > 0;
                                 });
      if (r < 0) return r;
    }
    v = semaphore_ ? 1 : count_;
    count_ -= v;
    cv_.SignalAll();
  }
  std::memcpy(buf, &v, sizeof(v));
  Notify(vfs::kWritableEvents);
  return sizeof(v);
}

int64_t EventFd::Write(Task& t, const void* buf, uint64_t n) {
  if (n < sizeof(uint64_t)) return -EINVAL;
  uint64_t v;
  std::memcpy(&v, buf, sizeof(v));
  if (v == ~uint64_t{0}) return -EINVAL;
  {
    absl::MutexLock l(&mu_);
    if (kMax - count_ < v) {
      if (nonblocking()) return -EAGAIN;
      int64_t r = vfs::BlockTask(&t, &mu_, &cv_,
                                 [this, v]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return kMax - count_ >= v;
                                 });
      if (r < 0) return r;
    }
    count_ += v;
    cv_.SignalAll();
  }
  if (v) Notify(vfs::kReadableEvents);
  return sizeof(v);
}

vfs::EventMask EventFd::Readiness(vfs::EventMask mask) {
  absl::MutexLock l(&mu_);
  vfs::EventMask ready = 0;
  if (count_ > 0) ready |= vfs::kReadableEvents;
  if (count_ < kMax) ready |= vfs::kWritableEvents;
  return ready & mask;
}

}  // namespace sentry::fs
