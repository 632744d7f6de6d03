#include "sentry/vfs/fsnotify.h"

#include <algorithm>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/stat.h"
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
  absl::flat_hash_map<InodeKey, std::vector<Watch>> by_inode
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
void Deliver(Registry& r, const InodeKey& key, uint32_t mask, uint32_t cookie,
             const std::string& name, bool drop_all)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu) {
  auto it = r.by_inode.find(key);
  if (it == r.by_inode.end()) return;
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
  if (ws.empty()) r.by_inode.erase(it);
}

void RemoveWatcherLocked(Registry& r, FsWatcher* watcher,
                         std::vector<std::shared_ptr<Dentry>>* released)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);

}  // namespace

bool KeyOf(Dentry& d, InodeKey* key) {
  uapi::Stat st;
  if (d.Stat(&st) < 0) return false;
  key->dev = st.st_dev;
  key->ino = st.st_ino;
  return true;
}

void AddWatch(const std::shared_ptr<Dentry>& d, FsWatcher* watcher, int wd,
              uint32_t mask) {
  InodeKey key;
  if (!KeyOf(*d, &key)) return;
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  std::vector<Watch>& ws = r.by_inode[key];
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
  InodeKey key;
  if (!KeyOf(*d, &key)) return false;
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  auto it = r.by_inode.find(key);
  if (it == r.by_inode.end()) return false;
  std::vector<Watch>& ws = it->second;
  for (auto w = ws.begin(); w != ws.end(); ++w) {
    if (w->watcher == watcher) {
      watcher->Event(w->wd, kInIgnored, 0, "");
      ws.erase(w);
      watch_count.fetch_sub(1);
      if (ws.empty()) r.by_inode.erase(it);
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
  for (auto it = r.by_inode.begin(); it != r.by_inode.end();) {
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
      r.by_inode.erase(it++);
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
  InodeKey self, dir;
  const bool have_self = KeyOf(d, &self);
  const bool have_dir = !(mask & kSelfOnly) && parent && KeyOf(*parent, &dir);
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  if (have_dir) Deliver(r, dir, mask, cookie, name, false);
  if (have_self) Deliver(r, self, mask, cookie, "", (mask & kInDeleteSelf) != 0);
}

void NotifyDirSlow(Dentry& dir, uint32_t mask, const std::string& name,
                   uint32_t cookie) {
  InodeKey key;
  if (!KeyOf(dir, &key)) return;
  Registry& r = Reg();
  absl::MutexLock l(&r.mu);
  Deliver(r, key, mask, cookie, name, false);
}

uint32_t NextCookie() {
  static std::atomic<uint32_t> next{1};
  return next.fetch_add(1);
}

}  // namespace sentry::vfs::fsnotify
