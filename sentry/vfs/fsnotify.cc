#include "sentry/vfs/fsnotify.h"

#include <algorithm>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "sentry/vfs/dentry.h"

namespace sentry::vfs::fsnotify {

std::atomic<int> watch_count{0};

namespace {

struct Watch {
  FsWatcher* watcher;
  int wd;
  uint32_t mask;
  std::shared_ptr<Dentry> hold;  // keeps the dentry (and its identity)
};

struct Registry {
  absl::Mutex mu;
  absl::flat_hash_map<const Dentry*, std::vector<Watch>> by_dentry
      ABSL_GUARDED_BY(mu);
};

Registry& Reg() {
  static Registry* r = new Registry();
  return *r;
}

// Events a dentry reports about itself only (never to its parent).
constexpr uint32_t kSelfOnly = kInDeleteSelf | kInMoveSelf | kInIgnored;

// Delivers to the watches of `d`; drops one-shot watches that fired and,
// with `drop_all`, every watch (their dentry is gone) with IN_IGNORED.
void Deliver(Registry& r, const Dentry* d, uint32_t mask, uint32_t cookie,
             const std::string& name, bool drop_all)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu) {
  auto it = r.by_dentry.find(d);
  if (it == r.by_dentry.end()) return;
  std::vector<Watch>& ws = it->second;
  for (auto w = ws.begin(); w != ws.end();) {
    bool fired = false;
    if (w->mask & mask & kInAllEvents) {
      w->watcher->Event(w->wd, mask, cookie, name);
      fired = true;
    }
    if (drop_all || (fired && (w->mask & kInOneshot))) {
      w->watcher->Event(w->wd, kInIgnored, 0, "");
      w = ws.erase(w);
      watch_count.fetch_sub(1);
    } else {
      ++w;
    }
  }
  if (ws.empty()) r.by_dentry.erase(it);
}

void RemoveWatcherLocked(Registry& r, FsWatcher* watcher,
                         std::vector<std::shared_ptr<Dentry>>* released)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);

}  // namespace

void AddWatch(const std::shared_ptr<Dentry>& d, FsWatcher* watcher, int wd,
              uint32_t mask) {
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  std::vector<Watch>& ws = r.by_dentry[d.get()];
  for (Watch& w : ws) {
    if (w.watcher == watcher) {
      w.mask = mask;
      return;
    }
  }
  ws.push_back(Watch{watcher, wd, mask, d});
  watch_count.fetch_add(1);
}

bool RemoveWatch(const std::shared_ptr<Dentry>& d, FsWatcher* watcher) {
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  auto it = r.by_dentry.find(d.get());
  if (it == r.by_dentry.end()) return false;
  std::vector<Watch>& ws = it->second;
  for (auto w = ws.begin(); w != ws.end(); ++w) {
    if (w->watcher == watcher) {
      watcher->Event(w->wd, kInIgnored, 0, "");
      ws.erase(w);
      watch_count.fetch_sub(1);
      if (ws.empty()) r.by_dentry.erase(it);
      return true;
    }
  }
  return false;
}

void RemoveWatcher(FsWatcher* watcher) {
  Registry& r = Reg();
  // Dropped after the lock: a dentry's destructor may release its parents.
  std::vector<std::shared_ptr<Dentry>> released;
  absl::MutexLock l(&r.mu);
  RemoveWatcherLocked(r, watcher, &released);
}

namespace {
void RemoveWatcherLocked(Registry& r, FsWatcher* watcher,
                         std::vector<std::shared_ptr<Dentry>>* released) {
  for (auto it = r.by_dentry.begin(); it != r.by_dentry.end();) {
    std::vector<Watch>& ws = it->second;
    for (auto w = ws.begin(); w != ws.end();) {
      if (w->watcher == watcher) {
        released->push_back(std::move(w->hold));
        w = ws.erase(w);
        watch_count.fetch_sub(1);
      } else {
        ++w;
      }
    }
    if (ws.empty()) {
      r.by_dentry.erase(it++);
    } else {
      ++it;
    }
  }
}
}  // namespace

void NotifySlow(Dentry& d, uint32_t mask, uint32_t cookie) {
  // Linux marks events on directories with IN_ISDIR, except the watched
  // object's own IN_DELETE_SELF and IN_MOVE_SELF (and IN_IGNORED).
  if (d.IsDir() && !(mask & kSelfOnly)) mask |= kInIsdir;
  std::shared_ptr<Dentry> parent = d.parent();
  std::string name = d.name();
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  if (!(mask & kSelfOnly) && parent) {
    Deliver(r, parent.get(), mask, cookie, name, false);
  }
  Deliver(r, &d, mask, cookie, "", (mask & kInDeleteSelf) != 0);
}

void NotifyDirSlow(Dentry& dir, uint32_t mask, const std::string& name,
                   uint32_t cookie) {
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  Deliver(r, &dir, mask, cookie, name, false);
}

uint32_t NextCookie() {
  static std::atomic<uint32_t> next{1};
  return next.fetch_add(1);
}

}  // namespace sentry::vfs::fsnotify
