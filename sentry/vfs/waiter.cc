#include "sentry/vfs/waiter.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <thread>
#include <utility>

#include "abi/linux/errno.h"
#include "sentry/kernel/task.h"

namespace sentry::vfs {

void WaitQueue::Register(WaitEntry* e) {
  absl::MutexLock l(&mu_);
  entries_.push_back(e);
}

void WaitQueue::Unregister(WaitEntry* e) {
  absl::MutexLock l(&mu_);
  auto it = std::find(entries_.begin(), entries_.end(), e);
  if (it != entries_.end()) entries_.erase(it);
}

void WaitQueue::Notify(EventMask events) {
  absl::MutexLock l(&mu_);
  for (WaitEntry* e : entries_) {
    EventMask hit = events & (e->mask | kAlwaysEvents);
    if (hit) e->Callback(hit);
  }
}

bool WaitQueue::empty() const {
  absl::MutexLock l(&mu_);
  return entries_.empty();
}

EventMask WaitQueue::Interest() const {
  absl::MutexLock l(&mu_);
  EventMask m = 0;
  for (WaitEntry* e : entries_) m |= e->mask;
  return m;
}

// The single place where a task's sentry thread sleeps in the VFS: the
// kernel's Task::Block, which wakes for signals and kills.
int64_t BlockTask(Task* t, absl::Mutex* mu, absl::CondVar* cv,
                  const std::function<bool()>& done,
                  std::optional<absl::Time> deadline) {
  if (t) return t->Block(mu, cv, done, deadline);
  while (!done()) {
    if (deadline && absl::Now() >= *deadline) return -ETIMEDOUT;
    cv->WaitWithDeadline(mu, deadline ? *deadline : absl::InfiniteFuture());
  }
  return 0;
}

void TaskWaiter::Callback(EventMask events) {
  absl::MutexLock l(&mu_);
  fired_ = true;
  cv_.SignalAll();
}

int64_t TaskWaiter::Wait(Task* t, std::optional<absl::Time> deadline) {
  absl::MutexLock l(&mu_);
  return BlockTask(t, &mu_, &cv_, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return fired_;
  }, deadline);
}

void TaskWaiter::Reset() {
  absl::MutexLock l(&mu_);
  fired_ = false;
}

bool TaskWaiter::Fired() const {
  absl::MutexLock l(&mu_);
  return fired_;
}

// ---- Timers ----

namespace {

class TimerThread {
 public:
  static TimerThread& Get() {
    static TimerThread* t = new TimerThread();
    return *t;
  }

  Timers::Id At(absl::Time when, std::function<void()> fn) {
    absl::MutexLock l(&mu_);
    Timers::Id id = next_id_++;
    queue_.emplace(std::make_pair(when, id), std::move(fn));
    index_[id] = when;
    if (!started_) {
      started_ = true;
      std::thread([this] { Run(); }).detach();
    }
    cv_.Signal();
    return id;
  }

  bool Cancel(Timers::Id id) {
    absl::MutexLock l(&mu_);
    auto it = index_.find(id);
    if (it == index_.end()) return false;
    queue_.erase(std::make_pair(it->second, id));
    index_.erase(it);
    return true;
  }

 private:
  void Run() {
    absl::MutexLock l(&mu_);
    for (;;) {
      if (queue_.empty()) {
        cv_.Wait(&mu_);
        continue;
      }
      auto first = queue_.begin();
      absl::Time when = first->first.first;
      if (absl::Now() < when) {
        cv_.WaitWithDeadline(&mu_, when);
        continue;
      }
      std::function<void()> fn = std::move(first->second);
      index_.erase(first->first.second);
      queue_.erase(first);
      mu_.Unlock();
      fn();
      mu_.Lock();
    }
  }

  absl::Mutex mu_;
  absl::CondVar cv_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  Timers::Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::pair<absl::Time, Timers::Id>, std::function<void()>> queue_
      ABSL_GUARDED_BY(mu_);
  std::map<Timers::Id, absl::Time> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

Timers::Id Timers::At(absl::Time when, std::function<void()> fn) {
  return TimerThread::Get().At(when, std::move(fn));
}

bool Timers::Cancel(Id id) { return TimerThread::Get().Cancel(id); }

}  // namespace sentry::vfs
