#include "sentry/fs/pipe/pipe.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/time/time.h"

namespace sentry::fs {

Pipe::Pipe() : ring_(kPipeCapacity) {}

void Pipe::WaitLocked() {
  cv_.WaitWithTimeout(&mu_, absl::Milliseconds(kInterruptPollMs));
}

int64_t Pipe::Read(void* buf, uint64_t n, bool nonblock,
                   const std::function<bool()>& interrupted) {
  if (n == 0) return 0;
  absl::MutexLock l(&mu_);
  while (size_ == 0) {
    if (writers_ == 0) return 0;
    if (nonblock) return -EAGAIN;
    if (interrupted && interrupted()) return -EINTR;
    WaitLocked();
  }
  uint64_t count = std::min(n, size_);
  auto* out = static_cast<char*>(buf);
  uint64_t first = std::min(count, kPipeCapacity - head_);
  std::memcpy(out, ring_.data() + head_, first);
  std::memcpy(out + first, ring_.data(), count - first);
  head_ = (head_ + count) % kPipeCapacity;
  size_ -= count;
  if (size_ == 0) head_ = 0;
  cv_.SignalAll();
  return static_cast<int64_t>(count);
}

int64_t Pipe::Write(const void* buf, uint64_t n, bool nonblock,
                    const std::function<bool()>& interrupted) {
  if (n == 0) return 0;  // as Linux: no check for readers
  const char* in = static_cast<const char*>(buf);
  uint64_t done = 0;
  absl::MutexLock l(&mu_);
  while (done < n) {
    if (readers_ == 0) return done ? static_cast<int64_t>(done) : -EPIPE;
    uint64_t left = n - done;
    // Up to PIPE_BUF bytes go in one piece: wait for room for all of them.
    uint64_t need = n <= kPipeBuf ? left : 1;
    if (FreeLocked() < need) {
      if (nonblock) return done ? static_cast<int64_t>(done) : -EAGAIN;
      if (interrupted && interrupted()) {
        return done ? static_cast<int64_t>(done) : -EINTR;
      }
      WaitLocked();
      continue;
    }
    uint64_t count = std::min(left, FreeLocked());
    uint64_t tail = (head_ + size_) % kPipeCapacity;
    uint64_t first = std::min(count, kPipeCapacity - tail);
    std::memcpy(ring_.data() + tail, in + done, first);
    std::memcpy(ring_.data(), in + done + first, count - first);
    size_ += count;
    done += count;
    cv_.SignalAll();
  }
  return static_cast<int64_t>(done);
}

uint64_t Pipe::Available() const {
  absl::MutexLock l(&mu_);
  return size_;
}

void Pipe::AddReader() {
  absl::MutexLock l(&mu_);
  ++readers_;
}

void Pipe::AddWriter() {
  absl::MutexLock l(&mu_);
  ++writers_;
}

void Pipe::RemoveReader() {
  absl::MutexLock l(&mu_);
  --readers_;
  cv_.SignalAll();
}

void Pipe::RemoveWriter() {
  absl::MutexLock l(&mu_);
  --writers_;
  cv_.SignalAll();
}

int Pipe::readers() const {
  absl::MutexLock l(&mu_);
  return readers_;
}

int Pipe::writers() const {
  absl::MutexLock l(&mu_);
  return writers_;
}

}  // namespace sentry::fs
