#include "sentry/fs/pipe/pipe.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "abi/linux/errno.h"

namespace sentry::fs {

using vfs::EventMask;

Pipe::Pipe() : ring_(kPipeCapacity) {}

void Pipe::Changed(EventMask events) {
  absl::MutexLock l(&queues_mu_);
  for (vfs::WaitQueue* q : queues_) q->Notify(events);
}

void Pipe::AddQueue(vfs::WaitQueue* q) {
  absl::MutexLock l(&queues_mu_);
  queues_.push_back(q);
}

void Pipe::RemoveQueue(vfs::WaitQueue* q) {
  absl::MutexLock l(&queues_mu_);
  auto it = std::find(queues_.begin(), queues_.end(), q);
  if (it != queues_.end()) queues_.erase(it);
}

int64_t Pipe::Read(Task* t, void* buf, uint64_t n, bool nonblock) {
  if (n == 0) return 0;
  uint64_t count;
  {
    absl::MutexLock l(&mu_);
    if (size_ == 0) {
      if (writers_ == 0) return 0;
      if (nonblock) return -EAGAIN;
      int64_t r = vfs::BlockTask(t, &mu_, &cv_,
                                 [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return size_ > 0 || writers_ == 0;
                                 });
      if (r < 0) return r;
      if (size_ == 0) return 0;  // the last writer left
    }
    count = std::min(n, size_);
    auto* out = static_cast<char*>(buf);
    uint64_t first = std::min(count, capacity_ - head_);
    std::memcpy(out, ring_.data() + head_, first);
    std::memcpy(out + first, ring_.data(), count - first);
    head_ = (head_ + count) % capacity_;
    size_ -= count;
    if (size_ == 0) head_ = 0;
    cv_.SignalAll();
  }
  Changed(vfs::kWritableEvents);
  return static_cast<int64_t>(count);
}

int64_t Pipe::Write(Task* t, const void* buf, uint64_t n, bool nonblock) {
  if (n == 0) return 0;  // as Linux: no check for readers
  const char* in = static_cast<const char*>(buf);
  uint64_t done = 0;
  int64_t err = 0;
  {
    absl::MutexLock l(&mu_);
    while (done < n) {
      if (readers_ == 0) {
        err = -EPIPE;
        break;
      }
      uint64_t left = n - done;
      // Up to PIPE_BUF bytes go in one piece: wait for room for all of
      // them (and for more than PIPE_BUF, for room for at least one).
      uint64_t need = n <= kPipeBuf ? left : 1;
      if (FreeLocked() < need) {
        if (nonblock) {
          err = -EAGAIN;
          break;
        }
        if (done > 0) {
          // Let readers and pollers see what is there before sleeping.
          mu_.Unlock();
          Changed(vfs::kReadableEvents);
          mu_.Lock();
        }
        int64_t r = vfs::BlockTask(t, &mu_, &cv_,
                                   [this, need]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return readers_ == 0 || FreeLocked() >= need;
                                   });
        if (r < 0) {
          err = r;
          break;
        }
        continue;
      }
      uint64_t count = std::min(left, FreeLocked());
      uint64_t tail = (head_ + size_) % capacity_;
      uint64_t first = std::min(count, capacity_ - tail);
      std::memcpy(ring_.data() + tail, in + done, first);
      std::memcpy(ring_.data(), in + done + first, count - first);
      size_ += count;
      done += count;
      cv_.SignalAll();
    }
  }
  if (done > 0) Changed(vfs::kReadableEvents);
  return done > 0 ? static_cast<int64_t>(done) : err;
}

uint64_t Pipe::Peek(void* buf, uint64_t n, uint64_t skip) const {
  absl::MutexLock l(&mu_);
  if (skip >= size_) return 0;
  uint64_t count = std::min(n, size_ - skip);
  auto* out = static_cast<char*>(buf);
  for (uint64_t i = 0; i < count;) {
    uint64_t pos = (head_ + skip + i) % capacity_;
    uint64_t run = std::min(count - i, capacity_ - pos);
    std::memcpy(out + i, ring_.data() + pos, run);
    i += run;
  }
  return count;
}

uint64_t Pipe::Available() const {
  absl::MutexLock l(&mu_);
  return size_;
}

uint64_t Pipe::Capacity() const {
  absl::MutexLock l(&mu_);
  return capacity_;
}

int64_t Pipe::SetCapacity(uint64_t size) {
  {
    absl::MutexLock l(&mu_);
    if (size < size_) return -EBUSY;
    if (size != capacity_) {
      std::vector<char> ring(size);
      for (uint64_t i = 0; i < size_; ++i) {
        ring[i] = ring_[(head_ + i) % capacity_];
      }
      ring_ = std::move(ring);
      head_ = 0;
      capacity_ = size;
      cv_.SignalAll();
    }
  }
  Changed(vfs::kWritableEvents);
  return static_cast<int64_t>(size);
}

void Pipe::AddReader() {
  {
    absl::MutexLock l(&mu_);
    ++readers_;
    ++reader_opens_;
    cv_.SignalAll();
  }
  Changed(vfs::kWritableEvents);
}

void Pipe::AddWriter() {
  {
    absl::MutexLock l(&mu_);
    ++writers_;
    ++writer_opens_;
    cv_.SignalAll();
  }
  Changed(vfs::kReadableEvents);
}

void Pipe::RemoveReader() {
  {
    absl::MutexLock l(&mu_);
    --readers_;
    cv_.SignalAll();
  }
  Changed(vfs::kEventErr | vfs::kWritableEvents);
}

void Pipe::RemoveWriter() {
  {
    absl::MutexLock l(&mu_);
    --writers_;
    cv_.SignalAll();
  }
  Changed(vfs::kEventHup | vfs::kReadableEvents);
}

int Pipe::readers() const {
  absl::MutexLock l(&mu_);
  return readers_;
}

int Pipe::writers() const {
  absl::MutexLock l(&mu_);
  return writers_;
}

int64_t Pipe::WaitForPeer(Task* t, bool reader) {
  absl::MutexLock l(&mu_);
  if (reader) {
    if (writers_ > 0) return 0;
    const uint64_t seen = writer_opens_;
    return vfs::BlockTask(t, &mu_, &cv_,
                          [this, seen]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                            return writer_opens_ != seen;
                          });
  }
  if (readers_ > 0) return 0;
  const uint64_t seen = reader_opens_;
  return vfs::BlockTask(t, &mu_, &cv_,
                        [this, seen]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                          return reader_opens_ != seen;
                        });
}

EventMask Pipe::Readiness(bool reader, bool writer, EventMask mask) const {
  absl::MutexLock l(&mu_);
  EventMask ready = 0;
  if (reader) {
    if (size_ > 0) ready |= vfs::kReadableEvents;
    if (writers_ == 0 && writer_opens_ > 0) ready |= vfs::kEventHup;
  }
  if (writer) {
    if (FreeLocked() >= std::min<uint64_t>(kPipeBuf, capacity_)) {
      ready |= vfs::kWritableEvents;
    }
    if (readers_ == 0) ready |= vfs::kEventErr;
  }
  return ready & (mask | vfs::kAlwaysEvents);
}

std::shared_ptr<Pipe> FifoPipe(uint64_t dev, uint64_t ino) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* pipes =
      new std::map<std::pair<uint64_t, uint64_t>, std::weak_ptr<Pipe>>();
  absl::MutexLock l(&mu);
  auto& slot = (*pipes)[{dev, ino}];
  if (auto p = slot.lock()) return p;
  // Forget FIFOs nobody has open any more.
  for (auto it = pipes->begin(); it != pipes->end();) {
    if (it->second.expired()) {
      it = pipes->erase(it);
    } else {
      ++it;
    }
  }
  auto p = std::make_shared<Pipe>();
  (*pipes)[{dev, ino}] = p;
  return p;
}

}  // namespace sentry::fs
