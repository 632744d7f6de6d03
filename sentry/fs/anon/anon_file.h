// Files without a name, from anon_inodefs: eventfd, timerfd, epoll. They
// stat as Linux's anonymous inode (mode 0600 with no file type bits) and
// show as "anon_inode:[kind]" in /proc/PID/fd.
#ifndef SENTRY_FS_ANON_ANON_FILE_H_
#define SENTRY_FS_ANON_ANON_FILE_H_

#include <string>

#include "sentry/vfs/file_description.h"

namespace sentry::fs {

class AnonFile : public vfs::FileDescription {
 public:
  AnonFile(int status_flags, std::string kind)
      : FileDescription(status_flags), kind_(std::move(kind)) {}

  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -ESPIPE; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -ESPIPE;
  }
  int64_t Seek(int64_t off, int whence) override { return -ESPIPE; }
  int64_t Stat(uapi::Stat* st) override;
  std::string Path() const override { return "anon_inode:[" + kind_ + "]"; }
  int64_t Fsync(bool datasync) override { return -EINVAL; }
  vfs::EventMask Readiness(vfs::EventMask mask) override { return 0; }
  void EventRegister(vfs::WaitEntry* e) override { queue_.Register(e); }
  void EventUnregister(vfs::WaitEntry* e) override { queue_.Unregister(e); }

 protected:
  // Wakes pollers; call without the file's own locks.
  void Notify(vfs::EventMask events) { queue_.Notify(events); }

 private:
  const std::string kind_;
  vfs::WaitQueue queue_;
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_ANON_ANON_FILE_H_
