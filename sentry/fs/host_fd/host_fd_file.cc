#include "sentry/fs/host_fd/host_fd_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "sentry/fs/host_fd/host_notifier.h"
#include "sentry/fs/hostfs/host_stat.h"
#include "sentry/kernel/task.h"

namespace sentry::vfs {

std::shared_ptr<FileDescription> NewHostFdFile(int host_fd, std::string name) {
  int fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return nullptr;
  int host_flags = fcntl(fd, F_GETFL);
  if (host_flags < 0) {
    close(fd);
    return nullptr;
  }
  // The sandbox sees the access mode and O_APPEND of the host description;
  // O_NONBLOCK is the sandbox's own business.
  int flags = (host_flags & (O_ACCMODE | O_APPEND)) | kOLargefile;
  bool tty = isatty(fd) == 1;
  return std::make_shared<fs::HostFdFile>(fd, flags, std::move(name), tty);
}

}  // namespace sentry::vfs

namespace sentry::fs {

namespace {

// Kernel ioctl request numbers (asm-generic/ioctls.h) and the sizes of what
// they copy out (struct termios as the kernel defines it: 4 flags, c_line,
// 19 control characters).
constexpr uint64_t kTCGETS = 0x5401;
constexpr uint64_t kTIOCGPGRP = 0x540F;
constexpr uint64_t kTIOCGWINSZ = 0x5413;
constexpr uint64_t kFIONREAD = 0x541B;
constexpr size_t kKernelTermiosSize = 36;
constexpr size_t kWinsizeSize = 8;

}  // namespace

HostFdFile::HostFdFile(int fd, int status_flags, std::string name, bool is_tty)
    : FileDescription(status_flags),
      fd_(fd),
      name_(std::move(name)),
      is_tty_(is_tty) {}

HostFdFile::~HostFdFile() {
  HostNotifier::Get().Remove(fd_);
  close(fd_);
}

vfs::EventMask HostFdFile::Readiness(vfs::EventMask mask) {
  struct pollfd p{fd_, static_cast<short>(mask & 0xffff), 0};
  int r;
  do {
    r = poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  vfs::EventMask ready = r > 0 ? static_cast<uint16_t>(p.revents) : 0;
  ready &= mask | vfs::kAlwaysEvents;
  if (!(ready & mask) && !queue_.empty()) {
    // Someone waits: have the host tell us when it changes.
    HostNotifier::Get().Arm(fd_, queue_.Interest() | mask, &queue_);
  }
  return ready;
}

void HostFdFile::EventRegister(vfs::WaitEntry* e) {
  queue_.Register(e);
  HostNotifier::Get().Arm(fd_, queue_.Interest(), &queue_);
}

void HostFdFile::EventUnregister(vfs::WaitEntry* e) { queue_.Unregister(e); }

int64_t HostFdFile::Fsync(bool datasync) {
  int r = datasync ? fdatasync(fd_) : fsync(fd_);
  return r < 0 ? -errno : 0;
}

int64_t HostFdFile::Reopen(int flags, const vfs::Credentials& creds,
                           std::shared_ptr<vfs::FileDescription>* out) {
  // A new description of the same host file (as reopening a terminal or
  // pipe through /proc/self/fd does on Linux), with the access asked for.
  int acc = flags & O_ACCMODE;
  int have = status_flags() & O_ACCMODE;
  if ((acc == O_RDONLY || acc == O_RDWR) && have == O_WRONLY) return -EACCES;
  if ((acc == O_WRONLY || acc == O_RDWR) && have == O_RDONLY) return -EACCES;
  std::shared_ptr<vfs::FileDescription> f = vfs::NewHostFdFile(fd_, name_);
  if (!f) return -EMFILE;
  *out = std::move(f);
  return 0;
}

int64_t HostFdFile::WaitHost(Task& t, vfs::EventMask events) {
  for (;;) {
    if (Readiness(events) & (events | vfs::kEventErr | vfs::kEventHup)) {
      return 0;
    }
    vfs::TaskWaiter w(events);
    vfs::ScopedRegistration reg(&queue_, &w);
    HostNotifier::Get().Arm(fd_, events, &queue_);
    // Look again now that a change cannot be missed.
    if (Readiness(events) & (events | vfs::kEventErr | vfs::kEventHup)) {
      return 0;
    }
    int64_t r = w.Wait(&t);
    if (r < 0) return r;
  }
}

int64_t HostFdFile::Read(Task& t, void* buf, uint64_t n) {
  // Wait in the sentry (interruptibly) rather than in a host read that
  // nothing could interrupt; the host fd itself may be blocking.
  if (nonblocking()) {
    if (!(Readiness(vfs::kEventIn) & (vfs::kEventIn | vfs::kEventHup |
                                       vfs::kEventErr))) {
      return -EAGAIN;
    }
  } else {
    int64_t w = WaitHost(t, vfs::kEventIn);
    if (w < 0) return w;
  }
  for (;;) {
    ssize_t r = read(fd_, buf, n);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && !nonblocking()) {
      int64_t w = WaitHost(t, vfs::kEventIn);
      if (w < 0) return w;
      continue;
    }
    return -errno;
  }
}

int64_t HostFdFile::Write(Task& t, const void* buf, uint64_t n) {
  const char* p = static_cast<const char*>(buf);
  uint64_t done = 0;
  // A blocking write writes everything, as a write to a pipe or terminal
  // in blocking mode does.
  while (done < n) {
    int64_t w = nonblocking() ? 0 : WaitHost(t, vfs::kEventOut);
    if (w < 0) return done ? static_cast<int64_t>(done) : w;
    if (nonblocking() && !(Readiness(vfs::kEventOut) &
                           (vfs::kEventOut | vfs::kEventErr))) {
      return done ? static_cast<int64_t>(done) : -EAGAIN;
    }
    ssize_t r = write(fd_, p + done, n - done);
    if (r > 0) {
      done += static_cast<uint64_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !nonblocking()) {
      continue;
    }
    if (done) return static_cast<int64_t>(done);
    return r < 0 ? -errno : 0;
  }
  return static_cast<int64_t>(done);
}

int64_t HostFdFile::PRead(void* buf, uint64_t n, int64_t off) {
  for (;;) {
    ssize_t r = pread(fd_, buf, n, off);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostFdFile::PWrite(const void* buf, uint64_t n, int64_t off) {
  for (;;) {
    ssize_t r = pwrite(fd_, buf, n, off);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostFdFile::Seek(int64_t off, int whence) {
  off_t r = lseek(fd_, off, whence);
  return r < 0 ? -errno : r;
}

std::string HostFdFile::Path() const {
  struct stat st;
  if (fstat(fd_, &st) == 0) {
    if (S_ISFIFO(st.st_mode)) return "pipe:[" + std::to_string(st.st_ino) + "]";
    if (S_ISSOCK(st.st_mode)) {
      return "socket:[" + std::to_string(st.st_ino) + "]";
    }
  }
  return name_;
}

int64_t HostFdFile::offset() const {
  off_t r = lseek(fd_, 0, SEEK_CUR);
  return r < 0 ? 0 : r;
}

int64_t HostFdFile::Stat(uapi::Stat* st) { return HostFstat(fd_, st); }

int64_t HostFdFile::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  if (cmd == kFIONREAD) {
    int avail = 0;
    if (ioctl(fd_, FIONREAD, &avail) < 0) {
      // Regular files: what remains after the (host) offset.
      if (errno != ENOTTY && errno != EINVAL) return -errno;
      return FileDescription::Ioctl(t, cmd, arg);
    }
    return t.CopyOutObj(arg, avail) < 0 ? -EFAULT : 0;
  }
  if (!is_tty_) return -ENOTTY;
  // Terminal queries only: nothing that changes the host terminal.
  alignas(8) char buf[64];
  size_t size;
  unsigned long req;
  switch (cmd) {
    case kTCGETS:
      req = TCGETS;
      size = kKernelTermiosSize;
      break;
    case kTIOCGWINSZ:
      req = TIOCGWINSZ;
      size = kWinsizeSize;
      break;
    case kTIOCGPGRP:
      req = TIOCGPGRP;
      size = sizeof(pid_t);
      break;
    default:
      return -ENOTTY;
  }
  std::memset(buf, 0, sizeof(buf));
  if (ioctl(fd_, req, buf) < 0) return -errno;
  return t.CopyOut(arg, buf, size) < 0 ? -EFAULT : 0;
}

}  // namespace sentry::fs
