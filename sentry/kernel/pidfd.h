// pidfd: a file that refers to a process (pidfd_open(2)). Readable (POLLIN)
// once the process has exited; usable with pidfd_send_signal(2) and
// waitid(P_PIDFD).
#ifndef SENTRY_KERNEL_PIDFD_H_
#define SENTRY_KERNEL_PIDFD_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "sentry/vfs/file_description.h"
#include "sentry/vfs/waiter.h"

namespace sentry {

class ThreadGroup;

class PidFdFile : public vfs::FileDescription {
 public:
  PidFdFile(std::shared_ptr<ThreadGroup> tg, int flags);

  // The process, or null once it has been reaped.
  std::shared_ptr<ThreadGroup> process() const { return tg_.lock(); }
  pid_t pid() const { return pid_; }

  int64_t Read(Task& t, void* buf, uint64_t n) override { return -EINVAL; }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return -EINVAL;
  }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -EINVAL; }
  int64_t Seek(int64_t off, int whence) override { return -ESPIPE; }
  int64_t Stat(uapi::Stat* st) override;
  std::string Path() const override { return "anon_inode:[pidfd]"; }
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void EventRegister(vfs::WaitEntry* e) override;
  void EventUnregister(vfs::WaitEntry* e) override;

 private:
  const std::weak_ptr<ThreadGroup> tg_;
  const pid_t pid_;
  // Keeps the process's exit queue alive for unregistering.
  const std::shared_ptr<vfs::WaitQueue> exit_queue_;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_PIDFD_H_
