// The sentry process's end of its control socket: at most one daemon
// connection at a time (a newer one replaces the older, as after a daemon
// restart), and a queue of messages to the daemon that survives
// reconnections. Output is flow controlled: producers wait while the queue
// holds more than kMaxQueuedOutput bytes, so a sandbox writing faster than
// the daemon reads (or while no daemon is connected) blocks in write(2)
// like on a full pipe.
#ifndef RUNSC_CLI_SERVE_SENTRY_LINK_H_
#define RUNSC_CLI_SERVE_SENTRY_LINK_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "runsc/internal/control.pb.h"

namespace runsc::serve {

class SentryLink {
 public:
  static constexpr size_t kMaxQueuedOutput = 1 << 20;

  SentryLink();
  ~SentryLink();

  // Queues `m`. With `flow_controlled`, first waits until the queue is
  // short enough.
  void Send(runsc::internal::FromSentry m, bool flow_controlled = false);

  // A new daemon connection (takes `fd`), ready to receive once `first`
  // (the Status answer) is queued in front of everything else.
  void Connected(int fd, runsc::internal::FromSentry first);
  // The connection `fd` ended (read EOF or error); no-op if already
  // replaced.
  void Disconnected(int fd);
  bool connected() const;

  // Waits until every queued message was written to a connection, at most
  // `timeout_ms`; true if the queue is empty.
  bool Drain(int timeout_ms);

 private:
  struct Conn {
    explicit Conn(int f) : fd(f) {}
    ~Conn();
    int fd;
  };
  void WriterLoop();

  mutable absl::Mutex mu_;
  std::deque<runsc::internal::FromSentry> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_output_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<Conn> conn_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_SENTRY_LINK_H_
