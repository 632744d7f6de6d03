// Pipe: the buffer shared by the two ends of a pipe(2), as Linux's
// pipe_inode_info. 64 KiB of capacity; writes of at most PIPE_BUF bytes are
// atomic; a read returns what is there (blocking only while the pipe is
// empty and has writers); EOF once every writer is gone; EPIPE for writes
// once every reader is gone.
//
// Blocking waits on one absl::CondVar. A wait can be abandoned through the
// `interrupted` callback (polled every kInterruptPollMs), which the file
// layer wires to the task's state; the call then returns -EINTR (or the
// bytes already moved).
#ifndef SENTRY_FS_PIPE_PIPE_H_
#define SENTRY_FS_PIPE_PIPE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sentry::fs {

inline constexpr uint64_t kPipeCapacity = 65536;
inline constexpr uint64_t kPipeBuf = 4096;  // PIPE_BUF
inline constexpr int kInterruptPollMs = 50;

class Pipe {
 public:
  Pipe();

  // Reads up to `n` bytes. -EAGAIN when empty with writers and `nonblock`;
  // 0 at EOF.
  int64_t Read(void* buf, uint64_t n, bool nonblock,
               const std::function<bool()>& interrupted);
  // Writes `n` bytes (all of them unless non-blocking, interrupted, or the
  // readers leave). -EPIPE when there are no readers, -EAGAIN when nothing
  // fits and `nonblock`.
  int64_t Write(const void* buf, uint64_t n, bool nonblock,
                const std::function<bool()>& interrupted);
  // Bytes buffered (FIONREAD).
  uint64_t Available() const;

  // End counts: a FileDescription for an end calls these from its
  // constructor and destructor.
  void AddReader();
  void AddWriter();
  void RemoveReader();
  void RemoveWriter();

  int readers() const;
  int writers() const;

 private:
  uint64_t FreeLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return kPipeCapacity - size_;
  }
  // Waits for a state change or the poll interval.
  void WaitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<char> ring_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;  // index of the first byte
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;  // bytes buffered
  int readers_ ABSL_GUARDED_BY(mu_) = 0;
  int writers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_PIPE_PIPE_H_
