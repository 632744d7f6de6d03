// A file backed by one of the host fds handed to the sandbox (its stdio).
//
// Reads and writes go straight to the host fd and block the calling sentry
// thread. The sentry keeps its own status flags: an application's F_SETFL
// O_NONBLOCK does not touch the host's open file description (shared with
// the terminal or pipe runsc was started with); a host fd that is itself
// non-blocking is waited on with poll() unless the application asked for
// O_NONBLOCK. Only a few terminal ioctls are passed to the host.
#ifndef SENTRY_FS_HOST_FD_HOST_FD_FILE_H_
#define SENTRY_FS_HOST_FD_HOST_FD_FILE_H_

#include <memory>
#include <string>

#include "sentry/vfs/file_description.h"
#include "sentry/vfs/host_fd_file.h"

namespace sentry::fs {

class HostFdFile : public vfs::FileDescription {
 public:
  // Takes ownership of `fd`.
  HostFdFile(int fd, int status_flags, std::string name, bool is_tty);
  ~HostFdFile() override;

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  int64_t PRead(void* buf, uint64_t n, int64_t off) override;
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override;
  int64_t Seek(int64_t off, int whence) override;
  // The host description's offset (shared with whoever else holds it).
  int64_t offset() const override;
  int64_t Stat(uapi::Stat* st) override;
  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override;
  // Pipes and sockets show Linux's "pipe:[ino]" / "socket:[ino]" (as the
  // host numbers them); anything else its stdio name ("stdin").
  std::string Path() const override;
  int64_t Reopen(int flags, const vfs::Credentials& creds,
                 std::shared_ptr<vfs::FileDescription>* out) override;

  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void EventRegister(vfs::WaitEntry* e) override;
  void EventUnregister(vfs::WaitEntry* e) override;
  int64_t Fsync(bool datasync) override;

  int host_fd() const { return fd_; }
  bool is_tty() const { return is_tty_; }

 private:
  // Waits (interruptibly) until the host fd is ready for `events`.
  int64_t WaitHost(Task& t, vfs::EventMask events);

  vfs::WaitQueue queue_;

  const int fd_;
  const std::string name_;
  const bool is_tty_;
};

}  // namespace sentry::fs

#endif  // SENTRY_FS_HOST_FD_HOST_FD_FILE_H_
