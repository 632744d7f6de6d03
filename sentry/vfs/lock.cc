#include "sentry/vfs/lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>

#include "sentry/vfs/file_description.h"
#include "sentry/vfs/waiter.h"

namespace sentry::vfs {

namespace {

bool Overlaps(const RecordLock& a, uint64_t start, uint64_t end) {
  return a.start < end && start < a.end;
}

size_t CountOwned(const std::vector<RecordLock>& v, const void* owner) {
  size_t n = 0;
  for (const RecordLock& l : v) n += l.owner == owner;
  return n;
}

}  // namespace

LockManager& LockManager::Get() {
  static LockManager* m = new LockManager();
  return *m;
}

bool LockManager::ConflictLocked(const FileLocks& fl, const RecordLock& want,
                                 RecordLock* conflict) {
  for (const RecordLock& l : fl.records) {
    if (l.owner == want.owner) continue;
    if (!Overlaps(l, want.start, want.end)) continue;
    if (l.write || want.write) {
      if (conflict) *conflict = l;
      return true;
    }
  }
  return false;
}

void LockManager::ClearRange(FileLocks& fl, const void* owner, uint64_t start,
                             uint64_t end) {
  std::vector<RecordLock> kept;
  kept.reserve(fl.records.size() + 1);
  for (const RecordLock& l : fl.records) {
    if (l.owner != owner || !Overlaps(l, start, end)) {
      kept.push_back(l);
      continue;
    }
    // Keep whatever lies outside [start, end).
    if (l.start < start) {
      RecordLock head = l;
      head.end = start;
      kept.push_back(head);
    }
    if (end < l.end) {
      RecordLock tail = l;
      tail.start = end;
      kept.push_back(tail);
    }
  }
  fl.records = std::move(kept);
}

bool LockManager::WouldDeadlock(const void* waiter, const void* holder) {
  // Follow "holder waits for ..." until it comes back to us.
  for (int i = 0; i < 1024 && holder; ++i) {
    if (holder == waiter) return true;
    auto it = waiting_.find(holder);
    if (it == waiting_.end()) return false;
    holder = it->second;
  }
  return false;
}

void LockManager::DropOwnerCount(const void* owner, size_t n) {
  if (n == 0) return;
  auto it = owners_.find(owner);
  if (it == owners_.end()) return;
  if (it->second <= n) {
    owners_.erase(it);
  } else {
    it->second -= n;
  }
}

void LockManager::CleanupLocked(const Key& k) {
  auto it = files_.find(k);
  if (it != files_.end() && it->second.records.empty() &&
      it->second.flocks.empty()) {
    files_.erase(it);
  }
}

int64_t LockManager::SetRecordLock(Task* t, uint64_t dev, uint64_t ino,
                                   const RecordLock& want, int type,
                                   bool wait) {
  const Key k{dev, ino};
  absl::MutexLock l(&mu_);
  if (type == F_UNLCK) {
    auto it = files_.find(k);
    if (it == files_.end()) return 0;
    size_t before = CountOwned(it->second.records, want.owner);
    ClearRange(it->second, want.owner, want.start, want.end);
    size_t after = CountOwned(it->second.records, want.owner);
    // Unlocking the middle of a range splits it in two.
    if (!want.ofd) {
      if (after > before) {
        owners_[want.owner] += after - before;
      } else {
        DropOwnerCount(want.owner, before - after);
      }
    }
    CleanupLocked(k);
    cv_.SignalAll();
    return 0;
  }
  RecordLock lock = want;
  lock.write = type == F_WRLCK;
  for (;;) {
    RecordLock conflict;
    if (!ConflictLocked(files_[k], lock, &conflict)) break;
    if (!wait) {
      CleanupLocked(k);
      return -EAGAIN;
    }
    if (!lock.ofd && !conflict.ofd && WouldDeadlock(lock.owner, conflict.owner)) {
      CleanupLocked(k);
      return -EDEADLK;
    }
    if (!lock.ofd) waiting_[lock.owner] = conflict.owner;
    int64_t r = BlockTask(
        t, &mu_, &cv_,
        [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !ConflictLocked(files_[k], lock, nullptr);
        });
    if (!lock.ofd) waiting_.erase(lock.owner);
    if (r < 0) {
      CleanupLocked(k);
      return r;
    }
  }
  FileLocks& fl = files_[k];
  size_t before = CountOwned(fl.records, lock.owner);
  ClearRange(fl, lock.owner, lock.start, lock.end);
  // Merge with the owner's adjacent locks of the same type.
  for (auto it = fl.records.begin(); it != fl.records.end();) {
    if (it->owner == lock.owner && it->write == lock.write &&
        (it->end == lock.start || lock.end == it->start)) {
      lock.start = std::min(lock.start, it->start);
      lock.end = std::max(lock.end, it->end);
      it = fl.records.erase(it);
    } else {
      ++it;
    }
  }
  fl.records.push_back(lock);
  size_t after = CountOwned(fl.records, lock.owner);
  if (!lock.ofd) {
    if (after > before) {
      owners_[lock.owner] += after - before;
    } else {
      DropOwnerCount(lock.owner, before - after);
    }
  }
  // Downgrades and splits may free ranges others wait for.
  cv_.SignalAll();
  return 0;
}

bool LockManager::TestRecordLock(uint64_t dev, uint64_t ino,
                                 const RecordLock& want, RecordLock* conflict) {
  absl::MutexLock l(&mu_);
  auto it = files_.find(Key{dev, ino});
  if (it == files_.end()) return false;
  return ConflictLocked(it->second, want, conflict);
}

int64_t LockManager::Flock(Task* t, uint64_t dev, uint64_t ino,
                           const void* owner, int op, bool nonblock) {
  const Key k{dev, ino};
  absl::MutexLock l(&mu_);
  if (op == LOCK_UN) {
    auto it = files_.find(k);
    if (it != files_.end()) {
      it->second.flocks.erase(owner);
      CleanupLocked(k);
      cv_.SignalAll();
    }
    return 0;
  }
  const bool excl = op == LOCK_EX;
  {
    FileLocks& fl = files_[k];
    auto mine = fl.flocks.find(owner);
    if (mine != fl.flocks.end()) {
      if (mine->second == excl) return 0;
      // A conversion drops the old lock first, as Linux does.
      fl.flocks.erase(mine);
      cv_.SignalAll();
    }
  }
  auto blocked = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (const auto& [o, x] : files_[k].flocks) {
      if (o != owner && (x || excl)) return true;
    }
    return false;
  };
  if (blocked()) {
    if (nonblock) {
      CleanupLocked(k);
      return -EWOULDBLOCK;
    }
    int64_t r = BlockTask(t, &mu_, &cv_, [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return !blocked();
    });
    if (r < 0) {
      CleanupLocked(k);
      return r;
    }
  }
  files_[k].flocks[owner] = excl;
  return 0;
}

void LockManager::ReleaseDescription(uint64_t dev, uint64_t ino,
                                     const void* desc) {
  const Key k{dev, ino};
  absl::MutexLock l(&mu_);
  auto it = files_.find(k);
  if (it == files_.end()) return;
  auto& recs = it->second.records;
  recs.erase(std::remove_if(recs.begin(), recs.end(),
                            [&](const RecordLock& r) {
                              return r.ofd && r.owner == desc;
                            }),
             recs.end());
  it->second.flocks.erase(desc);
  CleanupLocked(k);
  cv_.SignalAll();
}

void LockManager::ReleaseOnClose(const void* owner, FileDescription& file) {
  {
    absl::MutexLock l(&mu_);
    if (!owners_.contains(owner)) return;
  }
  uapi::Stat st;
  if (file.Stat(&st) < 0) return;
  const Key k{st.st_dev, st.st_ino};
  absl::MutexLock l(&mu_);
  auto it = files_.find(k);
  if (it == files_.end()) return;
  auto& recs = it->second.records;
  size_t before = recs.size();
  recs.erase(std::remove_if(recs.begin(), recs.end(),
                            [&](const RecordLock& r) {
                              return !r.ofd && r.owner == owner;
                            }),
             recs.end());
  DropOwnerCount(owner, before - recs.size());
  CleanupLocked(k);
  cv_.SignalAll();
}

void LockManager::ReleaseOwner(const void* owner) {
  absl::MutexLock l(&mu_);
  if (!owners_.contains(owner)) return;
  for (auto it = files_.begin(); it != files_.end();) {
    auto& recs = it->second.records;
    recs.erase(std::remove_if(recs.begin(), recs.end(),
                              [&](const RecordLock& r) {
                                return !r.ofd && r.owner == owner;
                              }),
               recs.end());
    if (recs.empty() && it->second.flocks.empty()) {
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  owners_.erase(owner);
  cv_.SignalAll();
}

}  // namespace sentry::vfs
