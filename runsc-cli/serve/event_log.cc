#include "runsc-cli/serve/event_log.h"

#include "runsc-cli/serve/wire.h"

namespace runsc::serve {

void EventLog::Publish(runsc::v1::Event e) {
  absl::MutexLock l(&mu_);
  e.set_sequence(next_++);
  e.set_time_ns(UnixNowNs());
  events_.push_back(std::move(e));
  while (events_.size() > keep_) events_.pop_front();
}

uint64_t EventLog::NextSequence() const {
  absl::MutexLock l(&mu_);
  return next_;
}

uint64_t EventLog::FirstHeld() const {
  absl::MutexLock l(&mu_);
  return events_.empty() ? next_ : events_.front().sequence();
}

std::vector<runsc::v1::Event> EventLog::Read(uint64_t* next,
                                             absl::Duration timeout) const {
  absl::MutexLock l(&mu_);
  const uint64_t want = *next;
  auto ready = [this, want]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return next_ > want;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  std::vector<runsc::v1::Event> out;
  for (const auto& e : events_) {
    if (e.sequence() >= want) out.push_back(e);
  }
  if (!out.empty()) *next = out.back().sequence() + 1;
  else if (next_ > want) *next = next_;
  return out;
}

}  // namespace runsc::serve
