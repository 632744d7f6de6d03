// inotify(7): an instance holding watches (vfs/fsnotify.h) and the queue
// of events read from it as struct inotify_event records.
#ifndef SENTRY_FS_ANON_INOTIFY_H_
#define SENTRY_FS_ANON_INOTIFY_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/fs/anon/anon_file.h"
#include "sentry/vfs/fsnotify.h"

namespace sentry::fs {

class InotifyFile : public AnonFile, public vfs::FsWatcher {
 public:
  explicit InotifyFile(int status_flags);
  ~InotifyFile() override;

  // inotify_add_watch: the watch descriptor (the same one again for a
  // dentry already watched). -EEXIST with IN_MASK_CREATE for those.
  int64_t AddWatch(const std::shared_ptr<vfs::Dentry>& d, uint32_t mask);
  // inotify_rm_watch: -EINVAL for an unknown wd.
  int64_t RemoveWatch(int wd);

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override;
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void Event(int wd, uint32_t mask, uint32_t cookie,
             const std::string& name) override;

 private:
  struct Ev {
    int wd;
    uint32_t mask;
    uint32_t cookie;
    std::string name;
  };
  static uint64_t Size(const Ev& e);
  // Forgets watches the registry dropped (IN_IGNORED seen).
  void PurgeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;  // watches
  std::map<int, std::shared_ptr<vfs::Dentry>> watches_ ABSL_GUARDED_BY(mu_);
  // Watches are per inode: the same file by any name has one wd.
  std::map<vfs::fsnotify::InodeKey, int> by_inode_ ABSL_GUARDED_BY(mu_);
  int next_wd_ ABSL_GUARDED_BY(mu_) = 1;

  absl::Mutex ev_mu_;  // a leaf: taken under the fsnotify registry lock
  absl::CondVar ev_cv_;
  std::deque<Ev> events_ ABSL_GUARDED_BY(ev_mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(ev_mu_) = 0;
  std::vector<int> dead_wds_ ABSL_GUARDED_BY(ev_mu_);
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_ANON_INOTIFY_H_
