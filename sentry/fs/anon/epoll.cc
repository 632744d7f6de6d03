#include "sentry/fs/anon/epoll.h"

#include <cerrno>
#include <optional>


namespace sentry::fs {

namespace {

constexpr uint32_t kEpollUserBits =
    uapi::kEpollIn | uapi::kEpollPri | uapi::kEpollOut | uapi::kEpollErr |
    uapi::kEpollHup | uapi::kEpollRdNorm | uapi::kEpollRdBand |
    uapi::kEpollWrNorm | uapi::kEpollWrBand | uapi::kEpollMsg |
    uapi::kEpollRdHup;

// The events an item asks the file about (the flags are not events).
vfs::EventMask Wanted(uint32_t events) {
  return (events & kEpollUserBits) | vfs::kEventErr | vfs::kEventHup;
}

}  // namespace

EpollFile::EpollFile(int status_flags) : AnonFile(status_flags, "eventpoll") {}

EpollFile::~EpollFile() {
  absl::MutexLock l(&mu_);
  for (auto& [key, item] : items_) {
    if (auto f = item->file.lock()) f->EventUnregister(item.get());
  }
}

void EpollFile::Item::Callback(vfs::EventMask ev) {
  if (ev & Wanted(events)) ep->Enqueue(this);
}

void EpollFile::Enqueue(Item* item) {
  {
    absl::MutexLock l(&ready_mu_);
    if (item->disarmed || item->queued) return;
    item->queued = true;
    ready_.push_back(item);
    ready_cv_.SignalAll();
  }
  Notify(vfs::kReadableEvents);
}

bool EpollFile::Reaches(const EpollFile* other, int depth) const {
  if (this == other) return true;
  if (depth > 5) return true;  // EP_MAX_NESTS: treat as a loop
  auto* self = const_cast<EpollFile*>(this);
  absl::MutexLock l(&self->mu_);
  for (const auto& [key, item] : items_) {
    auto f = item->file.lock();
    auto* ep = dynamic_cast<EpollFile*>(f.get());
    if (ep && ep->Reaches(other, depth + 1)) return true;
  }
  return false;
}

int64_t EpollFile::Add(int fd, const std::shared_ptr<vfs::FileDescription>& file,
                       const uapi::EpollEvent& ev) {
  // Adding an epoll to an epoll: one at a time sandbox-wide (Linux's
  // epnested_mutex), so that two crossing additions cannot both pass the
  // loop check or lock each other's interest lists in opposite orders.
  static absl::Mutex nest_mu(absl::kConstInit);
  std::optional<absl::MutexLock> nest;
  if (auto* ep = dynamic_cast<EpollFile*>(file.get())) {
    nest.emplace(&nest_mu);
    if (ep->Reaches(this, 0)) return -ELOOP;
  }
  absl::MutexLock l(&mu_);
  Key key{file.get(), fd};
  if (items_.count(key)) return -EEXIST;
  auto item = std::make_unique<Item>();
  item->ep = this;
  item->fd = fd;
  item->file = file;
  item->events = ev.events;
  item->data = ev.data;
  item->mask = Wanted(ev.events);
  Item* raw = item.get();
  items_.emplace(key, std::move(item));
  file->EventRegister(raw);
  // Already ready: report it at once.
  if (file->Readiness(Wanted(ev.events)) & Wanted(ev.events)) Enqueue(raw);
  return 0;
}

int64_t EpollFile::Modify(int fd, vfs::FileDescription* file,
                          const uapi::EpollEvent& ev) {
  std::shared_ptr<vfs::FileDescription> f;
  Item* item;
  {
    absl::MutexLock l(&mu_);
    auto it = items_.find(Key{file, fd});
    if (it == items_.end()) return -ENOENT;
    item = it->second.get();
    // EPOLLEXCLUSIVE cannot be changed with MOD.
    if ((item->events & uapi::kEpollExclusive) ||
        (ev.events & uapi::kEpollExclusive)) {
      return -EINVAL;
    }
    f = item->file.lock();
    {
      absl::MutexLock rl(&ready_mu_);
      item->events = ev.events;
      item->data = ev.data;
      item->mask = Wanted(ev.events);
      item->disarmed = false;
    }
  }
  if (f && (f->Readiness(Wanted(ev.events)) & Wanted(ev.events))) {
    Enqueue(item);
  }
  return 0;
}

int64_t EpollFile::Remove(int fd, vfs::FileDescription* file) {
  std::unique_ptr<Item> item;
  {
    absl::MutexLock l(&mu_);
    auto it = items_.find(Key{file, fd});
    if (it == items_.end()) return -ENOENT;
    item = std::move(it->second);
    items_.erase(it);
    if (auto f = item->file.lock()) f->EventUnregister(item.get());
  }
  absl::MutexLock rl(&ready_mu_);
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    if (*it == item.get()) {
      ready_.erase(it);
      break;
    }
  }
  return 0;
}

int64_t EpollFile::Wait(Task* t, int max, std::optional<absl::Time> deadline,
                        std::vector<uapi::EpollEvent>* out) {
  for (;;) {
    std::deque<Item*> batch;
    {
      absl::MutexLock rl(&ready_mu_);
      batch.swap(ready_);
      for (Item* i : batch) i->queued = false;
    }
    std::vector<Item*> requeue;
    std::vector<Item*> dead;
    for (Item* item : batch) {
      if (static_cast<int>(out->size()) >= max) {
        requeue.push_back(item);
        continue;
      }
      // Items are only freed under mu_ by Remove, which also takes them
      // off the ready list; a concurrent Remove is excluded by mu_ here.
      absl::MutexLock l(&mu_);
      auto f = item->file.lock();
      if (!f) {
        dead.push_back(item);
        continue;
      }
      uint32_t events;
      {
        absl::MutexLock rl(&ready_mu_);
        if (item->disarmed) continue;
        events = item->events;
      }
      vfs::EventMask ready = f->Readiness(Wanted(events)) & Wanted(events);
      if (!ready) continue;
      out->push_back(uapi::EpollEvent{ready, item->data});
      if (events & uapi::kEpollOneshot) {
        absl::MutexLock rl(&ready_mu_);
        item->disarmed = true;
      } else if (!(events & uapi::kEpollEt)) {
        requeue.push_back(item);
      }
    }
    if (!requeue.empty()) {
      absl::MutexLock rl(&ready_mu_);
      for (auto it = requeue.rbegin(); it != requeue.rend(); ++it) {
        if ((*it)->queued || (*it)->disarmed) continue;
        (*it)->queued = true;
        ready_.push_front(*it);
      }
    }
    if (!dead.empty()) {
      absl::MutexLock l(&mu_);
      for (auto it = items_.begin(); it != items_.end();) {
        if (it->second->file.expired()) {
          absl::MutexLock rl(&ready_mu_);
          for (auto r = ready_.begin(); r != ready_.end();) {
            r = *r == it->second.get() ? ready_.erase(r) : r + 1;
          }
          it = items_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (!out->empty()) return static_cast<int64_t>(out->size());
    if (deadline && absl::Now() >= *deadline) return 0;
    absl::MutexLock rl(&ready_mu_);
    int64_t r = vfs::BlockTask(t, &ready_mu_, &ready_cv_,
                               [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                 return !ready_.empty();
                               },
                               deadline);
    if (r == -ETIMEDOUT) return 0;
    if (r < 0) return -EINTR;
  }
}

vfs::EventMask EpollFile::Readiness(vfs::EventMask mask) {
  absl::MutexLock rl(&ready_mu_);
  return ready_.empty() ? 0 : (mask & vfs::kReadableEvents);
}

}  // namespace sentry::fs
