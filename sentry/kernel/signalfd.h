// signalfd(2): a file that reads pending signals as struct signalfd_siginfo
// records instead of running handlers (fs/signalfd.c).
//
// As on Linux, read(2) takes signals from the task that reads: its own
// pending queue, then its process's. Readiness (poll/epoll) is judged for
// the task that created the file, which is the reader in the usual use
// (Linux uses whoever polls; the VFS readiness interface has no caller).
// Files are told about new signals through NotifySignalfds(), which the
// signal-sending paths call for the receiving process.
#ifndef SENTRY_KERNEL_SIGNALFD_H_
#define SENTRY_KERNEL_SIGNALFD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/signal.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/waiter.h"

namespace sentry {

class Task;
class ThreadGroup;

// struct signalfd_siginfo (include/uapi/linux/signalfd.h), 128 bytes.
struct SignalfdSiginfo {
  uint32_t ssi_signo;
  int32_t ssi_errno;
  int32_t ssi_code;
  uint32_t ssi_pid;
  uint32_t ssi_uid;
  int32_t ssi_fd;
  uint32_t ssi_tid;
  uint32_t ssi_band;
  uint32_t ssi_overrun;
  uint32_t ssi_trapno;
  int32_t ssi_status;
  int32_t ssi_int;
  uint64_t ssi_ptr;
  uint64_t ssi_utime;
  uint64_t ssi_stime;
  uint64_t ssi_addr;
  uint16_t ssi_addr_lsb;
  uint16_t pad2;
  int32_t ssi_syscall;
  uint64_t ssi_call_addr;
  uint32_t ssi_arch;
  uint8_t pad[28];
};
static_assert(sizeof(SignalfdSiginfo) == 128);

// signalfd_copyinfo(): the siginfo fields that the signal's layout has.
SignalfdSiginfo ToSignalfdSiginfo(const uapi::Siginfo& info);

class SignalFdFile : public vfs::FileDescription {
 public:
  // `flags`: O_NONBLOCK or not. `owner` is the creating task.
  SignalFdFile(std::shared_ptr<Task> owner, uapi::Sigset mask, int flags);
  ~SignalFdFile() override;

  uapi::Sigset mask() const;
  // signalfd(2) on an existing signalfd replaces the mask.
  void set_mask(uapi::Sigset mask);

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override { return -EINVAL; }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -ESPIPE; }
  // Anonymous-inode files accept lseek and stay at 0.
  int64_t Seek(int64_t off, int whence) override { return 0; }
  int64_t Stat(uapi::Stat* st) override;
  std::string Path() const override { return "anon_inode:[signalfd]"; }
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void EventRegister(vfs::WaitEntry* e) override { queue_.Register(e); }
  void EventUnregister(vfs::WaitEntry* e) override { queue_.Unregister(e); }
  int64_t Fsync(bool datasync) override { return -EINVAL; }

  // A signal was queued for the process (called by NotifySignalfds).
  void Notify() { queue_.Notify(vfs::kEventIn); }

 private:
  const std::weak_ptr<Task> owner_;
  ThreadGroup* const group_;  // registry key (never dereferenced)
  mutable absl::Mutex mu_;
  uapi::Sigset mask_ ABSL_GUARDED_BY(mu_);
  vfs::WaitQueue queue_;
};

// Tells the signalfds of process `tg` that a signal was queued. Takes only
// leaf locks; safe with the tree lock held.
void NotifySignalfds(ThreadGroup* tg);

}  // namespace sentry

#endif  // SENTRY_KERNEL_SIGNALFD_H_
