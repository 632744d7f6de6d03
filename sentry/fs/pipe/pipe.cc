#include "sentry/fs/pipe/pipe.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "abi/linux/errno.h"

namespace sentry::fs {

using vfs::EventMask;

Pipe::Pipe() = default;

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
  uint64_t count = 0;
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
    auto* out = static_cast<char*>(buf);
    uint64_t dropped = 0;
    while (count < n && !bufs_.empty()) {
      Buf& b = bufs_.front();
      uint64_t take = std::min<uint64_t>(n - count, b.len);
      std::memcpy(out + count, b.data.get() + b.off, take);
      b.off += static_cast<uint32_t>(take);
      b.len -= static_cast<uint32_t>(take);
      count += take;
      // A packet is read whole: what did not fit is dropped (pipe_read).
      const bool packet = b.packet;
      if (packet) {
        dropped += b.len;
        b.len = 0;
      }
      // A page's slot frees up only once all of it was read.
      if (b.len == 0) {
        if (free_pages_.size() < max_slots_) free_pages_.push_back(std::move(b.data));
        bufs_.pop_front();
      }
      if (packet) break;
    }
    size_ -= count + dropped;
    cv_.SignalAll();
  }
  Changed(vfs::kWritableEvents);
  return static_cast<int64_t>(count);
}

int64_t Pipe::Write(Task* t, const void* buf, uint64_t n, bool nonblock,
                    bool packet) {
  if (n == 0) return 0;  // as Linux: no check for readers
  const char* in = static_cast<const char*>(buf);
  uint64_t done = 0;
  int64_t err = 0;
  {
    absl::MutexLock l(&mu_);
    if (readers_ == 0) return -EPIPE;
    // The first n % PAGE bytes may join the last page (pipe_write's merge).
    // Packets never merge, either way (PIPE_BUF_FLAG_CAN_MERGE).
    uint64_t chars = n % kPipeBuf;
    if (chars && !packet && !bufs_.empty()) {
      Buf& last = bufs_.back();
      if (!last.packet && last.off + last.len + chars <= kPipeBuf) {
        std::memcpy(last.data.get() + last.off + last.len, in, chars);
        last.len += static_cast<uint32_t>(chars);
        size_ += chars;
        done = chars;
        cv_.SignalAll();
      }
    }
    while (done < n) {
      if (readers_ == 0) {
        err = -EPIPE;
        break;
      }
      if (FullLocked()) {
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
                                   [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return readers_ == 0 || !FullLocked();
                                   });
        if (r < 0) {
          err = r;
          break;
        }
        continue;
      }
      Buf b;
      if (!free_pages_.empty()) {
        b.data = std::move(free_pages_.back());
        free_pages_.pop_back();
      } else {
        b.data.reset(new char[kPipeBuf]);
      }
      uint64_t take = std::min<uint64_t>(n - done, kPipeBuf);
      std::memcpy(b.data.get(), in + done, take);
      b.len = static_cast<uint32_t>(take);
      b.packet = packet;
      bufs_.push_back(std::move(b));
      size_ += take;
      done += take;
      cv_.SignalAll();
    }
  }
  if (done > 0) Changed(vfs::kReadableEvents);
  return done > 0 ? static_cast<int64_t>(done) : err;
}

uint64_t Pipe::Peek(void* buf, uint64_t n, uint64_t skip) const {
  absl::MutexLock l(&mu_);
  auto* out = static_cast<char*>(buf);
  uint64_t count = 0;
  for (const Buf& b : bufs_) {
    if (count >= n) break;
    if (skip >= b.len) {
      skip -= b.len;
      continue;
    }
    uint64_t take = std::min<uint64_t>(n - count, b.len - skip);
    std::memcpy(out + count, b.data.get() + b.off + skip, take);
    count += take;
    skip = 0;
  }
  return count;
}

uint64_t Pipe::Available() const {
  absl::MutexLock l(&mu_);
  return size_;
}

uint64_t Pipe::Capacity() const {
  absl::MutexLock l(&mu_);
  return max_slots_ * kPipeBuf;
}

int64_t Pipe::SetCapacity(uint64_t size) {
  {
    absl::MutexLock l(&mu_);
    uint64_t slots = size / kPipeBuf;
    if (bufs_.size() > slots) return -EBUSY;
    max_slots_ = slots;
    cv_.SignalAll();
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
    if (!FullLocked()) ready |= vfs::kWritableEvents;
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
