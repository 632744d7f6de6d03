// eventfd(2): a 64-bit counter that read() takes and write() adds to.
#ifndef SENTRY_FS_ANON_EVENTFD_H_
#define SENTRY_FS_ANON_EVENTFD_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/fs/anon/anon_file.h"

namespace sentry::fs {

class EventFd : public AnonFile {
 public:
  // `semaphore`: EFD_SEMAPHORE (reads take 1 at a time).
  EventFd(uint64_t initial, bool semaphore, int status_flags);

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  uint64_t count() const;

 private:
  static constexpr uint64_t kMax = ~uint64_t{0} - 1;
  const bool semaphore_;
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  uint64_t count_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_ANON_EVENTFD_H_
