// Pipe: the buffer shared by the ends of a pipe(2) or FIFO, as Linux's
// pipe_inode_info. Like Linux it is a ring of page-sized buffers (16 by
// default; F_SETPIPE_SZ changes the count): a write fills new pages, except
// that its first (size % 4096) bytes may join the last page when they fit,
// and a page's slot is free again only once it has been read entirely. So
// writes of at most PIPE_BUF bytes are atomic, and a pipe is writable
// (POLLOUT) while a slot is free. A read returns what is there (blocking
// only while the pipe is empty and has writers); EOF once every writer is
// gone; EPIPE for writes once every reader is gone.
//
// Blocking goes through vfs::BlockTask on the pipe's own condition
// variable; readiness changes are also announced on queue() for poll and
// epoll. A blocked call gives up with -ERESTARTSYS when its task must stop
// waiting (or returns the bytes already moved).
#ifndef SENTRY_FS_PIPE_PIPE_H_
#define SENTRY_FS_PIPE_PIPE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/vfs/waiter.h"

namespace sentry {
class Task;
}

namespace sentry::fs {

inline constexpr uint64_t kPipeCapacity = 65536;  // the default
inline constexpr uint64_t kPipeBuf = 4096;        // PIPE_BUF
// /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ gets.
inline constexpr uint64_t kPipeMaxSize = 1 << 20;
// The most any F_SETPIPE_SZ gets here (Linux lets root go further).
inline constexpr uint64_t kPipeHardMax = 1 << 28;

class Pipe {
 public:
  Pipe();

  // Reads up to `n` bytes. -EAGAIN when empty with writers and `nonblock`;
  // 0 at EOF. `t` (may be null) is the task on whose behalf it blocks.
  int64_t Read(Task* t, void* buf, uint64_t n, bool nonblock);
  // Writes `n` bytes (all of them unless non-blocking, interrupted, or the
  // readers leave). -EPIPE when there are no readers, -EAGAIN when nothing
  // fits and `nonblock`.
  // `packet`: the writer is in packet mode (pipe2 O_DIRECT): each write,
  // in pieces of at most a page, is a packet that one read returns alone
  // (Linux's PIPE_BUF_FLAG_PACKET).
  int64_t Write(Task* t, const void* buf, uint64_t n, bool nonblock,
                bool packet = false);
  // Copies up to `n` buffered bytes starting `skip` bytes in, without
  // consuming them (tee).
  uint64_t Peek(void* buf, uint64_t n, uint64_t skip) const;
  // Bytes buffered (FIONREAD).
  uint64_t Available() const;
  uint64_t Capacity() const;
  // F_SETPIPE_SZ: `size` already rounded; -EBUSY when more is buffered.
  int64_t SetCapacity(uint64_t size);

  // End counts: a FileDescription for an end calls these from its
  // constructor and destructor.
  void AddReader();
  void AddWriter();
  void RemoveReader();
  void RemoveWriter();
  int readers() const;
  int writers() const;

  // FIFO open(2): a reader (or writer) that is not also the other end
  // waits for the other side to show up, unless `nonblock`. Called after
  // the caller's own end was added. 0 or -ERESTARTSYS.
  int64_t WaitForPeer(Task* t, bool reader);

  // Readiness of an end that reads and/or writes (poll(2) semantics).
  vfs::EventMask Readiness(bool reader, bool writer, vfs::EventMask mask) const;
  // Each open end has its own queue (living exactly as long as the end, so
  // waiters registered on it never outlive it); the pipe notifies them all.
  void AddQueue(vfs::WaitQueue* q);
  void RemoveQueue(vfs::WaitQueue* q);

 private:
  bool FullLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return bufs_.size() >= max_slots_;
  }
  struct Buf {
    std::unique_ptr<char[]> data;
    uint32_t off = 0;
    uint32_t len = 0;
    bool packet = false;
  };
  // Wakes blocked callers and pollers (call without mu_).
  void Changed(vfs::EventMask events);

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Buf> bufs_ ABSL_GUARDED_BY(mu_);
  // Pages read empty, kept for the next writes (at most a full pipe's
  // worth), so a steady stream allocates nothing.
  std::vector<std::unique_ptr<char[]>> free_pages_ ABSL_GUARDED_BY(mu_);
  uint64_t max_slots_ ABSL_GUARDED_BY(mu_) = kPipeCapacity / kPipeBuf;
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;  // bytes buffered
  int readers_ ABSL_GUARDED_BY(mu_) = 0;
  int writers_ ABSL_GUARDED_BY(mu_) = 0;
  // How many times an end was opened (FIFO opens wait for a change).
  uint64_t reader_opens_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t writer_opens_ ABSL_GUARDED_BY(mu_) = 0;
  // Leaf below mu_: guards the ends' queues while they are notified.
  absl::Mutex queues_mu_;
  std::vector<vfs::WaitQueue*> queues_ ABSL_GUARDED_BY(queues_mu_);
};

// The pipe behind the FIFO (dev, ino): one per host FIFO the sandbox opens
// (hostfs), shared by every opener while any end is open.
std::shared_ptr<Pipe> FifoPipe(uint64_t dev, uint64_t ino);

}  // namespace sentry::fs

#endif  // SENTRY_FS_PIPE_PIPE_H_
