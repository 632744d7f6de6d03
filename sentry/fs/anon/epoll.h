// epoll(7): an interest list of (file, fd) pairs and a ready list.
//
// Each watched file gets an Item registered on the file's wait queue; the
// file's notifications put the item on the ready list, and epoll_wait asks
// the file for its current readiness before reporting it (level-triggered
// items stay on the list while ready, edge-triggered ones wait for the
// next notification, one-shot ones until EPOLL_CTL_MOD re-arms them).
//
// Items hold their file weakly: once the last fd of a file is closed the
// file goes away with its queue and the item is dropped at the next wait,
// as Linux removes closed files from epoll sets.
//
// Locking: mu_ (the interest list) is taken before a file's queue lock;
// ready_mu_ is a leaf taken by items' callbacks under the file's queue
// lock.
#ifndef SENTRY_FS_ANON_EPOLL_H_
#define SENTRY_FS_ANON_EPOLL_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "abi/linux/epoll.h"
#include "sentry/fs/anon/anon_file.h"

namespace sentry::fs {

class EpollFile : public AnonFile {
 public:
  explicit EpollFile(int status_flags);
  ~EpollFile() override;

  // epoll_ctl. -EEXIST, -ENOENT, -EINVAL, -ELOOP as Linux.
  int64_t Add(int fd, const std::shared_ptr<vfs::FileDescription>& file,
              const uapi::EpollEvent& ev);
  int64_t Modify(int fd, vfs::FileDescription* file,
                 const uapi::EpollEvent& ev);
  int64_t Remove(int fd, vfs::FileDescription* file);

  // epoll_wait: up to `max` events; blocks until `deadline` (none: for
  // ever; a past one: does not block). Returns the count, or -EINTR.
  int64_t Wait(Task* t, int max, std::optional<absl::Time> deadline,
               std::vector<uapi::EpollEvent>* out);

  vfs::EventMask Readiness(vfs::EventMask mask) override;

 private:
  struct Item : vfs::WaitEntry {
    EpollFile* ep = nullptr;
    int fd = -1;
    std::weak_ptr<vfs::FileDescription> file;
    uint32_t events = 0;  // as given (with EPOLLET/ONESHOT...)
    uint64_t data = 0;
    bool queued = false;    // on the ready list (ready_mu_)
    bool disarmed = false;  // one-shot item that fired (ready_mu_)
    void Callback(vfs::EventMask ev) override;
  };
  using Key = std::pair<const vfs::FileDescription*, int>;

  void Enqueue(Item* item);
  // Whether this epoll (or one it watches) watches `other`.
  bool Reaches(const EpollFile* other, int depth) const;

  absl::Mutex mu_;
  std::map<Key, std::unique_ptr<Item>> items_ ABSL_GUARDED_BY(mu_);
  absl::Mutex ready_mu_;
  absl::CondVar ready_cv_;
  std::deque<Item*> ready_ ABSL_GUARDED_BY(ready_mu_);
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_ANON_EPOLL_H_
