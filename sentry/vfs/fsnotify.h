// File change notifications (Linux's fsnotify), for inotify(7).
//
// Watches belong to inodes, as Linux's: they are keyed by the file's
// (st_dev, st_ino), so a change made through any hard link or name reaches
// them, and they follow renames. Each watch holds a dentry of its file,
// which keeps the inode (and so its number) alive. The VFS and the syscall
// layer report events with Notify(); when nothing is watched anywhere that
// costs one atomic load (with watches, an event costs a Stat of the file
// and of its parent).
#ifndef SENTRY_VFS_FSNOTIFY_H_
#define SENTRY_VFS_FSNOTIFY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sentry/vfs/virtual_dentry.h"

namespace sentry::vfs {

class Dentry;

// inotify event bits (include/uapi/linux/inotify.h).
inline constexpr uint32_t kInAccess = 0x00000001;
inline constexpr uint32_t kInModify = 0x00000002;
inline constexpr uint32_t kInAttrib = 0x00000004;
inline constexpr uint32_t kInCloseWrite = 0x00000008;
inline constexpr uint32_t kInCloseNowrite = 0x00000010;
inline constexpr uint32_t kInOpen = 0x00000020;
inline constexpr uint32_t kInMovedFrom = 0x00000040;
inline constexpr uint32_t kInMovedTo = 0x00000080;
inline constexpr uint32_t kInCreate = 0x00000100;
inline constexpr uint32_t kInDelete = 0x00000200;
inline constexpr uint32_t kInDeleteSelf = 0x00000400;
inline constexpr uint32_t kInMoveSelf = 0x00000800;
inline constexpr uint32_t kInAllEvents = 0x00000fff;
inline constexpr uint32_t kInUnmount = 0x00002000;
inline constexpr uint32_t kInQOverflow = 0x00004000;
inline constexpr uint32_t kInIgnored = 0x00008000;
inline constexpr uint32_t kInOnlydir = 0x01000000;
inline constexpr uint32_t kInDontFollow = 0x02000000;
inline constexpr uint32_t kInExclUnlink = 0x04000000;
inline constexpr uint32_t kInMaskCreate = 0x10000000;
inline constexpr uint32_t kInMaskAdd = 0x20000000;
inline constexpr uint32_t kInIsdir = 0x40000000;
inline constexpr uint32_t kInOneshot = 0x80000000;

// Someone watching dentries (an inotify instance).
class FsWatcher {
 public:
  virtual ~FsWatcher() = default;
  // An event on a watched dentry: `wd` is the watch, `name` the child it
  // concerns ("" for the dentry itself). Called under the registry lock:
  // queue it and return.
  virtual void Event(int wd, uint32_t mask, uint32_t cookie,
                     const std::string& name) = 0;
};

namespace fsnotify {

// The identity of an inode: (st_dev, st_ino).
struct InodeKey {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const InodeKey& o) const { return dev == o.dev && ino == o.ino; }
  bool operator<(const InodeKey& o) const {
    return dev != o.dev ? dev < o.dev : ino < o.ino;
  }
  template <typename H>
  friend H AbslHashValue(H h, const InodeKey& k) {
    return H::combine(std::move(h), k.dev, k.ino);
  }
};
// The key of `d`'s inode; false if it cannot be stat()ed.
bool KeyOf(Dentry& d, InodeKey* key);

extern std::atomic<int> watch_count;

// Adds (or updates) the watch of `watcher` on `d` with `wd`.
void AddWatch(const std::shared_ptr<Dentry>& d, FsWatcher* watcher, int wd,
              uint32_t mask);
// Removes one watch; returns false if there was none.
bool RemoveWatch(const std::shared_ptr<Dentry>& d, FsWatcher* watcher);
// Removes every watch of `watcher` (its file is closing).
void RemoveWatcher(FsWatcher* watcher);

// Reports `mask` on `d` (to its watches) and, unless it is a
// self-only event, to its parent's watches with d's name.
void NotifySlow(Dentry& d, uint32_t mask, uint32_t cookie);
inline void Notify(Dentry* d, uint32_t mask, uint32_t cookie = 0) {
  if (d && watch_count.load(std::memory_order_relaxed) > 0) {
    NotifySlow(*d, mask, cookie);
  }
}
inline void Notify(const VirtualDentry& vd, uint32_t mask) {
  Notify(vd.dentry.get(), mask);
}
// Directory events naming a child: `dir` gets `mask` with `name`.
void NotifyDirSlow(Dentry& dir, uint32_t mask, const std::string& name,
                   uint32_t cookie);
inline void NotifyDir(Dentry* dir, uint32_t mask, const std::string& name,
                      uint32_t cookie = 0) {
  if (dir && watch_count.load(std::memory_order_relaxed) > 0) {
    NotifyDirSlow(*dir, mask, name, cookie);
  }
}
// A cookie tying IN_MOVED_FROM to IN_MOVED_TO.
uint32_t NextCookie();

}  // namespace fsnotify
}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FSNOTIFY_H_
