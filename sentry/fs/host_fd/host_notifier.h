// HostNotifier: turns readiness of host fds the sentry holds (the
// sandbox's stdio) into WaitQueue notifications, with one sentry thread
// blocked in the host's epoll. A file arms it when someone waits and the
// fd is not ready yet; each arming gives at most one notification
// (EPOLLONESHOT), after which waiters look again.
#ifndef SENTRY_FS_HOST_FD_HOST_NOTIFIER_H_
#define SENTRY_FS_HOST_FD_HOST_NOTIFIER_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "sentry/vfs/waiter.h"

namespace sentry::fs {

class HostNotifier {
 public:
  static HostNotifier& Get();

  // One notification on `queue` when `fd` is ready for `events`.
  void Arm(int fd, vfs::EventMask events, vfs::WaitQueue* queue);
  // Forgets `fd` (before it is closed); no notification for it runs after.
  void Remove(int fd);

 private:
  HostNotifier();
  void Run();

  int epfd_ = -1;
  absl::Mutex mu_;
  struct Watch {
    vfs::WaitQueue* queue;
    // Events notified since the last Arm: the one-shot arming is renewed
    // for the queue's other interests only (a writer blocked on a full
    // socket while a reader was just woken must still hear about room),
    // and each kind of event is told at most once per Arm.
    vfs::EventMask delivered;
  };
  absl::flat_hash_map<int, Watch> queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOST_FD_HOST_NOTIFIER_H_
