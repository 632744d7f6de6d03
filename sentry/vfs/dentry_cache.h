// DentryCache: keeps the most recently used dentries of a filesystem alive
// (a bounded LRU of strong references), so repeated walks of the same paths
// do not look every component up again. Dentries otherwise live only while
// something holds them (see dentry.h).
#ifndef SENTRY_VFS_DENTRY_CACHE_H_
#define SENTRY_VFS_DENTRY_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace sentry::vfs {

class Dentry;

class DentryCache {
 public:
  explicit DentryCache(size_t capacity) : capacity_(capacity) {}
  ~DentryCache();

  // Marks `d` most recently used, evicting the least recently used entry
  // beyond capacity.
  void Touch(const std::shared_ptr<Dentry>& d);
  void Clear();
  size_t size() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<std::shared_ptr<Dentry>> lru_ ABSL_GUARDED_BY(mu_);  // front: newest
  absl::flat_hash_map<const Dentry*,
                      std::list<std::shared_ptr<Dentry>>::iterator>
      index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_DENTRY_CACHE_H_
