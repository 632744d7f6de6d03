// The daemon's events (runsc.v1.Event), numbered in order, the newest few
// thousand kept for Events{replay}; subscribers wait for new ones.
#ifndef RUNSC_CLI_SERVE_EVENT_LOG_H_
#define RUNSC_CLI_SERVE_EVENT_LOG_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runsc/v1/sandboxes.pb.h"

namespace runsc::serve {

class EventLog {
 public:
  explicit EventLog(size_t keep = 4096) : keep_(keep) {}

  // Stamps sequence and time, stores, wakes subscribers.
  void Publish(runsc::v1::Event e);
  // The sequence the next event will get.
  uint64_t NextSequence() const;
  // Events with sequence >= *next (those still held), advancing *next;
  // waits up to `timeout` when there is none.
  std::vector<runsc::v1::Event> Read(uint64_t* next, absl::Duration timeout) const;
  // Oldest sequence still held.
  uint64_t FirstHeld() const;

 private:
  const size_t keep_;
  mutable absl::Mutex mu_;
  std::deque<runsc::v1::Event> events_ ABSL_GUARDED_BY(mu_);
  uint64_t next_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_EVENT_LOG_H_
