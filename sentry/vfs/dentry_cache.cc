#include "sentry/vfs/dentry_cache.h"

#include <utility>

#include "sentry/vfs/dentry.h"

namespace sentry::vfs {

DentryCache::~DentryCache() { Clear(); }

void DentryCache::Touch(const std::shared_ptr<Dentry>& d) {
  if (capacity_ == 0 || !d) return;
  // Released after the lock: dropping a dentry may drop its parents.
  std::shared_ptr<Dentry> evicted;
  {
    absl::MutexLock l(&mu_);
    auto it = index_.find(d.get());
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    lru_.push_front(d);
    index_[d.get()] = lru_.begin();
    if (lru_.size() > capacity_) {
      index_.erase(lru_.back().get());
      evicted = std::move(lru_.back());
      lru_.pop_back();
    }
  }
}

void DentryCache::Clear() {
  std::list<std::shared_ptr<Dentry>> old;
  {
    absl::MutexLock l(&mu_);
    old.swap(lru_);
    index_.clear();
  }
}

size_t DentryCache::size() const {
  absl::MutexLock l(&mu_);
  return lru_.size();
}

}  // namespace sentry::vfs
